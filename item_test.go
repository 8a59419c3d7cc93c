package parley_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/parley-chat/parley"
)

// TestItemCloneSharesNothing: a clone equals its item, and changing what the clone's slices and pointers hold
// leaves the item alone. A new reference field on Item fails the test until Clone copies it.
func TestItemCloneSharesNothing(t *testing.T) {
	copied := map[string]bool{"Attachments": true, "Receipt": true, "Receipts": true}
	typ := reflect.TypeFor[parley.Item]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		switch f.Type.Kind() {
		case reflect.Slice, reflect.Pointer, reflect.Map, reflect.Interface, reflect.Chan, reflect.Func:
			if !copied[f.Name] {
				t.Errorf("Item.%s is a reference the test does not know: make Clone copy it, then list it here", f.Name)
			}
		}
	}
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	it := &parley.Item{ChainID: "c", ContactID: "c", Seq: 3, ID: "i", Type: parley.ItemMessage, Content: "hi",
		Time:        at,
		Attachments: []parley.Attachment{{ID: "a", Name: "a.pdf"}},
		Receipt:     &parley.Receipt{MessageID: "m", DeliveredAt: at},
		Receipts:    []parley.Receipt{{MessageID: "m", ReadAt: at}},
	}
	cp := it.Clone()
	if !reflect.DeepEqual(cp, it) {
		t.Fatalf("Clone() = %+v, want %+v", cp, it)
	}
	cp.Attachments[0].Name = "changed"
	cp.Receipt.MessageID = "changed"
	cp.Receipts[0].MessageID = "changed"
	if it.Attachments[0].Name != "a.pdf" || it.Receipt.MessageID != "m" || it.Receipts[0].MessageID != "m" {
		t.Errorf("changing the clone changed the item: %+v", it)
	}
}
