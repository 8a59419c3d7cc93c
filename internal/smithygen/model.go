package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// model is a Smithy JSON AST (smithy 2.0), or a botocore model translated into one, reduced to what the
// generator reads.
type model struct {
	file    string            // the model file, as generated files name it
	shapes  map[string]*shape // by absolute shape id ("com.amazonaws.connect#ContactId")
	service *shape
}

// shape is one shape of the model. Members keep the model's order.
type shape struct {
	id      string
	typ     string // structure, union, list, map, string, enum, integer, operation, service, ...
	members []*member
	member  *member // list element
	key     *member // map key
	value   *member // map value
	input   string  // operation
	output  string  // operation
	version string  // service
	traits  map[string]json.RawMessage
}

// member is a member of a structure, union or enum, or the element, key or value of a list or map.
type member struct {
	name   string
	target string
	traits map[string]json.RawMessage
}

// name is the shape's name without its namespace.
func (s *shape) name() string { return shortName(s.id) }

// namespace is the shape's namespace ("com.amazonaws.connect").
func (s *shape) namespace() string { ns, _, _ := strings.Cut(s.id, "#"); return ns }

func shortName(id string) string {
	_, n, _ := strings.Cut(id, "#")
	return n
}

// loadModel reads a model file: a Smithy JSON AST or a botocore model (parseBotocore), gzip-compressed when
// its name ends in .gz (botocore ships its models so). name is how generated files name it.
func loadModel(path, name string) (*model, error) {
	b, err := readModel(path)
	if err != nil {
		return nil, err
	}
	m := &model{file: name, shapes: map[string]*shape{}}
	if isBotocore(b) {
		if err := parseBotocore(b, m); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return m, nil
	}
	var doc struct {
		Shapes map[string]json.RawMessage `json:"shapes"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for id, raw := range doc.Shapes {
		s, err := parseShape(id, raw)
		if err != nil {
			return nil, fmt.Errorf("%s: shape %s: %w", path, id, err)
		}
		m.shapes[id] = s
		if s.typ == "service" {
			if m.service != nil {
				return nil, fmt.Errorf("%s: more than one service shape", path)
			}
			m.service = s
		}
	}
	if m.service == nil {
		return nil, fmt.Errorf("%s: no service shape", path)
	}
	return m, nil
}

func readModel(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		r = zr
	}
	return io.ReadAll(r)
}

type rawTarget struct {
	Target string                     `json:"target"`
	Traits map[string]json.RawMessage `json:"traits"`
}

func parseShape(id string, raw json.RawMessage) (*shape, error) {
	var s struct {
		Type    string                     `json:"type"`
		Version string                     `json:"version"`
		Member  *rawTarget                 `json:"member"`
		Key     *rawTarget                 `json:"key"`
		Value   *rawTarget                 `json:"value"`
		Input   *rawTarget                 `json:"input"`
		Output  *rawTarget                 `json:"output"`
		Members json.RawMessage            `json:"members"`
		Traits  map[string]json.RawMessage `json:"traits"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	out := &shape{id: id, typ: s.Type, version: s.Version, traits: s.Traits}
	asMember := func(name string, t *rawTarget) *member {
		if t == nil {
			return nil
		}
		return &member{name: name, target: t.Target, traits: t.Traits}
	}
	out.member, out.key, out.value = asMember("member", s.Member), asMember("key", s.Key), asMember("value", s.Value)
	if s.Input != nil {
		out.input = s.Input.Target
	}
	if s.Output != nil {
		out.output = s.Output.Target
	}
	if len(s.Members) > 0 {
		names, byName, err := orderedObject[rawTarget](s.Members)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			t := byName[n]
			out.members = append(out.members, asMember(n, &t))
		}
	}
	return out, nil
}

// orderedObject decodes a JSON object of Ts: its keys in the order they appear (see objectKeys) and its values.
func orderedObject[T any](raw json.RawMessage) ([]string, map[string]T, error) {
	keys, err := objectKeys(raw)
	if err != nil {
		return nil, nil, err
	}
	var byKey map[string]T
	if err := json.Unmarshal(raw, &byKey); err != nil {
		return nil, nil, err
	}
	return keys, byKey, nil
}

// objectKeys returns the keys of a JSON object in the order they appear: member order is meaningful (it is the
// order of the generated fields, hence of the encoded JSON, and the order validation reports failures in).
func objectKeys(raw json.RawMessage) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("members: not a JSON object")
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// shape returns the shape with the given id, or nil for a prelude shape (smithy.api#String, ...).
func (m *model) shape(id string) *shape { return m.shapes[id] }

// operation finds an operation of the service by name.
func (m *model) operation(name string) (*shape, error) {
	s := m.shapes[m.service.namespace()+"#"+name]
	if s == nil || s.typ != "operation" {
		return nil, fmt.Errorf("%s has no operation %s", m.file, name)
	}
	return s, nil
}

