package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// checker generates the validation of the operations' inputs.
type checker struct {
	g        *gen
	b        *bytes.Buffer
	helpers  map[string]bool     // structure ids that need a validate<Shape>(c, field, v) function
	enums    map[string][]string // variable name → values
	patterns map[string]string   // pattern → variable name
	inline   []string            // structures being expanded inline (recursion guard)
	depth    int                 // nesting of loops, for variable names
	needMemo map[string]bool
	uses     map[string]bool // imports the code uses
	err      error
}

// path is the name of a member in a failure message: a literal known at generation time, or a Go expression.
type path struct{ lit, expr string }

func (p path) goExpr() string {
	if p.expr != "" {
		return p.expr
	}
	return strconv.Quote(p.lit)
}

func (p path) child(name string) path {
	switch {
	case p.expr != "":
		return path{expr: p.expr + ` + ".` + name + `"`}
	case p.lit == "":
		return path{lit: name}
	}
	return path{lit: p.lit + "." + name}
}

func (p path) suffixed(s string) path {
	if p.expr != "" {
		return path{expr: p.expr + ` + "` + s + `"`}
	}
	return path{lit: p.lit + s}
}

// index is the Go expression of the name of element i of the list p names.
func (p path) index(i string) string {
	if p.expr == "" {
		return fmt.Sprintf("fmt.Sprintf(%q, %s)", p.lit+"[%d]", i)
	}
	return fmt.Sprintf("fmt.Sprintf(\"%%s[%%d]\", %s, %s)", p.expr, i)
}

func (c *checker) line(format string, args ...any) {
	fmt.Fprintf(c.b, format+"\n", args...)
}

// failLine writes a c.Fail call whose message is the member's name followed by msg (a format for args).
func (c *checker) failLine(p path, msg string, args ...string) {
	if p.expr == "" {
		c.line("c.Fail(%s, %s%s)", p.goExpr(), strconv.Quote(strings.ReplaceAll(p.lit, "%", "%%")+" "+msg), joinArgs(args))
		return
	}
	c.line("c.Fail(%s, %s, %s%s)", p.expr, strconv.Quote("%s "+msg), p.expr, joinArgs(args))
}

func joinArgs(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return ", " + strings.Join(args, ", ")
}

