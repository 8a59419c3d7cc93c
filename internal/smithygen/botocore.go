package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// The botocore model reader. Botocore's JSON ("rest-json" services: metadata, operations with http{method,
// requestUri}, shapes with type, members{shape, location, locationName}, required, min/max, enum, pattern) says
// what a Smithy model says for the parts the generator reads, so it is translated into the same shapes and
// traits, and everything after loading is shared: a botocore member's location "uri" becomes @httpLabel,
// "querystring" @httpQuery, "header" @httpHeader; a structure's required list @required on its members; min/max
// @length on strings, lists and maps and @range on numbers; enum the @enum trait; pattern @pattern.

// botocoreDoc is a botocore service model (service-2.json, or api-2.json in aws-sdk-go v1).
type botocoreDoc struct {
	Metadata struct {
		APIVersion string `json:"apiVersion"`
		Protocol   string `json:"protocol"`
		ServiceID  string `json:"serviceId"`
	} `json:"metadata"`
	Operations map[string]struct {
		HTTP struct {
			Method     string `json:"method"`
			RequestURI string `json:"requestUri"`
		} `json:"http"`
		Input  *botocoreRef `json:"input"`
		Output *botocoreRef `json:"output"`
	} `json:"operations"`
	Shapes map[string]json.RawMessage `json:"shapes"`
}

type botocoreRef struct {
	Shape         string `json:"shape"`
	Location      string `json:"location"`
	LocationName  string `json:"locationName"`
	Documentation string `json:"documentation"`
}

// botocoreShape is one shape of a botocore model.
type botocoreShape struct {
	Type            string          `json:"type"`
	Members         json.RawMessage `json:"members"`
	Required        []string        `json:"required"`
	Member          *botocoreRef    `json:"member"`
	Key             *botocoreRef    `json:"key"`
	Value           *botocoreRef    `json:"value"`
	Min             *json.Number    `json:"min"`
	Max             *json.Number    `json:"max"`
	Pattern         *string         `json:"pattern"`
	Enum            []string        `json:"enum"`
	Union           bool            `json:"union"`
	Payload         string          `json:"payload"`
	TimestampFormat string          `json:"timestampFormat"`
	Documentation   string          `json:"documentation"`
}

// isBotocore reports whether a model file is in botocore's format rather than Smithy's JSON AST.
func isBotocore(b []byte) bool {
	var probe struct {
		Smithy     json.RawMessage `json:"smithy"`
		Metadata   json.RawMessage `json:"metadata"`
		Operations json.RawMessage `json:"operations"`
	}
	return json.Unmarshal(b, &probe) == nil && probe.Smithy == nil && probe.Metadata != nil && probe.Operations != nil
}

// parseBotocore translates a botocore model into the generator's model. Shape ids get the namespace
// com.amazonaws.<serviceId> (com.amazonaws.connect), as in the service's Smithy model, so that both read alike.
func parseBotocore(b []byte, m *model) error {
	var doc botocoreDoc
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return err
	}
	if doc.Metadata.Protocol != "rest-json" {
		return fmt.Errorf("protocol %q: only rest-json models are supported", doc.Metadata.Protocol)
	}
	ns := "com.amazonaws." + strings.ToLower(strings.ReplaceAll(doc.Metadata.ServiceID, " ", ""))
	id := func(name string) string { return ns + "#" + name }
	m.service = &shape{id: id(doc.Metadata.ServiceID), typ: "service", version: doc.Metadata.APIVersion}
	m.shapes[m.service.id] = m.service
	for name, op := range doc.Operations {
		h, _ := json.Marshal(httpTrait{Method: op.HTTP.Method, URI: op.HTTP.RequestURI})
		s := &shape{id: id(name), typ: "operation", traits: map[string]json.RawMessage{tHTTP: h}}
		if op.Input != nil {
			s.input = id(op.Input.Shape)
		}
		if op.Output != nil {
			s.output = id(op.Output.Shape)
		}
		if _, dup := m.shapes[s.id]; dup {
			return fmt.Errorf("operation %s has the name of a shape", name)
		}
		m.shapes[s.id] = s
	}
	for name, raw := range doc.Shapes {
		var bs botocoreShape
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&bs); err != nil {
			return fmt.Errorf("shape %s: %w", name, err)
		}
		s, err := bs.translate(id(name), id)
		if err != nil {
			return fmt.Errorf("shape %s: %w", name, err)
		}
		if _, dup := m.shapes[s.id]; dup {
			return fmt.Errorf("shape %s has the name of an operation", name)
		}
		m.shapes[s.id] = s
	}
	return nil
}

