package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// operations generates the table of every operation of the model: its name, HTTP method and URI pattern, so
// that a router can tell an operation it does not serve from a request that is no operation at all. The
// package declares the element type, modelOperation{name, method, uri string}, by hand.
func (g *gen) operations(pkg string) ([]byte, error) {
	var ops []*shape
	for _, s := range g.m.shapes {
		if s.typ == "operation" && s.namespace() == g.m.service.namespace() {
			if _, err := s.http(); err == nil {
				ops = append(ops, s)
			}
		}
	}
	slices.SortFunc(ops, func(a, b *shape) int { return strings.Compare(a.name(), b.name()) })
	var src bytes.Buffer
	src.WriteString(g.header())
	fmt.Fprintf(&src, "package %s\n\n", pkg)
	fmt.Fprintf(&src, "// modelOperations are the %d operations of the model (their @http traits), labels in braces.\n", len(ops))
	src.WriteString("var modelOperations = [...]modelOperation{\n")
	for _, op := range ops {
		h, _ := op.http()
		fmt.Fprintf(&src, "\t{%q, %q, %q},\n", op.name(), h.Method, h.URI)
	}
	src.WriteString("}\n")
	return gofmt(src.Bytes())
}
