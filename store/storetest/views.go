package storetest

import (
	"testing"

	"github.com/parley-chat/parley"
)

func testView(t *testing.T, s parley.Store) {
	ctx := t.Context()
	seedInstances(t, s, "i-1")
	content := parley.ViewContent{Template: `{"Head":{"Title":"t"}}`, InputSchema: `{"type":"object"}`,
		Actions: []string{"Next", "Cancel"}}
	saved := &parley.View{ID: "v-1", InstanceID: "i-1", ARN: "arn:v-1", Name: "Survey", Status: parley.ViewSaved,
		Content: content, CreatedAt: ms(base), UpdatedAt: ms(base)}
	published := &parley.View{ID: "v-2", InstanceID: "i-1", ARN: "arn:v-2", Name: "Address", Description: "where",
		Status: parley.ViewPublished, Content: content, Published: &content, Tags: map[string]string{"team": "a"},
		Versions:  []parley.ViewVersion{{Version: 1, Description: "first", Content: content, CreatedAt: ms(base)}},
		CreatedAt: ms(base), UpdatedAt: ms(base)}
	put := func(tx parley.Tx, v *parley.View) error { return tx.PutView(ctx, v) }
	putAll(t, s, put, saved, published)

	for _, want := range []*parley.View{saved, published} {
		got, err := s.GetView(ctx, want.ID)
		must(t, "GetView", err)
		diff(t, "GetView "+want.ID, want, got)
	}
	list, err := s.ListViews(ctx, "i-1")
	must(t, "ListViews", err)
	diff(t, "ListViews (by name)", []*parley.View{published, saved}, list)

	err = s.Update(ctx, func(tx parley.Tx) error {
		return put(tx, &parley.View{ID: "v-3", InstanceID: "i-1", ARN: "arn:v-3", Name: "Survey", CreatedAt: base})
	})
	wantCode(t, "PutView with an existing name", err, parley.ECONFLICT)

	update(t, s, func(tx parley.Tx) error { return tx.DeleteView(ctx, "v-1") })
	_, err = s.GetView(ctx, "v-1")
	wantNotFound(t, "GetView after DeleteView", err, "VIEW")
	err = s.Update(ctx, func(tx parley.Tx) error { return tx.DeleteView(ctx, "v-1") })
	wantNotFound(t, "DeleteView of a missing view", err, "VIEW")
}
