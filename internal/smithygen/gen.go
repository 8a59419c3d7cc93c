package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"html"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// config is one run of the generator: the flags of one //go:generate directive.
type config struct {
	model    string            // the model (locateModel)
	mode     string            // "shapes" or "checks"
	out      string            // output file, relative to the package directory
	ops      []string          // the operations to generate
	always   map[string]bool   // "Shape.Member": an output member sent even when empty
	extra    []extraMember     // members added to a shape
	external map[string]bool   // shape names written by hand
	custom   map[string]string // "Shape.Member" → hand-written check called in the member's place
	last     []string          // "Shape.Member": a member sent after the others, in this order
	pointer  map[string]bool   // "Shape.Member": an output scalar sent whenever it is set, zero included
	enums    []string          // checks: enum shapes whose values hand-written checks use
	paths    []string          // shapes: operations of which only the Path constant is written
	dispatch string            // checks: the name of the type switches of the generic handler ("" for none)
	wirePkg  string            // checks: the module-relative directory of the shapes
	checkPkg string            // checks: the module-relative directory of httpapi (Check)
}

// extraMember is a member the model does not have, added to a generated shape.
type extraMember struct {
	shape, name, target string
}

// gen holds what one run computes from the model.
type gen struct {
	m       *model
	cfg     config
	ops     []*shape          // sorted by name
	paths   []*shape          // -paths, sorted by name
	structs map[string]*shape // structures and unions to emit, by id
	inputs  map[string]bool   // structures reached from an operation's input
	opOf    map[string]*shape // input or output structure id → its operation
	members map[string][]*member
}

func newGen(m *model, cfg config) (*gen, error) {
	g := &gen{m: m, cfg: cfg, structs: map[string]*shape{}, inputs: map[string]bool{}, opOf: map[string]*shape{},
		members: map[string][]*member{}}
	for _, name := range slices.Sorted(slices.Values(cfg.ops)) {
		op, err := m.operation(name)
		if err != nil {
			return nil, err
		}
		if _, err := op.http(); err != nil {
			return nil, err
		}
		g.ops = append(g.ops, op)
	}
	for _, name := range slices.Sorted(slices.Values(cfg.paths)) {
		op, err := m.operation(name)
		if err != nil {
			return nil, fmt.Errorf("-paths: %w", err)
		}
		if _, err := op.http(); err != nil {
			return nil, err
		}
		if slices.Contains(cfg.ops, name) {
			return nil, fmt.Errorf("-paths %s: the operation is in -ops", name)
		}
		g.paths = append(g.paths, op)
	}
	for _, x := range cfg.extra {
		id := m.service.namespace() + "#" + x.shape
		target := m.service.namespace() + "#" + x.target
		if m.shape(id) == nil || m.shape(target) == nil {
			return nil, fmt.Errorf("-extra %s.%s=%s: no such shape in %s", x.shape, x.name, x.target, m.file)
		}
		g.members[id] = append(g.members[id], &member{name: x.name, target: target,
			traits: map[string]json.RawMessage{traitExtra: nil}})
	}
	for _, op := range g.ops {
		for _, io := range []string{op.input, op.output} {
			if io == "" {
				continue
			}
			g.opOf[io] = op
			g.walk(io, io == op.input, map[string]bool{})
		}
	}
	for _, f := range []struct {
		flag string
		keys []string
	}{
		{"-always", slices.Sorted(maps.Keys(cfg.always))}, {"-custom", slices.Sorted(maps.Keys(cfg.custom))},
		{"-last", cfg.last}, {"-pointer", slices.Sorted(maps.Keys(cfg.pointer))},
	} {
		for _, key := range f.keys {
			if err := g.checkMemberRef(f.flag, key); err != nil {
				return nil, err
			}
		}
	}
	for _, e := range cfg.enums {
		if m.enumValues(m.service.namespace()+"#"+e) == nil {
			return nil, fmt.Errorf("-enums %s: no such enum in %s", e, m.file)
		}
	}
	return g, nil
}

