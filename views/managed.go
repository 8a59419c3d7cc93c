package views

import "github.com/parley-chat/parley"

// The content of the managed views. Each Template is a Head (title, layout) and a Body of components; a property
// written "$.Name" takes the value of the ViewData member Name. Each InputSchema is the JSON Schema of the
// ViewData the view reads.

var form = &Managed{ID: "form", Name: "Form", Content: parley.ViewContent{
	Actions: []string{"Back", "Cancel", "Next"},
	Template: `{"Head":{"Title":"Form","Configuration":{"Layout":{"Columns":["12"]}}},"Body":[` +
		`{"_id":"heading","Type":"Heading","Props":{"Heading":"$.Heading","SubHeading":"$.SubHeading"}},` +
		`{"_id":"form","Type":"Form","Props":{"Sections":"$.Sections","ErrorText":"$.ErrorText"}},` +
		`{"_id":"back","Type":"Button","Props":{"Action":"Back","Label":"$.Back"}},` +
		`{"_id":"cancel","Type":"Button","Props":{"Action":"Cancel","Label":"$.Cancel"}},` +
		`{"_id":"next","Type":"Button","Props":{"Action":"Next","Label":"$.Next","Submit":true}}]}`,
	InputSchema: `{"type":"object","properties":{` +
		`"Heading":{"type":"string"},"SubHeading":{"type":"string"},"ErrorText":{"type":"string"},` +
		`"Back":{"type":"string"},"Cancel":{"type":"string"},"Next":{"type":"string"},` +
		`"Sections":{"type":"array","items":{"type":"object","properties":{"Heading":{"type":"string"},` +
		`"Items":{"type":"array","items":{"type":"object","required":["Name"],"properties":{` +
		`"Type":{"type":"string","enum":["FormInput"]},"Name":{"type":"string"},"Label":{"type":"string"},` +
		`"InputType":{"type":"string","enum":["text","email","number","tel","date","textarea","checkbox"]},` +
		`"Required":{"type":"boolean"},"DefaultValue":{"type":"string"},"Placeholder":{"type":"string"}}}}}}}}}`,
}}

var confirmation = &Managed{ID: "confirmation", Name: "Confirmation", Content: parley.ViewContent{
	Actions: []string{"Next"},
	Template: `{"Head":{"Title":"Confirmation","Configuration":{"Layout":{"Columns":["12"]}}},"Body":[` +
		`{"_id":"heading","Type":"Heading","Props":{"Heading":"$.Heading","SubHeading":"$.SubHeading"}},` +
		`{"_id":"text","Type":"Text","Props":{"Text":"$.Description"}},` +
		`{"_id":"next","Type":"Button","Props":{"Action":"Next","Label":"$.Next"}}]}`,
	InputSchema: `{"type":"object","properties":{"Heading":{"type":"string"},"SubHeading":{"type":"string"},` +
		`"Description":{"type":"string"},"Next":{"type":"string"}}}`,
}}

var detail = &Managed{ID: "detail", Name: "Detail", Content: parley.ViewContent{
	Actions: []string{"Back", "Next"},
	Template: `{"Head":{"Title":"Detail","Configuration":{"Layout":{"Columns":["12"]}}},"Body":[` +
		`{"_id":"heading","Type":"Heading","Props":{"Heading":"$.Heading","SubHeading":"$.SubHeading"}},` +
		`{"_id":"attributes","Type":"AttributeBar","Props":{"Attributes":"$.AttributeBar"}},` +
		`{"_id":"sections","Type":"Sections","Props":{"Sections":"$.Sections"}},` +
		`{"_id":"back","Type":"Button","Props":{"Action":"Back","Label":"$.Back"}},` +
		`{"_id":"next","Type":"Button","Props":{"Action":"Next","Label":"$.Next"}}]}`,
	InputSchema: `{"type":"object","properties":{"Heading":{"type":"string"},"SubHeading":{"type":"string"},` +
		`"Back":{"type":"string"},"Next":{"type":"string"},` +
		`"AttributeBar":{"type":"array","items":{"type":"object","properties":{"Label":{"type":"string"},"Value":{"type":"string"}}}},` +
		`"Sections":{"type":"array","items":{"type":"object","properties":{"Heading":{"type":"string"},` +
		`"Items":{"type":"array","items":{"type":"object","properties":{"Label":{"type":"string"},"Value":{"type":"string"}}}}}}}}}`,
}}

var cards = &Managed{ID: "cards", Name: "Cards", Content: parley.ViewContent{
	Actions: []string{"Back", "CardSelected"},
	Template: `{"Head":{"Title":"Cards","Configuration":{"Layout":{"Columns":["12"]}}},"Body":[` +
		`{"_id":"heading","Type":"Heading","Props":{"Heading":"$.Heading","SubHeading":"$.SubHeading"}},` +
		`{"_id":"cards","Type":"Cards","Props":{"Cards":"$.Cards","Action":"CardSelected"}},` +
		`{"_id":"back","Type":"Button","Props":{"Action":"Back","Label":"$.Back"}}]}`,
	InputSchema: `{"type":"object","properties":{"Heading":{"type":"string"},"SubHeading":{"type":"string"},` +
		`"Back":{"type":"string"},"Cards":{"type":"array","items":{"type":"object","required":["Id"],"properties":{` +
		`"Id":{"type":"string"},"Heading":{"type":"string"},"Description":{"type":"string"},"Icon":{"type":"string"}}}}}}`,
}}

var list = &Managed{ID: "list", Name: "List", Content: parley.ViewContent{
	Actions: []string{"Back", "ItemSelected"},
	Template: `{"Head":{"Title":"List","Configuration":{"Layout":{"Columns":["12"]}}},"Body":[` +
		`{"_id":"heading","Type":"Heading","Props":{"Heading":"$.Heading","SubHeading":"$.SubHeading"}},` +
		`{"_id":"list","Type":"List","Props":{"Items":"$.Items","Action":"ItemSelected"}},` +
		`{"_id":"back","Type":"Button","Props":{"Action":"Back","Label":"$.Back"}}]}`,
	InputSchema: `{"type":"object","properties":{"Heading":{"type":"string"},"SubHeading":{"type":"string"},` +
		`"Back":{"type":"string"},"Items":{"type":"array","items":{"type":"object","required":["Id"],"properties":{` +
		`"Id":{"type":"string"},"Heading":{"type":"string"},"Description":{"type":"string"}}}}}}`,
}}