func (c *checker) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// checks generates validate<Input>(c, v) for every operation, the helpers they need, and with -dispatch the
// type switches of the generic handler.
func (g *gen) checks(pkg, modulePath string) ([]byte, error) {
	c := &checker{g: g, helpers: map[string]bool{}, enums: map[string][]string{}, patterns: map[string]string{},
		needMemo: map[string]bool{}, uses: map[string]bool{}}
	var body bytes.Buffer
	c.b = &body
	for _, op := range g.ops {
		in := g.m.shape(op.input)
		if in == nil {
			continue
		}
		h, _ := op.http()
		c.b.WriteString("\n")
		comment(c.b, "", fmt.Sprintf("validate%s checks %s %s request (%s %s) against the constraints of the model.",
			in.name(), article(op.name()), op.name(), h.Method, h.URI), 110)
		c.line("func validate%s(c *httpapi.Check, v *wire.%s) {", in.name(), in.name())
		c.inline = []string{in.id}
		c.structure(in, "v", path{})
		c.line("}")
	}
	// Helpers, in name order; generating one may call for more.
	helpers := map[string][]byte{}
	for {
		var next string
		for id := range c.helpers {
			if _, done := helpers[id]; !done && (next == "" || id < next) {
				next = id
			}
		}
		if next == "" {
			break
		}
		var fn bytes.Buffer
		c.b = &fn
		s := g.m.shape(next)
		c.line("\n// validate%s checks the %s structure named field.", s.name(), s.name())
		c.line("func validate%s(c *httpapi.Check, field string, v *wire.%s) {", s.name(), s.name())
		c.inline = []string{next}
		c.structure(s, "v", path{expr: "field"})
		c.line("}")
		helpers[next] = fn.Bytes()
	}
	for _, id := range slices.Sorted(mapsKeys(helpers)) {
		body.Write(helpers[id])
	}
	for _, e := range g.cfg.enums {
		id := g.m.service.namespace() + "#" + e
		c.enum(id, g.m.enumValues(id))
	}
	c.b = &body
	if g.cfg.dispatch != "" {
		c.dispatch()
	}
	if c.err != nil {
		return nil, c.err
	}

	var src bytes.Buffer
	src.WriteString(g.header())
	fmt.Fprintf(&src, "package %s\n\nimport (\n", pkg)
	for _, imp := range []string{"fmt", "maps", "math", "net/url", "regexp", "slices", "strconv"} {
		if c.uses[imp] {
			fmt.Fprintf(&src, "\t%q\n", imp)
		}
	}
	fmt.Fprintf(&src, "\n\t%q\n\t%q\n)\n", modulePath+"/"+g.cfg.checkPkg, modulePath+"/"+g.cfg.wirePkg)
	if len(c.enums) > 0 {
		src.WriteString("\n// The values of the enums the checks use.\nvar (\n")
		for _, name := range slices.Sorted(mapsKeys(c.enums)) {
			fmt.Fprintf(&src, "\t%s = []string{%s}\n", name, quoteAll(c.enums[name]))
		}
		src.WriteString(")\n")
	}
	if len(c.patterns) > 0 {
		src.WriteString("\n// The patterns the checks use.\nvar (\n")
		for _, p := range slices.Sorted(mapsKeys(c.patterns)) {
			fmt.Fprintf(&src, "\t%s = regexp.MustCompile(%q)\n", c.patterns[p], p)
		}
		src.WriteString(")\n")
	}
	src.Write(body.Bytes())
	return gofmt(src.Bytes())
}