// checkMemberRef fails for a "Shape.Member" flag value that names no member of a generated shape, so that a
// stale flag does not go unnoticed.
func (g *gen) checkMemberRef(flag, key string) error {
	sn, mn, _ := strings.Cut(key, ".")
	s := g.structs[g.m.service.namespace()+"#"+sn]
	if s != nil {
		for _, mem := range g.fields(s) {
			if mem.name == mn {
				return nil
			}
		}
	}
	return fmt.Errorf("%s %s: no such member of a generated structure", flag, key)
}

// walk collects the structures reachable from id. Structures written by hand are not walked into.
func (g *gen) walk(id string, input bool, seen map[string]bool) {
	s := g.m.shape(id)
	if s == nil || seen[id] {
		return
	}
	seen[id] = true
	switch s.typ {
	case "structure", "union":
		if g.cfg.external[s.name()] {
			return
		}
		g.structs[id] = s
		if input {
			g.inputs[id] = true
		}
		for _, mem := range g.fields(s) {
			g.walk(mem.target, input, seen)
		}
	case "list", "set":
		g.walk(s.member.target, input, seen)
	case "map":
		g.walk(s.value.target, input, seen)
	}
}

// fields are a structure's members, extras and then the members -last names at the end, without the members
// bound to HTTP headers (they are not part of the JSON shape; the handlers read them from the request's headers).
func (g *gen) fields(s *shape) []*member {
	var out, last []*member
	for _, mem := range append(slices.Clone(s.members), g.members[s.id]...) {
		switch {
		case binding(mem) == "header":
		case slices.Contains(g.cfg.last, s.name()+"."+mem.name):
			last = append(last, mem)
		default:
			out = append(out, mem)
		}
	}
	slices.SortStableFunc(last, func(a, b *member) int {
		return slices.Index(g.cfg.last, s.name()+"."+a.name) - slices.Index(g.cfg.last, s.name()+"."+b.name)
	})
	return append(out, last...)
}

// headerMembers are the members of s bound to HTTP headers.
func headerMembers(s *shape) []*member {
	var out []*member
	for _, mem := range s.members {
		if binding(mem) == "header" {
			out = append(out, mem)
		}
	}
	return out
}

// goName turns a member name into a Go field name: the initialisms Id, Ids and Url are upper-cased where they
// form a word ("ContactId" → "ContactID", "AttachmentIds" → "AttachmentIDs", "UrlExpiry" → "URLExpiry"; not
// "Idempotency"). Arn stays as the model spells it.
func goName(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); {
		wordStart := i == 0 || !isUpper(name[i-1])
		matched := false
		for _, w := range [...][2]string{{"Ids", "IDs"}, {"Id", "ID"}, {"Url", "URL"}} {
			if wordStart && strings.HasPrefix(name[i:], w[0]) && wordEnd(name, i+len(w[0])) {
				b.WriteString(w[1])
				i += len(w[0])
				matched = true
				break
			}
		}
		if !matched {
			b.WriteByte(name[i])
			i++
		}
	}
	return b.String()
}

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }

func wordEnd(s string, i int) bool {
	return i == len(s) || isUpper(s[i]) || ('0' <= s[i] && s[i] <= '9')
}

// Go types. Input shapes are decoded from requests: every member is a pointer, slice or map, so that an absent
// member stays distinguishable from a zero one. Output shapes are encoded: scalars are values with omitempty
// (pointers where -pointer says a zero is sent when set), and only the members the model requires or defaults
// (or -always names) are sent when empty.

// scalarType is the Go type of a simple shape. An integer is int where the model gives it a @range (the
// generated check then enforces the range, including the 32-bit one) and int32 otherwise (the decoder enforces
// the 32-bit range).
func (g *gen) scalarType(mem *member) (string, error) {
	switch t := g.m.typeOf(mem.target); t {
	case "string", "enum":
		return "string", nil
	case "integer":
		if _, ok := g.m.trait(mem, tRange); ok {
			return "int", nil
		}
		return "int32", nil
	case "intenum", "intEnum":
		return "int32", nil
	case "long":
		return "int64", nil
	case "short":
		return "int16", nil
	case "byte":
		return "int8", nil
	case "float":
		return "float32", nil
	case "double":
		return "float64", nil
	case "boolean":
		return "bool", nil
	case "timestamp":
		if f := g.m.stringTrait(mem, tTimestampFmt); f == "date-time" || f == "http-date" {
			return "string", nil
		}
		return "EpochSeconds", nil
	case "blob":
		return "[]byte", nil
	case "document":
		return "json.RawMessage", nil
	default:
		return "", fmt.Errorf("member %s: unsupported Smithy type %s", mem.name, t)
	}
}