// typeOf is the Smithy type of a target, prelude shapes included.
func (m *model) typeOf(target string) string {
	if s := m.shapes[target]; s != nil {
		return s.typ
	}
	switch t := strings.ToLower(shortName(target)); t {
	case "primitiveboolean":
		return "boolean"
	case "primitiveinteger":
		return "integer"
	case "primitivelong":
		return "long"
	case "primitivefloat":
		return "float"
	case "primitivedouble":
		return "double"
	case "primitiveshort":
		return "short"
	case "primitivebyte":
		return "byte"
	case "biginteger":
		return "bigInteger"
	case "bigdecimal":
		return "bigDecimal"
	default:
		return t
	}
}

// Traits.

const (
	tRequired      = "smithy.api#required"
	tDefault       = "smithy.api#default"
	tLength        = "smithy.api#length"
	tRange         = "smithy.api#range"
	tPattern       = "smithy.api#pattern"
	tEnum          = "smithy.api#enum"
	tEnumValue     = "smithy.api#enumValue"
	tHTTP          = "smithy.api#http"
	tHTTPLabel     = "smithy.api#httpLabel"
	tHTTPQuery     = "smithy.api#httpQuery"
	tHTTPHeader    = "smithy.api#httpHeader"
	tHTTPPrefix    = "smithy.api#httpPrefixHeaders"
	tHTTPPayload   = "smithy.api#httpPayload"
	tHTTPCode      = "smithy.api#httpResponseCode"
	tJSONName      = "smithy.api#jsonName"
	tDocumentation = "smithy.api#documentation"
	tTimestampFmt  = "smithy.api#timestampFormat"

	// traitExtra marks a member added by -extra.
	traitExtra = "smithygen#extra"
)

// trait returns the trait of the member if it has it, else of its target: member traits override target traits.
func (m *model) trait(mem *member, name string) (json.RawMessage, bool) {
	if v, ok := mem.traits[name]; ok {
		return v, true
	}
	if s := m.shapes[mem.target]; s != nil {
		v, ok := s.traits[name]
		return v, ok
	}
	return nil, false
}

func has(traits map[string]json.RawMessage, name string) bool { _, ok := traits[name]; return ok }

// bounds is a @length or @range trait. A nil bound is absent.
type bounds struct {
	Min *json.Number `json:"min"`
	Max *json.Number `json:"max"`
}

func (m *model) bounds(mem *member, name string) (*bounds, error) {
	raw, ok := m.trait(mem, name)
	if !ok {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var b bounds
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("%s of %s: %w", name, mem.name, err)
	}
	return &b, nil
}

func (m *model) stringTrait(mem *member, name string) string {
	raw, ok := m.trait(mem, name)
	if !ok {
		return ""
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

// enumValues are the values of an enum shape (smithy 2.0) or of a string with the @enum trait (smithy 1.0), in
// the model's order; nil when the target is not an enum.
func (m *model) enumValues(target string) []string {
	s := m.shapes[target]
	if s == nil {
		return nil
	}
	switch {
	case s.typ == "enum":
		var vals []string
		for _, em := range s.members {
			v := em.name
			if raw, ok := em.traits[tEnumValue]; ok {
				_ = json.Unmarshal(raw, &v)
			}
			vals = append(vals, v)
		}
		return vals
	case s.typ == "string" && has(s.traits, tEnum):
		var defs []struct {
			Value string `json:"value"`
		}
		_ = json.Unmarshal(s.traits[tEnum], &defs)
		vals := make([]string, 0, len(defs))
		for _, d := range defs {
			vals = append(vals, d.Value)
		}
		return vals
	}
	return nil
}

// required reports whether a member carries @required.
func required(mem *member) bool { return has(mem.traits, tRequired) }

// hasDefault reports whether a member has a non-null @default: it is then always serialized.
func hasDefault(mem *member) bool {
	raw, ok := mem.traits[tDefault]
	return ok && string(bytes.TrimSpace(raw)) != "null"
}

// binding is where an input member travels: "" (the JSON body), "label", "query" or "header".
func binding(mem *member) string {
	switch {
	case has(mem.traits, tHTTPLabel):
		return "label"
	case has(mem.traits, tHTTPQuery):
		return "query"
	case has(mem.traits, tHTTPHeader), has(mem.traits, tHTTPPrefix):
		return "header"
	case has(mem.traits, tHTTPPayload), has(mem.traits, tHTTPCode):
		return "unsupported"
	}
	return ""
}

// httpTrait is an operation's @http trait.
type httpTrait struct {
	Method string `json:"method"`
	URI    string `json:"uri"`
}

func (s *shape) http() (httpTrait, error) {
	var h httpTrait
	raw, ok := s.traits[tHTTP]
	if !ok {
		return h, fmt.Errorf("operation %s has no @http trait", s.name())
	}
	err := json.Unmarshal(raw, &h)
	return h, err
}