// article is "a" or "an" for a word.
func article(w string) string {
	if w != "" && strings.ContainsRune("AEIOU", rune(w[0])) {
		return "an"
	}
	return "a"
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func quoteAll(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

// structure checks the members of the structure s that v (a pointer) points to, in the model's order, path
// labels first: the path is bound before the body is read, and parley has always reported a bad label first.
func (c *checker) structure(s *shape, v string, p path) {
	fields := c.g.fields(s)
	for _, labels := range []bool{true, false} {
		for _, mem := range fields {
			if has(mem.traits, traitExtra) || (binding(mem) == "label") != labels {
				continue
			}
			c.member(s, mem, v+"."+goName(mem.name), p.child(mem.name))
		}
	}
}

// member checks one member of a structure; expr is the field (a pointer, slice or map; a string for a label).
func (c *checker) member(owner *shape, mem *member, expr string, p path) {
	switch binding(mem) {
	case "label":
		c.value(mem, expr, p)
		return
	case "", "query":
	default:
		c.fail(fmt.Errorf("%s.%s: checks of members bound to the HTTP %s are not supported", owner.name(),
			mem.name, binding(mem)))
		return
	}
	req := required(mem)
	if fn, ok := c.g.cfg.custom[owner.name()+"."+mem.name]; ok {
		if req {
			c.line("c.Required(%s, %s != nil)", p.goExpr(), expr)
		}
		c.line("%s(c, %s, %s)", fn, p.goExpr(), expr)
		return
	}
	P := p.goExpr()
	switch kind := c.g.m.typeOf(mem.target); kind {
	case "string", "enum":
		vals, lb, pat := c.g.m.enumValues(mem.target), c.bounds(mem, tLength), c.g.m.stringTrait(mem, tPattern)
		switch {
		case vals != nil:
			c.line("c.Enum(%s, %s, %t, %s...)", P, expr, req, c.enum(mem.target, vals))
		case lb != nil:
			c.line("c.String(%s, %s, %t, %s, %s)", P, expr, req, num(lb.Min, "0"), num(lb.Max, "0"))
		case req:
			c.line("c.Required(%s, %s != nil)", P, expr)
		}
		if vals != nil && lb != nil {
			c.line("c.String(%s, %s, false, %s, %s)", P, expr, num(lb.Min, "0"), num(lb.Max, "0"))
		}
		if pat != "" {
			c.line("if %s != nil && !%s.MatchString(*%s) {", expr, c.pattern(mem, pat), expr)
			c.failLine(p, "must match the pattern "+strings.ReplaceAll(pat, "%", "%%"))
			c.line("}")
		}
	case "integer", "long", "short", "byte", "float", "double":
		typ, _ := c.g.scalarType(mem)
		rb := c.bounds(mem, tRange)
		if typ == "int" && rb != nil {
			// An integer is 32 bits: an open end of its range is the 32-bit limit, which the int field
			// would not enforce otherwise.
			c.line("c.Int(%s, %s, %t, %s, %s)", P, expr, req, num(rb.Min, "math.MinInt32"), num(rb.Max, "math.MaxInt32"))
			c.uses["math"] = c.uses["math"] || rb.Min == nil || rb.Max == nil
			return
		}
		if req {
			c.line("c.Required(%s, %s != nil)", P, expr)
		}
		if rb != nil {
			c.line("if %s != nil {", expr)
			c.rangeCheck("*"+expr, p, rb)
			c.line("}")
		}
	case "structure", "union":
		if req {
			c.line("c.Required(%s, %s != nil)", P, expr)
		}
		if !c.needs(mem.target) {
			return
		}
		if slices.Contains(c.inline, mem.target) {
			c.helpers[mem.target] = true
			c.line("if %s != nil {", expr)
			c.line("validate%s(c, %s, %s)", shortName(mem.target), P, expr)
			c.line("}")
			return
		}
		c.line("if v := %s; v != nil {", expr)
		c.inline = append(c.inline, mem.target)
		c.structure(c.g.m.shape(mem.target), "v", p)
		c.inline = c.inline[:len(c.inline)-1]
		c.line("}")
	case "list", "set", "map":
		if req {
			c.line("c.Required(%s, %s != nil)", P, expr)
		}
		c.collection(mem, expr, p, expr+" != nil")
	default:
		if req {
			c.line("c.Required(%s, %s != nil)", P, expr)
		}
	}
}

// value checks a value that is not a pointer: a path label, a list element, a map key or value.
func (c *checker) value(mem *member, expr string, p path) {
	P := p.goExpr()
	switch kind := c.g.m.typeOf(mem.target); kind {
	case "string", "enum":
		if vals := c.g.m.enumValues(mem.target); vals != nil {
			c.line("c.Enum(%s, &%s, false, %s...)", P, expr, c.enum(mem.target, vals))
		}
		if lb := c.bounds(mem, tLength); lb != nil {
			c.line("c.Len(%s, %s, %s, %s)", P, expr, num(lb.Min, "0"), num(lb.Max, "0"))
		}
		if pat := c.g.m.stringTrait(mem, tPattern); pat != "" {
			c.line("if !%s.MatchString(%s) {", c.pattern(mem, pat), expr)
			c.failLine(p, "must match the pattern "+strings.ReplaceAll(pat, "%", "%%"))
			c.line("}")
		}
	case "integer", "long", "short", "byte", "float", "double":
		if rb := c.bounds(mem, tRange); rb != nil {
			c.rangeCheck(expr, p, rb)
		}
	case "structure", "union":
		if c.needs(mem.target) {
			c.helpers[mem.target] = true
			c.line("validate%s(c, %s, &%s)", shortName(mem.target), P, expr)
		}
	case "list", "set", "map":
		c.collection(mem, expr, p, "")
	}
}

// collection checks a list's or map's size and its elements; present is the condition under which the size is
// checked ("" for always).
func (c *checker) collection(mem *member, expr string, p path, present string) {
	s := c.g.m.shape(mem.target)
	P := p.goExpr()
	unit := "item"
	if s.typ == "map" {
		unit = "entry"
	}
	if lb := c.bounds(mem, tLength); lb != nil {
		cond, msg := sizeRule(lb, unit)
		if present != "" {
			c.line("if %s {", present)
		}
		c.line("if n := len(%s); %s {", expr, cond)
		c.failLine(p, msg, "n")
		c.line("}")
		if present != "" {
			c.line("}")
		}
	}
	c.depth++
	defer func() { c.depth-- }()
	suffix := ""
	if c.depth > 1 {
		suffix = strconv.Itoa(c.depth)
	}
	if s.typ == "map" {
		if !c.needsValue(s.key) && !c.needsValue(s.value) {
			return
		}
		c.uses["maps"], c.uses["slices"] = true, true
		k, f := "k"+suffix, "f"+suffix
		c.line("for _, %s := range slices.Sorted(maps.Keys(%s)) {", k, expr)
		c.value(s.key, k, p.suffixed(" keys"))
		if c.needsValue(s.value) {
			x := "x" + suffix
			c.line("%s, %s := %s[%s], %s + \".\" + %s", x, f, expr, k, P, k)
			c.value(s.value, x, path{expr: f})
		}
		c.line("}")
		return
	}
	if !c.needsValue(s.member) {
		return
	}
	c.uses["fmt"] = true
	i, f := "i"+suffix, "f"+suffix
	c.line("for %s := range %s {", i, expr)
	c.line("%s := %s", f, p.index(i))
	c.value(s.member, expr+"["+i+"]", path{expr: f})
	c.line("}")
}

// sizeRule is the condition that a size n breaks lb, and the message (after the member's name) that says so.
func sizeRule(lb *bounds, unit string) (cond, msg string) {
	plural := func(n string) string {
		if n == "1" {
			return unit
		}
		if unit == "entry" {
			return "entries"
		}
		return unit + "s"
	}
	switch {
	case lb.Min != nil && lb.Max != nil && lb.Min.String() == lb.Max.String():
		return "n != " + lb.Min.String(), fmt.Sprintf("must have exactly %s %s (got %%d)", lb.Min, plural(lb.Min.String()))
	case lb.Min != nil && lb.Max != nil && lb.Min.String() != "0":
		return fmt.Sprintf("n < %s || n > %s", lb.Min, lb.Max),
			fmt.Sprintf("must have %s to %s %s (got %%d)", lb.Min, lb.Max, plural(lb.Max.String()))
	case lb.Max != nil:
		return "n > " + lb.Max.String(), fmt.Sprintf("must have at most %s %s (got %%d)", lb.Max, plural(lb.Max.String()))
	case lb.Min != nil:
		return "n < " + lb.Min.String(), fmt.Sprintf("must have at least %s %s (got %%d)", lb.Min, plural(lb.Min.String()))
	}
	return "false", ""
}

// rangeCheck fails a number outside a @range, with the words of httpapi.Check.Int.
func (c *checker) rangeCheck(expr string, p path, rb *bounds) {
	switch {
	case rb.Min != nil && rb.Max != nil:
		c.line("if x := %s; x < %s || x > %s {", expr, rb.Min, rb.Max)
		c.failLine(p, fmt.Sprintf("must be between %s and %s (got %%v)", rb.Min, rb.Max), "x")
	case rb.Min != nil:
		c.line("if x := %s; x < %s {", expr, rb.Min)
		c.failLine(p, fmt.Sprintf("must be at least %s (got %%v)", rb.Min), "x")
	case rb.Max != nil:
		c.line("if x := %s; x > %s {", expr, rb.Max)
		c.failLine(p, fmt.Sprintf("must be at most %s (got %%v)", rb.Max), "x")
	default:
		return
	}
	c.line("}")
}

func num(n *json.Number, def string) string {
	if n == nil {
		return def
	}
	return n.String()
}

func (c *checker) bounds(mem *member, trait string) *bounds {
	b, err := c.g.m.bounds(mem, trait)
	if err != nil {
		c.fail(err)
	}
	return b
}

// enum returns the variable that holds the values of an enum shape.
func (c *checker) enum(target string, vals []string) string {
	name := "enum" + shortName(target)
	c.enums[name] = vals
	return name
}

// pattern returns the variable of a compiled @pattern. A pattern Go's regexp cannot compile (Smithy patterns
// are ECMA 262: look-arounds, back-references) stops the generator: check such a member by hand (-custom).
func (c *checker) pattern(mem *member, p string) string {
	if name, ok := c.patterns[p]; ok {
		return name
	}
	if _, err := regexp.Compile(p); err != nil {
		c.fail(fmt.Errorf("member %s: pattern %q: %w (check it by hand with -custom)", mem.name, p, err))
	}
	c.uses["regexp"] = true
	name := "pattern" + shortName(mem.target)
	for taken := true; taken; {
		taken = false
		for _, n := range c.patterns {
			if n == name {
				name += "_"
				taken = true
			}
		}
	}
	c.patterns[p] = name
	return name
}

// needs reports whether a structure has anything to check.
func (c *checker) needs(id string) bool {
	if v, ok := c.needMemo[id]; ok {
		return v
	}
	c.needMemo[id] = false // a cycle adds nothing
	s := c.g.m.shape(id)
	need := false
	for _, mem := range c.g.fields(s) {
		if has(mem.traits, traitExtra) {
			continue
		}
		_, custom := c.g.cfg.custom[s.name()+"."+mem.name]
		if custom || (required(mem) && (binding(mem) == "" || binding(mem) == "query")) || c.needsValue(mem) {
			need = true
			break
		}
	}
	c.needMemo[id] = need
	return need
}

// needsValue reports whether a member's value has constraints.
func (c *checker) needsValue(mem *member) bool {
	for _, t := range []string{tLength, tRange, tPattern} {
		if _, ok := c.g.m.trait(mem, t); ok {
			return true
		}
	}
	if c.g.m.enumValues(mem.target) != nil {
		return true
	}
	s := c.g.m.shape(mem.target)
	if s == nil {
		return false
	}
	switch s.typ {
	case "structure", "union":
		return c.needs(s.id)
	case "list", "set":
		return c.needsValue(s.member)
	case "map":
		return c.needsValue(s.key) || c.needsValue(s.value)
	}
	return false
}

var uriLabel = regexp.MustCompile(`\{([^}+]+)\+?\}`)

// dispatch generates the type switches that let one generic handler serve every operation of the directive:
// validate<Name>Input, <name>PathLabels and, when an operation has query members, bind<Name>Query.
func (c *checker) dispatch() {
	name := c.g.cfg.dispatch
	lower := strings.ToLower(name[:1]) + name[1:]
	c.line("\n// validate%sInput runs the generated checks of in, the input of one of the operations above; it reports", name)
	c.line("// false for any other type.")
	c.line("func validate%sInput(c *httpapi.Check, in any) bool {", name)
	c.line("switch v := in.(type) {")
	for _, op := range c.g.ops {
		if in := c.g.m.shape(op.input); in != nil {
			c.line("case *wire.%s:", in.name())
			c.line("validate%s(c, v)", in.name())
		}
	}
	c.line("default:\nreturn false\n}\nreturn true\n}")

	c.line("\n// %sPathLabels returns the members of in that the URI of its operation binds to path labels, in the URI's", lower)
	c.line("// order, for the handler to set and read; nil for an input without labels or of another type.")
	c.line("func %sPathLabels(in any) []*string {", lower)
	c.line("switch v := in.(type) {")
	for _, op := range c.g.ops {
		in := c.g.m.shape(op.input)
		h, _ := op.http()
		var fields []string
		for _, m := range uriLabel.FindAllStringSubmatch(h.URI, -1) {
			mem := findMember(in, m[1])
			if in == nil || mem == nil || binding(mem) != "label" || c.g.m.typeOf(mem.target) != "string" {
				c.fail(fmt.Errorf("%s: label {%s} is not a string member with @httpLabel", op.name(), m[1]))
				continue
			}
			fields = append(fields, "&v."+goName(m[1]))
		}
		if len(fields) > 0 {
			c.line("case *wire.%s:", in.name())
			c.line("return []*string{%s}", strings.Join(fields, ", "))
		}
	}
	c.line("}\nreturn nil\n}")
	c.bindQuery(name)
}

// bindQuery generates bind<Name>Query, which sets the members of an input that its operation binds to the query
// string, one assignment an operation, and the helpers it calls. A number that does not parse fails c, naming
// the member as the other checks do.
func (c *checker) bindQuery(name string) {
	lower := strings.ToLower(name[:1]) + name[1:]
	var cases []string
	helpers := map[string]bool{}
	for _, op := range c.g.ops {
		in := c.g.m.shape(op.input)
		if in == nil {
			continue
		}
		var fields, vals []string
		for _, mem := range in.members {
			if binding(mem) != "query" {
				continue
			}
			key := strconv.Quote(c.g.m.stringTrait(mem, tHTTPQuery))
			fields = append(fields, "v."+goName(mem.name))
			switch typ, _ := c.g.scalarType(mem); {
			case c.g.m.typeOf(mem.target) == "list" && slices.Contains([]string{"string", "enum"},
				c.g.m.typeOf(c.g.m.shape(mem.target).member.target)):
				vals = append(vals, "q["+key+"]")
			case typ == "string":
				helpers["String"] = true
				vals = append(vals, fmt.Sprintf("%sQueryString(q, %s)", lower, key))
			case typ == "int":
				helpers["Int"] = true
				vals = append(vals, fmt.Sprintf("%sQueryInt(c, q, %s, %q)", lower, key, mem.name))
			default:
				c.fail(fmt.Errorf("%s.%s: query members of type %s are not supported", in.name(), mem.name,
					c.g.m.typeOf(mem.target)))
			}
		}
		if len(fields) > 0 {
			cases = append(cases, fmt.Sprintf("case *wire.%s:\n%s = %s", in.name(), strings.Join(fields, ", "),
				strings.Join(vals, ", ")))
		}
	}
	if len(cases) == 0 {
		return
	}
	c.uses["net/url"] = true
	c.line("\n// bind%sQuery sets the members of in that its operation binds to the query string q.", name)
	c.line("func bind%sQuery(c *httpapi.Check, in any, q url.Values) {", name)
	c.line("switch v := in.(type) {\n%s\n}\n}", strings.Join(cases, "\n"))
	if helpers["String"] {
		c.line("\n// %sQueryString is the value of a query member, nil when absent.", lower)
		c.line("func %sQueryString(q url.Values, key string) *string {", lower)
		c.line("if !q.Has(key) {\nreturn nil\n}\ns := q.Get(key)\nreturn &s\n}")
	}
	if helpers["Int"] {
		c.uses["strconv"] = true
		c.line("\n// %sQueryInt is the value of an integer query member, nil when absent; one that does not parse fails", lower)
		c.line("// c, naming the member.")
		c.line("func %sQueryInt(c *httpapi.Check, q url.Values, key, member string) *int {", lower)
		c.line("if !q.Has(key) {\nreturn nil\n}")
		c.line("n, err := strconv.Atoi(q.Get(key))")
		c.line("if err != nil {\nc.Fail(member, \"%%s must be an integer\", member)\n}\nreturn &n\n}")
	}
}

func findMember(s *shape, name string) *member {
	for _, m := range s.members {
		if m.name == name {
			return m
		}
	}
	return nil
}