// valueType is the Go type of a list element or map value: never a pointer.
func (g *gen) valueType(mem *member) (string, error) {
	switch g.m.typeOf(mem.target) {
	case "structure", "union":
		if err := g.known(mem.target); err != nil {
			return "", err
		}
		return shortName(mem.target), nil
	case "list", "set":
		e, err := g.valueType(g.m.shape(mem.target).member)
		return "[]" + e, err
	case "map":
		s := g.m.shape(mem.target)
		if g.m.typeOf(s.key.target) != "string" && g.m.typeOf(s.key.target) != "enum" {
			return "", fmt.Errorf("map %s: keys must be strings", s.name())
		}
		v, err := g.valueType(s.value)
		return "map[string]" + v, err
	}
	return g.scalarType(mem)
}

// known fails for a structure that is neither generated nor written by hand.
func (g *gen) known(id string) error {
	if g.structs[id] == nil && !g.cfg.external[shortName(id)] {
		return fmt.Errorf("structure %s is not generated", shortName(id))
	}
	return nil
}

// fieldType is the Go type of a structure member; always reports an output member sent even when empty.
func (g *gen) fieldType(owner *shape, mem *member) (typ string, always bool, err error) {
	input := g.inputs[owner.id]
	always = !input && (required(mem) || hasDefault(mem) || g.cfg.always[owner.name()+"."+mem.name])
	if binding(mem) == "label" {
		typ, err = g.scalarType(mem)
		return typ, true, err
	}
	typ, err = g.valueType(mem)
	if err != nil {
		return "", false, err
	}
	switch g.m.typeOf(mem.target) {
	case "list", "set", "map", "blob", "document":
		return typ, always, nil
	case "structure", "union":
		if input || !always {
			typ = "*" + typ
		}
		return typ, always, nil
	}
	if input || (!always && (typ == "EpochSeconds" || g.cfg.pointer[owner.name()+"."+mem.name])) {
		typ = "*" + typ
	}
	return typ, always, nil
}

// jsonKey is a member's JSON name.
func (g *gen) jsonKey(mem *member) string {
	if n := g.m.stringTrait(mem, tJSONName); n != "" && has(mem.traits, tJSONName) {
		return n
	}
	return mem.name
}

// Documentation.

var htmlTag = regexp.MustCompile(`<[^>]*>`)

// firstSentence is the first sentence of a documentation trait, as plain text.
func firstSentence(doc string) string {
	s := strings.Join(strings.Fields(html.UnescapeString(htmlTag.ReplaceAllString(doc, " "))), " ")
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '.' && s[i+1] == ' ' {
			return s[:i+1]
		}
	}
	return s
}

// comment writes text as // lines of at most width columns.
func comment(b *bytes.Buffer, indent, text string, width int) {
	line := indent + "//"
	for _, w := range strings.Fields(text) {
		if len(line)+1+len(w) > width && line != indent+"//" {
			b.WriteString(line + "\n")
			line = indent + "//"
		}
		line += " " + w
	}
	b.WriteString(line + "\n")
}

func (g *gen) doc(s *shape) string {
	var d string
	if raw, ok := s.traits[tDocumentation]; ok {
		_ = json.Unmarshal(raw, &d)
	}
	return firstSentence(d)
}

// header is the first line of every generated file.
func (g *gen) header() string {
	return fmt.Sprintf("// Code generated by smithygen from %s (%s, version %s). DO NOT EDIT.\n\n", g.m.file,
		g.m.service.namespace(), g.m.service.version)
}

// gofmt formats generated source, reporting it with line numbers when it does not parse.
func gofmt(src []byte) ([]byte, error) {
	out, err := format.Source(src)
	if err != nil {
		var numbered strings.Builder
		for i, l := range strings.Split(string(src), "\n") {
			fmt.Fprintf(&numbered, "%4d %s\n", i+1, l)
		}
		return nil, fmt.Errorf("generated code does not parse: %w\n%s", err, numbered.String())
	}
	return out, nil
}
