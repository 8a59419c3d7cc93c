package views

import (
	"encoding/json"
	"testing"
)

func TestManagedContentIsJSON(t *testing.T) {
	for _, m := range All() {
		for what, s := range map[string]string{"Template": m.Content.Template, "InputSchema": m.Content.InputSchema} {
			if !json.Valid([]byte(s)) {
				t.Errorf("%s: %s is not JSON", m.Name, what)
			}
		}
		if len(m.Content.Actions) == 0 {
			t.Errorf("%s: no actions", m.Name)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		ref           string
		id, qualifier string
		managed, ok   bool
	}{
		{"arn:aws:connect:us-west-2:aws:view/form", "form", "", true, true},
		{"arn:aws:connect:us-west-2:aws:view/form:1", "form", "1", true, true},
		{"form", "form", "", true, true},
		{"arn:aws:connect:us-west-2:000000000000:instance/i-1/view/v-1:$SAVED", "v-1", "$SAVED", false, true},
		{"v-1:2", "v-1", "2", false, true},
		{"v-1:$LATEST", "v-1", "$LATEST", false, true},
		{"arn:aws:connect:us-west-2:aws:view/nope", "", "", false, false},
		{"arn:aws:connect:us-west-2:000000000000:instance/i-1/queue/q-1", "", "", false, false},
		{"v-1:0", "", "", false, false},
		{"v-1:$OTHER", "", "", false, false},
		{"", "", "", false, false},
	}
	for _, tt := range tests {
		r, ok := Parse(tt.ref)
		if ok != tt.ok || r.ID != tt.id || r.Qualifier != tt.qualifier || (r.Managed != nil) != tt.managed {
			t.Errorf("Parse(%q) = %+v, %v; want id %q qualifier %q managed %v ok %v", tt.ref, r, ok, tt.id,
				tt.qualifier, tt.managed, tt.ok)
		}
	}
}
