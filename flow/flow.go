package flow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Version is the only version of the Flow Language that exists.
const Version = "2019-10-30"

// Flow is a parsed Flow Language document. Parse builds it; it is not modified afterwards.
type Flow struct {
	Version     string
	StartAction string
	// Metadata is the console's layout and naming data, kept byte for byte and never interpreted.
	Metadata json.RawMessage
	Actions  []Action

	index map[string]int // Identifier -> first position in Actions
}

// Action is one step of a flow.
type Action struct {
	Identifier  string
	Type        string
	Parameters  Params
	Transitions Transitions
}

// Params is an action's Parameters object. Numbers are kept as json.Number, so a value means what was written.
type Params map[string]any

// Transitions says where a flow goes after an action.
type Transitions struct {
	// NextAction is the default branch: taken when the action succeeds and no condition applies.
	NextAction string
	Conditions []Condition
	Errors     []ErrorBranch
}

// Condition is a branch taken when the action's result satisfies Operator with one of Operands.
type Condition struct {
	NextAction string
	Operator   string
	Operands   []string
}

// ErrorBranch is the branch taken when the action fails with ErrorType (NoMatchingError: any other error;
// NoMatchingCondition: a result that no Condition matched).
type ErrorBranch struct {
	NextAction string
	ErrorType  string
}

// Action returns the action with the Identifier id (the first one, should there be several).
func (f *Flow) Action(id string) (*Action, bool) {
	if f.index != nil {
		i, ok := f.index[id]
		if !ok {
			return nil, false
		}
		return &f.Actions[i], true
	}
	for i := range f.Actions {
		if f.Actions[i].Identifier == id {
			return &f.Actions[i], true
		}
	}
	return nil, false
}

// Parse reads a Flow Language document. It checks only that the content is JSON of the document's shape; Validate
// checks the rest. The error is a Problems.
func Parse(content []byte) (*Flow, error) {
	var doc struct {
		Version     scalar
		StartAction scalar
		Metadata    json.RawMessage
		Actions     []struct {
			Identifier  scalar
			Type        scalar
			Parameters  Params
			Transitions struct {
				NextAction scalar
				Conditions []struct {
					NextAction scalar
					Condition  struct {
						Operator scalar
						Operands []scalar
					}
				}
				Errors []struct {
					NextAction scalar
					ErrorType  scalar
				}
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(content))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, Problems{{Message: "The flow content is not valid JSON of the Flow Language: " + jsonError(err)}}
	}
	if dec.More() {
		return nil, Problems{{Message: "The flow content is not valid JSON: data after the document."}}
	}
	f := &Flow{
		Version:     string(doc.Version),
		StartAction: string(doc.StartAction),
		Metadata:    doc.Metadata,
		Actions:     make([]Action, len(doc.Actions)),
		index:       make(map[string]int, len(doc.Actions)),
	}
	for i, d := range doc.Actions {
		a := Action{
			Identifier: string(d.Identifier),
			Type:       string(d.Type),
			Parameters: d.Parameters,
			Transitions: Transitions{
				NextAction: string(d.Transitions.NextAction),
			},
		}
		for _, c := range d.Transitions.Conditions {
			ops := make([]string, len(c.Condition.Operands))
			for j, o := range c.Condition.Operands {
				ops[j] = string(o)
			}
			a.Transitions.Conditions = append(a.Transitions.Conditions,
				Condition{NextAction: string(c.NextAction), Operator: string(c.Condition.Operator), Operands: ops})
		}
		for _, e := range d.Transitions.Errors {
			a.Transitions.Errors = append(a.Transitions.Errors,
				ErrorBranch{NextAction: string(e.NextAction), ErrorType: string(e.ErrorType)})
		}
		f.Actions[i] = a
		if _, dup := f.index[a.Identifier]; !dup {
			f.index[a.Identifier] = i
		}
	}
	return f, nil
}

// jsonError words a decoding error without Go type names.
func jsonError(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("%s (at byte %d).", strings.TrimPrefix(se.Error(), "json: "), se.Offset)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "the document"
		}
		return fmt.Sprintf("%s has the wrong type (%s).", field, te.Value)
	}
	return strings.TrimPrefix(err.Error(), "json: ") + "."
}

// scalar is a string in the document that exports sometimes write as a number or a boolean.
type scalar string

func (s *scalar) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = scalar(v)
		return nil
	}
	switch string(b) {
	case "null":
		*s = ""
		return nil
	case "true", "false":
		*s = scalar(b)
		return nil
	}
	if _, err := strconv.ParseFloat(string(b), 64); err == nil {
		*s = scalar(b)
		return nil
	}
	return &json.UnmarshalTypeError{Value: "non-scalar value " + truncate(string(b), 20)}
}

// UnmarshalJSON accepts an object or null (no parameters).
func (p *Params) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*p = nil
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return &json.UnmarshalTypeError{Value: "Parameters that are not an object", Field: "Parameters"}
	}
	*p = m
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// text returns a scalar parameter as a string ("" when absent or not a scalar).
func (p Params) text(key string) string {
	s, _ := scalarText(p[key])
	return s
}

// has reports whether the parameter is present and not empty.
func (p Params) has(key string) bool {
	v, ok := p[key]
	if !ok || v == nil {
		return false
	}
	s, isScalar := scalarText(v)
	return !isScalar || s != ""
}

// object returns an object-valued parameter.
func (p Params) object(key string) map[string]any {
	m, _ := p[key].(map[string]any)
	return m
}

// scalarText formats a JSON scalar (string, json.Number, float64, bool) as the text Connect sees.
func scalarText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case nil:
		return "", true
	}
	return "", false
}
