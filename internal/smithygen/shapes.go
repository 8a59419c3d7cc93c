package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// shapes generates the Go structs of the operations' inputs and outputs and of every structure they reach, and
// a constant with each operation's URI.
func (g *gen) shapes(pkg string) ([]byte, error) {
	var body bytes.Buffer
	pathConstants(&body, "The URIs of the operations (their @http traits), labels in braces.", g.ops)
	pathConstants(&body, "The URIs of operations whose shapes are not generated, labels in braces.", g.paths)

	ids := make([]string, 0, len(g.structs))
	for id := range g.structs {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int { return strings.Compare(shortName(a), shortName(b)) })
	usesJSON := false
	for _, id := range ids {
		s := g.structs[id]
		body.WriteString("\n")
		if op := g.opOf[id]; op != nil {
			h, _ := op.http()
			io := "output"
			if op.input == id {
				io = "input"
			}
			fmt.Fprintf(&body, "// %s is the %s of %s (%s %s).\n", s.name(), io, op.name(), h.Method, h.URI)
		} else {
			comment(&body, "", fmt.Sprintf("%s is a %s of the %s model.", s.name(), s.typ, g.m.service.namespace()), 110)
			if d := g.doc(s); d != "" {
				body.WriteString("//\n")
				comment(&body, "", d, 110)
			}
		}
		fields := g.fields(s)
		if len(fields) == 0 && len(headerMembers(s)) == 0 {
			fmt.Fprintf(&body, "type %s struct{}\n", s.name())
			continue
		}
		fmt.Fprintf(&body, "type %s struct {\n", s.name())
		for _, mem := range fields {
			typ, always, err := g.fieldType(s, mem)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.name(), err)
			}
			usesJSON = usesJSON || strings.Contains(typ, "json.")
			tag := g.jsonKey(mem)
			switch {
			case binding(mem) == "label", binding(mem) == "query":
				tag = "-"
			case binding(mem) != "":
				return nil, fmt.Errorf("%s.%s: members bound to the HTTP %s are not supported", s.name(), mem.name,
					binding(mem))
			case !always:
				tag += ",omitempty"
			}
			fmt.Fprintf(&body, "\t%s %s `json:%q`", goName(mem.name), typ, tag)
			if note := g.note(s, mem, always); note != "" {
				body.WriteString(" // " + note)
			}
			body.WriteString("\n")
		}
		for _, mem := range headerMembers(s) {
			fmt.Fprintf(&body, "\t// %s is sent in the %s header.\n", mem.name, g.m.stringTrait(mem, tHTTPHeader))
		}
		body.WriteString("}\n")
	}

	var src bytes.Buffer
	src.WriteString(g.header())
	fmt.Fprintf(&src, "package %s\n\n", pkg)
	if usesJSON {
		src.WriteString("import \"encoding/json\"\n\n")
	}
	src.Write(body.Bytes())
	return gofmt(src.Bytes())
}

// pathConstants writes a Path<Operation> constant with the URI of each operation.
func pathConstants(body *bytes.Buffer, doc string, ops []*shape) {
	if len(ops) == 0 {
		return
	}
	fmt.Fprintf(body, "\n// %s\nconst (\n", doc)
	for _, op := range ops {
		h, _ := op.http()
		fmt.Fprintf(body, "\t// Path%s is the URI of %s (%s).\n\tPath%s = %q\n", op.name(), op.name(), h.Method,
			op.name(), h.URI)
	}
	body.WriteString(")\n")
}

// note is the comment of a generated field: the model's constraints of an input member, so that they can be
// read where the field is; for an output, whether it is sent when empty.
func (g *gen) note(owner *shape, mem *member, always bool) string {
	var parts []string
	if has(mem.traits, traitExtra) {
		parts = append(parts, "not in the model")
	}
	if !g.inputs[owner.id] {
		if always && !required(mem) && !hasDefault(mem) {
			parts = append(parts, "sent even when empty")
		}
		return strings.Join(parts, "; ")
	}
	switch binding(mem) {
	case "label":
		parts = append(parts, "path label")
	case "query":
		parts = append(parts, "query "+g.m.stringTrait(mem, tHTTPQuery))
	}
	if required(mem) {
		parts = append(parts, "required")
	}
	if b, _ := g.m.bounds(mem, tLength); b != nil {
		parts = append(parts, "length "+rangeText(b))
	}
	if b, _ := g.m.bounds(mem, tRange); b != nil {
		parts = append(parts, "range "+rangeText(b))
	}
	if vals := g.m.enumValues(mem.target); vals != nil {
		parts = append(parts, "one of "+strings.Join(vals, ", "))
	}
	if p := g.m.stringTrait(mem, tPattern); p != "" {
		parts = append(parts, "pattern "+p)
	}
	if _, ok := g.cfg.custom[owner.name()+"."+mem.name]; ok {
		parts = append(parts, "and rules checked by hand")
	}
	return strings.Join(parts, "; ")
}

func rangeText(b *bounds) string {
	lo, hi := "", ""
	if b.Min != nil {
		lo = b.Min.String()
	}
	if b.Max != nil {
		hi = b.Max.String()
	}
	return lo + ".." + hi
}
