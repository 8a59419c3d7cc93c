package admin

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley"
)

// TestApplyFlowQuickConnect: a quick connect with only contact_flow is a FLOW quick connect; the flow is found
// by name, id or ARN, and an unknown flow is an error naming the entry.
func TestApplyFlowQuickConnect(t *testing.T) {
	e := newEnv(t, Config{NoDemoAgent: true})
	ctx := t.Context()
	fl := &parley.ContactFlow{ID: "flow-1", InstanceID: e.inst.ID, ARN: e.inst.ARN + "/contact-flow/flow-1",
		Name: "Sample", Type: "CONTACT_FLOW", Content: "{}"}
	if err := e.store.Update(ctx, func(tx parley.Tx) error { return tx.PutContactFlow(ctx, fl) }); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"Sample", "flow-1", fl.ARN} {
		t.Run(ref, func(t *testing.T) {
			f := parse(t, "quick_connects:\n  - name: F\n    contact_flow: "+ref+"\n", nil)
			if _, err := e.svc.Apply(ctx, e.inst.ID, f); err != nil {
				t.Fatalf("Apply: %v", err)
			}
			qcs, err := e.svc.ListQuickConnects(ctx, e.inst.ID, nil)
			if err != nil || len(qcs) != 1 {
				t.Fatalf("ListQuickConnects = %v, %v; want one", qcs, err)
			}
			if got := qcs[0]; got.Type != QuickConnectFlow || got.ContactFlowID != fl.ID {
				t.Errorf("quick connect = %s %q, want %s %q", got.Type, got.ContactFlowID, QuickConnectFlow, fl.ID)
			}
		})
	}
	f := parse(t, "quick_connects:\n  - name: G\n    contact_flow: Nope\n", nil)
	_, err := e.svc.Apply(ctx, e.inst.ID, f)
	if want := `quick_connects[0] "G"`; err == nil || !strings.Contains(err.Error(), want) ||
		!parley.IsCode(err, parley.ENOTFOUND) {
		t.Errorf("Apply with an unknown flow: %v, want ENOTFOUND mentioning %s", err, want)
	}
}
