package flow

import (
	"encoding/json"
	"testing"
)

func TestRender(t *testing.T) {
	c := &Contact{
		ContactID: "c-2", InitialContactID: "c-1", PreviousContactID: "c-1", Channel: "CHAT",
		InstanceARN: "arn:i", InitiationMethod: "TRANSFER", LanguageCode: "en-US", CustomerID: "cust-9",
		Attributes:        map[string]string{"code": "foobar", "first name": "Jane", "tier": "gold"},
		SegmentAttributes: map[string]string{"connect:Subtype": "connect:Chat"},
		CustomerEndpoint:  Endpoint{Address: "jane@example.com", Type: "EMAIL_ADDRESS"},
		SystemEndpoint:    Endpoint{Address: "+15550100", Type: "TELEPHONE_NUMBER"},
		Queue:             Queue{ID: "q", ARN: "arn:q", Name: "BasicQueue"},
		Agent:             Agent{ARN: "arn:u", UserName: "ann", FirstName: "Ann", LastName: "Lee"},
	}
	st := &State{
		StoredCustomerInput: "42",
		FlowAttributes:      map[string]string{"step": "two"},
		External: map[string]any{
			"Fact": "Otters hold hands.", "Count": json.Number("3"), "OK": true, "Nested": map[string]any{"a": "b"},
		},
	}
	sc := scope{contact: c, state: st}
	cases := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"$.Attributes.code", "foobar"},
		{`"verificationCode" is"$.Attributes.code"`, `"verificationCode" is"foobar"`},
		{"Here is your fun fact: $.External.Fact.", "Here is your fun fact: Otters hold hands.."},
		{"$.External.Count items, ok=$.External.OK", "3 items, ok=true"},
		{"$.External.Nested", `{"a":"b"}`},
		{"$.External.Nested.a", "b"},
		{"$.External.Missing!", "!"},
		{"Hi $.Attributes['first name']!", "Hi Jane!"},
		{"Hi $.Attributes.['first name']!", "Hi Jane!"},
		{"$.SegmentAttributes['connect:Subtype']", "connect:Chat"},
		{"$.StoredCustomerInput/$.FlowAttributes.step", "42/two"},
		{"$.ContactId $.InitialContactId $.PreviousContactId $.Channel $.InitiationMethod", "c-2 c-1 c-1 CHAT TRANSFER"},
		{"$.InstanceARN $.LanguageCode $.CustomerId", "arn:i en-US cust-9"},
		{"$.CustomerEndpoint.Address ($.CustomerEndpoint.Type) $.SystemEndpoint.Address", "jane@example.com (EMAIL_ADDRESS) +15550100"},
		{"$.Queue.Name $.Queue.ARN", "BasicQueue arn:q"},
		{"$.Agent.FirstName $.Agent.LastName ($.Agent.UserName, $.Agent.ARN)", "Ann Lee (ann, arn:u)"},
		{"[$.Attributes.none][$.Queue.OutboundCallerId.Address][$.Lex.IntentName][$.Name]", "[][][][]"},
		{"It costs $.50 or $. or $.", "It costs $.50 or $. or $."},
		{"$.Unknown.thing stays", "$.Unknown.thing stays"},
		{"$$.Attributes.tier", "$gold"},
		{"$.Attributes.tier.", "gold."},
		{"$.Attributes['unclosed", "['unclosed"},
		{"a$.Attributes.tier-b", "a"},
	}
	for _, tc := range cases {
		if got := sc.render(tc.in); got != tc.want {
			t.Errorf("render(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestIsRef(t *testing.T) {
	for s, want := range map[string]bool{
		"$.Attributes.q": true, " $.External.x ": true, "$.Attributes['a b']": true,
		"arn:q": false, "q $.Attributes.q": false, "$.": false, "": false,
	} {
		if got := isRef(s); got != want {
			t.Errorf("isRef(%q) = %v, want %v", s, got, want)
		}
	}
}