// translate turns a botocore shape into a shape with Smithy traits.
func (bs *botocoreShape) translate(sid string, id func(string) string) (*shape, error) {
	s := &shape{id: sid, typ: bs.Type, traits: map[string]json.RawMessage{}}
	if bs.Documentation != "" {
		s.traits[tDocumentation] = jsonValue(bs.Documentation)
	}
	switch bs.Type {
	case "structure":
		if bs.Union {
			s.typ = "union"
		}
		names, refs, err := orderedObject[botocoreRef](bs.Members)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			mem, err := refs[n].member(n, id)
			if err != nil {
				return nil, fmt.Errorf("member %s: %w", n, err)
			}
			if n == bs.Payload {
				mem.traits[tHTTPPayload] = jsonValue(struct{}{})
			}
			s.members = append(s.members, mem)
		}
		for _, r := range bs.Required {
			mem := findMember(s, r)
			if mem == nil {
				return nil, fmt.Errorf("required member %s does not exist", r)
			}
			mem.traits[tRequired] = jsonValue(struct{}{})
		}
	case "list":
		if bs.Member == nil {
			return nil, fmt.Errorf("list without a member")
		}
		s.member = &member{name: "member", target: id(bs.Member.Shape), traits: map[string]json.RawMessage{}}
		bs.bounds(s, tLength)
	case "map":
		if bs.Key == nil || bs.Value == nil {
			return nil, fmt.Errorf("map without a key or value")
		}
		s.key = &member{name: "key", target: id(bs.Key.Shape), traits: map[string]json.RawMessage{}}
		s.value = &member{name: "value", target: id(bs.Value.Shape), traits: map[string]json.RawMessage{}}
		bs.bounds(s, tLength)
	case "string":
		bs.bounds(s, tLength)
		if bs.Pattern != nil {
			s.traits[tPattern] = jsonValue(*bs.Pattern)
		}
		if bs.Enum != nil {
			defs := make([]map[string]string, len(bs.Enum))
			for i, v := range bs.Enum {
				defs[i] = map[string]string{"value": v}
			}
			s.traits[tEnum] = jsonValue(defs)
		}
	case "integer", "long", "float", "double":
		bs.bounds(s, tRange)
	case "timestamp":
		if f, ok := map[string]string{"iso8601": "date-time", "rfc822": "http-date",
			"unixTimestamp": "epoch-seconds"}[bs.TimestampFormat]; ok {
			s.traits[tTimestampFmt] = jsonValue(f)
		} else if bs.TimestampFormat != "" {
			return nil, fmt.Errorf("timestampFormat %q", bs.TimestampFormat)
		}
	case "boolean", "blob":
	default:
		return nil, fmt.Errorf("type %q", bs.Type)
	}
	return s, nil
}

// bounds sets the @length or @range trait from min and max.
func (bs *botocoreShape) bounds(s *shape, trait string) {
	if bs.Min != nil || bs.Max != nil {
		s.traits[trait] = jsonValue(bounds{Min: bs.Min, Max: bs.Max})
	}
}

// member turns a botocore member into a member with Smithy's HTTP binding traits.
func (r botocoreRef) member(name string, id func(string) string) (*member, error) {
	mem := &member{name: name, target: id(r.Shape), traits: map[string]json.RawMessage{}}
	if r.Documentation != "" {
		mem.traits[tDocumentation] = jsonValue(r.Documentation)
	}
	switch r.Location {
	case "":
		if r.LocationName != "" && r.LocationName != name {
			mem.traits[tJSONName] = jsonValue(r.LocationName)
		}
	case "uri":
		if r.LocationName != name {
			return nil, fmt.Errorf("path label %q differs from the member name", r.LocationName)
		}
		mem.traits[tHTTPLabel] = jsonValue(struct{}{})
	case "querystring":
		mem.traits[tHTTPQuery] = jsonValue(r.LocationName)
	case "header":
		mem.traits[tHTTPHeader] = jsonValue(r.LocationName)
	case "headers":
		mem.traits[tHTTPPrefix] = jsonValue(r.LocationName)
	case "statusCode":
		mem.traits[tHTTPCode] = jsonValue(struct{}{})
	default:
		return nil, fmt.Errorf("location %q", r.Location)
	}
	return mem, nil
}

func jsonValue(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only values of the types above
	}
	return b
}
