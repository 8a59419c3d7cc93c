// Package views describes the views a flow's ShowView action shows: Amazon Connect's AWS managed views (Form,
// Detail, Confirmation, Cards, List), which every instance has and nobody stores, and the references flows and
// the admin API use for any view (an id, or an ARN, with an optional version qualifier).
//
// Connect publishes the names, ARNs and purpose of its managed views but not their content; the Template,
// InputSchema and Actions here are parley's own, shaped as Connect's views are (a JSON template of a Head and a
// Body of components whose properties read the ViewData a flow passes, a JSON Schema of that data, and the
// actions that become the ShowView block's branches). docs/flows.md lists what each view takes and answers.
//
// The package is pure data and functions; everything in it is safe for concurrent use.
package views

import (
	"strconv"
	"strings"

	"github.com/parley-chat/parley"
)

// Managed is an AWS managed view.
type Managed struct {
	// ID is the last segment of its ARN (form, detail, ...), Name what DescribeView answers (Form, Detail, ...).
	ID, Name string
	Content  parley.ViewContent
}

// ManagedVersion is the version of every managed view: Connect has only published version 1 of each.
const ManagedVersion = 1

// ARN returns the view's ARN in a region: managed views belong to the account "aws".
func (m *Managed) ARN(region string) string { return "arn:aws:connect:" + region + ":aws:view/" + m.ID }

var managed = map[string]*Managed{}

func init() {
	for _, m := range []*Managed{form, detail, confirmation, cards, list} {
		managed[m.ID] = m
	}
}

// All returns the managed views in the order ListViews (Type AWS_MANAGED) lists them: by name.
func All() []*Managed { return []*Managed{cards, confirmation, detail, form, list} }

// Ref is a parsed view reference: ARN or id, and the qualifier after a colon (a version number, $LATEST or
// $SAVED; "" when there is none).
type Ref struct {
	// ID is the view's id (for a managed view, its ARN's last segment).
	ID string
	// Managed is the managed view the reference names, nil for a view of the instance.
	Managed *Managed
	// Qualifier is what followed the id: "", "$LATEST", "$SAVED" or a version number.
	Qualifier string
}

// Parse reads a view reference: an id, or a view ARN (arn:aws:connect:<region>:<account>:instance/<i>/view/<id>,
// or arn:aws:connect:<region>:aws:view/<id> for a managed view), either with an optional ":qualifier". It
// reports false for text that is no view reference.
func Parse(ref string) (Ref, bool) {
	ref = strings.TrimSpace(ref)
	var r Ref
	rest := ref
	if strings.HasPrefix(ref, "arn:") {
		// arn:partition:connect:region:account:resource; the resource may itself hold colons (a qualifier).
		parts := strings.SplitN(ref, ":", 6)
		if len(parts) < 6 || parts[2] != "connect" {
			return Ref{}, false
		}
		res := parts[5]
		if parts[4] == "aws" {
			id, ok := strings.CutPrefix(res, "view/")
			if !ok {
				return Ref{}, false
			}
			rest = id
			id, _, _ = strings.Cut(id, ":")
			m, ok := managed[id]
			if !ok {
				return Ref{}, false
			}
			r.Managed = m
		} else {
			i := strings.Index(res, "/view/")
			if !strings.HasPrefix(res, "instance/") || i < 0 {
				return Ref{}, false
			}
			rest = res[i+len("/view/"):]
		}
	}
	r.ID, r.Qualifier, _ = strings.Cut(rest, ":")
	if r.ID == "" || strings.ContainsAny(r.ID, "/:") {
		return Ref{}, false
	}
	if r.Managed == nil {
		r.Managed = managed[r.ID] // "form" alone names the managed view too, as the console's picker does
	}
	switch q := r.Qualifier; {
	case q == "", q == "$LATEST", q == "$SAVED":
	default:
		if n, err := strconv.Atoi(q); err != nil || n < 1 {
			return Ref{}, false
		}
	}
	return r, true
}

// Version returns the qualifier's version number, 0 when it is not a number.
func (r Ref) Version() int {
	n, _ := strconv.Atoi(r.Qualifier)
	return n
}

// TemplateType is the templateType of the interactive message that shows a view in a chat, and of the
// customer's interactive response to it.
const TemplateType = "ViewResource"
