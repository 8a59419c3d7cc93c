package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/parley-chat/parley"
)

// wantLastSeq checks a chain's LastSeq.
func wantLastSeq(t testing.TB, r parley.Reader, chainID string, want int64) {
	t.Helper()
	got, err := r.LastSeq(t.Context(), chainID)
	// Not fatal: this also runs inside Update's fn, which may be on another goroutine.
	if err != nil {
		t.Errorf("LastSeq(%s): %v", chainID, err)
	} else if got != want {
		t.Errorf("LastSeq(%s) = %d, want %d", chainID, got, want)
	}
}

func testItemSeqPerChain(t *testing.T, s parley.Store) {
	ctx := t.Context()
	wantLastSeq(t, s, "chain-a", 0)
	// Interleaved appends to two chains, some in one Update.
	a1, b1, a2 := newItem("chain-a", "a1"), newItem("chain-b", "b1"), newItem("chain-a", "a2")
	appendItems(t, s, a1, b1, a2)
	a3, b2 := newItem("chain-a", "a3"), newItem("chain-b", "b2")
	update(t, s, func(tx parley.Tx) error {
		if err := tx.AppendItem(ctx, a3); err != nil {
			return err
		}
		return tx.AppendItem(ctx, b2)
	})
	for _, c := range []struct {
		it   *parley.Item
		want int64
	}{{a1, 1}, {a2, 2}, {a3, 3}, {b1, 1}, {b2, 2}} {
		if c.it.Seq != c.want {
			t.Errorf("item %s: Seq = %d, want %d", c.it.ID, c.it.Seq, c.want)
		}
	}
	wantLastSeq(t, s, "chain-a", 3)
	wantLastSeq(t, s, "chain-b", 2)
	wantLastSeq(t, s, "chain-c", 0)

	got, err := s.ListItems(ctx, parley.ItemQuery{ChainID: "chain-a"})
	must(t, "ListItems", err)
	diff(t, "ListItems chain-a", []*parley.Item{stored(a1), stored(a2), stored(a3)}, got)
	got, err = s.ListItems(ctx, parley.ItemQuery{ChainID: "chain-b"})
	must(t, "ListItems", err)
	diff(t, "ListItems chain-b", []*parley.Item{stored(b1), stored(b2)}, got)

	// A Seq set by the caller is ignored: the store assigns the next one.
	a4 := newItem("chain-a", "a4")
	a4.Seq = 42
	appendItems(t, s, a4)
	if a4.Seq != 4 {
		t.Errorf("AppendItem with a preset Seq: got Seq %d, want 4", a4.Seq)
	}
}

func testItemRoundTrip(t *testing.T, s parley.Store) {
	ctx := t.Context()
	_, err := s.GetItem(ctx, "missing")
	wantNotFound(t, "GetItem of a missing item", err, "ITEM")

	msg := newItem("chain-1", "m-1")
	msg.ContactID = "contact-2" // a later contact of the chain
	msg.Content = "ünïcödé ✓ \"quotes\" \\ and\nnewlines"
	msg.ContentType = parley.ContentTextMarkdown
	msg.ClientToken = "message:tok-1"
	msg.Time = base.Add(123456 * time.Nanosecond)

	att := newItem("chain-1", "att-1")
	att.Type = parley.ItemAttachment
	att.Content = ""
	att.ContentType = ""
	att.Role = parley.RoleAgent
	att.ParticipantID = "p-agent"
	att.DisplayName = "Agent"
	att.Attachments = []parley.Attachment{
		{ID: "a-1", Name: "photo.png", ContentType: "image/png", Status: "APPROVED"},
		{ID: "a-2", Name: "notes.txt", ContentType: "text/plain", Status: "IN_PROGRESS"},
	}

	ev := newItem("chain-1", "ev-1")
	ev.Type = parley.ItemEvent
	ev.ContentType = parley.EventChatEnded
	ev.Content = ""
	ev.Role = parley.RoleSystem
	ev.ParticipantID = ""
	ev.DisplayName = ""
	ev.Recipient = "p-left"

	typing := newItem("chain-1", "ty-1")
	typing.Type = parley.ItemEvent
	typing.ContentType = parley.EventTyping
	typing.Content = ""
	typing.Transient = true

	md := newItem("chain-1", "md-1")
	md.Type = parley.ItemMessageMetadata
	md.ContentType = parley.EventMessageMetadata
	md.Content = ""
	md.Transient = true
	md.Receipt = &parley.Receipt{
		MessageID:   "m-1",
		MessageSeq:  1,
		Recipient:   "p-agent",
		DeliveredAt: base.Add(time.Second + 500*time.Microsecond),
		ReadAt:      base.Add(2 * time.Second),
	}

	all := appendItems(t, s, msg, att, ev, typing, md)
	for i, it := range all {
		if it.Seq != int64(i+1) {
			t.Errorf("item %s: Seq = %d, want %d", it.ID, it.Seq, i+1)
		}
		got, err := s.GetItem(ctx, it.ID)
		must(t, "GetItem", err)
		diff(t, "GetItem "+it.ID, stored(it), got)
	}
	got, err := s.ListItems(ctx, parley.ItemQuery{ChainID: "chain-1"})
	must(t, "ListItems", err)
	want := make([]*parley.Item, len(all))
	for i, it := range all {
		want[i] = stored(it)
	}
	diff(t, "ListItems", want, got)

	byToken, err := s.ItemByClientToken(ctx, msg.ChainID, msg.ParticipantID, msg.ClientToken)
	must(t, "ItemByClientToken", err)
	diff(t, "ItemByClientToken", stored(msg), byToken)
}

func testItemDuplicateID(t *testing.T, s parley.Store) {
	ctx := t.Context()
	first := newItem("chain-1", "dup")
	appendItems(t, s, first)

	for _, chain := range []string{"chain-1", "chain-2"} {
		dup := newItem(chain, "dup")
		dup.Content = "second"
		err := s.Update(ctx, func(tx parley.Tx) error { return tx.AppendItem(ctx, dup) })
		wantCode(t, "AppendItem of an existing Id in "+chain, err, parley.ECONFLICT)
		if dup.Seq != 0 {
			t.Errorf("AppendItem that conflicted set Seq to %d, want it unchanged (0)", dup.Seq)
		}
	}
	wantLastSeq(t, s, "chain-1", 1)
	wantLastSeq(t, s, "chain-2", 0)
	got, err := s.GetItem(ctx, "dup")
	must(t, "GetItem", err)
	diff(t, "item after conflicting appends", stored(first), got)

	// The conflicts consumed no sequence numbers.
	next := newItem("chain-1", "next")
	appendItems(t, s, next)
	if next.Seq != 2 {
		t.Errorf("append after conflicts: Seq = %d, want 2", next.Seq)
	}
	other := newItem("chain-2", "other")
	appendItems(t, s, other)
	if other.Seq != 1 {
		t.Errorf("append to another chain after conflicts: Seq = %d, want 1", other.Seq)
	}
}

func testItemClientToken(t *testing.T, s parley.Store) {
	ctx := t.Context()
	first := newItem("chain-1", "i-1")
	first.ParticipantID, first.ClientToken = "p-1", "message:tok"
	appendItems(t, s, first)

	// The same token by the same participant conflicts, and stores nothing, however often it is retried.
	for i := range 2 {
		again := newItem("chain-1", fmt.Sprintf("i-again-%d", i))
		again.ParticipantID, again.ClientToken = "p-1", "message:tok"
		err := s.Update(ctx, func(tx parley.Tx) error { return tx.AppendItem(ctx, again) })
		wantCode(t, "AppendItem with a reused ClientToken", err, parley.ECONFLICT)
		_, err = s.GetItem(ctx, again.ID)
		wantNotFound(t, "GetItem of an item whose append conflicted", err, "ITEM")
	}
	wantLastSeq(t, s, "chain-1", 1)

	// The same token by another participant is another request.
	otherP := newItem("chain-1", "i-2")
	otherP.ParticipantID, otherP.ClientToken = "p-2", "message:tok"
	// Another token (the caller scopes tokens, e.g. by operation) by the same participant is fine.
	otherScope := newItem("chain-1", "i-3")
	otherScope.ParticipantID, otherScope.ClientToken = "p-1", "event:tok"
	appendItems(t, s, otherP, otherScope)
	if otherP.Seq != 2 || otherScope.Seq != 3 {
		t.Errorf("Seqs after distinct tokens: got %d, %d, want 2, 3", otherP.Seq, otherScope.Seq)
	}

	// An empty token never conflicts.
	var empties []*parley.Item
	for i := range 3 {
		it := newItem("chain-1", fmt.Sprintf("no-token-%d", i))
		it.ParticipantID = "p-1"
		empties = append(empties, it)
	}
	appendItems(t, s, empties...)
	wantLastSeq(t, s, "chain-1", 6)

	for _, c := range []struct{ participant, token, wantID string }{
		{"p-1", "message:tok", "i-1"},
		{"p-2", "message:tok", "i-2"},
		{"p-1", "event:tok", "i-3"},
	} {
		got, err := s.ItemByClientToken(ctx, "chain-1", c.participant, c.token)
		must(t, "ItemByClientToken", err)
		if got.ID != c.wantID {
			t.Errorf("ItemByClientToken(%s, %s) = item %s, want %s", c.participant, c.token, got.ID, c.wantID)
		}
	}
	if _, err := s.ItemByClientToken(ctx, "chain-2", "p-1", "message:tok"); !parley.IsCode(err, parley.ENOTFOUND) {
		t.Errorf("ItemByClientToken in a chain without the item: got %v, want ENOTFOUND", err)
	}
	for _, c := range []struct{ participant, token string }{
		{"p-3", "message:tok"},
		{"p-1", "message:other"},
		{"p-1", ""}, // items without a token are not found by the empty token
	} {
		_, err := s.ItemByClientToken(ctx, "chain-1", c.participant, c.token)
		wantNotFound(t, fmt.Sprintf("ItemByClientToken(%q, %q)", c.participant, c.token), err, "ITEM")
	}
}

func testListItems(t *testing.T, s parley.Store) {
	ctx := t.Context()
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }
	mk := func(id string, typ parley.ItemType, ct string, sec int, mod func(*parley.Item)) *parley.Item {
		it := newItem("chain-L", id)
		it.Type, it.ContentType, it.Time = typ, ct, at(sec)
		if mod != nil {
			mod(it)
		}
		return it
	}
	items := []*parley.Item{
		mk("1-msg", parley.ItemMessage, parley.ContentTextPlain, 0, nil),
		mk("2-typing", parley.ItemEvent, parley.EventTyping, 1, func(it *parley.Item) { it.Transient = true }),
		mk("3-msg", parley.ItemMessage, parley.ContentTextPlain, 2, nil),
		mk("4-meta", parley.ItemMessageMetadata, parley.EventMessageMetadata, 3, func(it *parley.Item) {
			it.Receipt = &parley.Receipt{MessageID: "1-msg", MessageSeq: 1, Recipient: "p-2", ReadAt: at(3)}
		}),
		mk("5-ended-for-p2", parley.ItemEvent, parley.EventChatEnded, 4, func(it *parley.Item) { it.Recipient = "p-2" }),
		mk("6-msg", parley.ItemMessage, parley.ContentTextPlain, 5, nil),
		mk("7-att-for-p1", parley.ItemAttachment, "", 6, func(it *parley.Item) { it.Recipient = "p-1" }),
		mk("8-msg", parley.ItemMessage, parley.ContentTextPlain, 7, nil),
	}
	// Items of another chain interleaved, which no query of chain-L may return.
	for i, it := range items {
		appendItems(t, s, it)
		noise := newItem("chain-other", fmt.Sprintf("noise-%d", i))
		noise.Time = it.Time
		appendItems(t, s, noise)
	}

	type Q = parley.ItemQuery
	const L = "chain-L"
	tests := []struct {
		name string
		q    Q
		want []int64
	}{
		{"all", Q{ChainID: L}, []int64{1, 2, 3, 4, 5, 6, 7, 8}},
		{"after", Q{ChainID: L, AfterSeq: 3}, []int64{4, 5, 6, 7, 8}},
		{"before", Q{ChainID: L, BeforeSeq: 5}, []int64{1, 2, 3, 4}},
		{"after and before", Q{ChainID: L, AfterSeq: 2, BeforeSeq: 6}, []int64{3, 4, 5}},
		{"after the last", Q{ChainID: L, AfterSeq: 8}, nil},
		{"limit", Q{ChainID: L, Limit: 3}, []int64{1, 2, 3}},
		{"after with limit", Q{ChainID: L, AfterSeq: 2, Limit: 2}, []int64{3, 4}},
		{"limit above count", Q{ChainID: L, AfterSeq: 6, Limit: 10}, []int64{7, 8}},
		{"descending", Q{ChainID: L, Descending: true}, []int64{8, 7, 6, 5, 4, 3, 2, 1}},
		{"descending before", Q{ChainID: L, Descending: true, BeforeSeq: 5}, []int64{4, 3, 2, 1}},
		{"descending after", Q{ChainID: L, Descending: true, AfterSeq: 5}, []int64{8, 7, 6}},
		{"descending between", Q{ChainID: L, Descending: true, AfterSeq: 2, BeforeSeq: 7}, []int64{6, 5, 4, 3}},
		{"descending limit", Q{ChainID: L, Descending: true, Limit: 3}, []int64{8, 7, 6}},
		{"descending before with limit", Q{ChainID: L, Descending: true, BeforeSeq: 6, Limit: 2}, []int64{5, 4}},
		{"transcript", Q{ChainID: L, Transcript: true}, []int64{1, 3, 5, 6, 7, 8}},
		{"transcript descending with limit", Q{ChainID: L, Transcript: true, Descending: true, BeforeSeq: 7, Limit: 3}, []int64{6, 5, 3}},
		{"viewer p-1", Q{ChainID: L, Viewer: "p-1"}, []int64{1, 2, 3, 4, 6, 7, 8}},
		{"viewer p-2", Q{ChainID: L, Viewer: "p-2"}, []int64{1, 2, 3, 4, 5, 6, 8}},
		{"viewer p-3", Q{ChainID: L, Viewer: "p-3"}, []int64{1, 2, 3, 4, 6, 8}},
		{"transcript for viewer p-1", Q{ChainID: L, Transcript: true, Viewer: "p-1"}, []int64{1, 3, 6, 7, 8}},
		{"since time", Q{ChainID: L, SinceTime: at(2)}, []int64{3, 4, 5, 6, 7, 8}},
		{"since time descending", Q{ChainID: L, SinceTime: at(2), Descending: true}, []int64{3, 2, 1}},
		{"since time between items", Q{ChainID: L, SinceTime: at(2).Add(500 * time.Millisecond)}, []int64{4, 5, 6, 7, 8}},
		{"since time transcript with limit", Q{ChainID: L, SinceTime: at(1), Transcript: true, Limit: 3}, []int64{3, 5, 6}},
		{"since time descending transcript with limit", Q{ChainID: L, SinceTime: at(5), Transcript: true, Descending: true, Limit: 2}, []int64{6, 5}},
		{"since time and after", Q{ChainID: L, SinceTime: at(1), AfterSeq: 4, Limit: 2}, []int64{5, 6}},
		{"since time in another zone", Q{ChainID: L, SinceTime: at(6).In(time.FixedZone("X", -7*3600))}, []int64{7, 8}},
		{"missing chain", Q{ChainID: "chain-missing"}, nil},
	}
	for _, tc := range tests {
		got, err := s.ListItems(ctx, tc.q)
		if err != nil {
			t.Errorf("%s: ListItems(%+v): %v", tc.name, tc.q, err)
			continue
		}
		for _, it := range got {
			if it.ChainID != L {
				t.Errorf("%s: got item %s of chain %s", tc.name, it.ID, it.ChainID)
			}
		}
		diff(t, tc.name+": Seqs", tc.want, seqs(got))
	}

	// The items come back whole, not just their Seqs.
	got, err := s.ListItems(ctx, Q{ChainID: L, AfterSeq: 3, BeforeSeq: 6})
	must(t, "ListItems", err)
	diff(t, "ListItems items", []*parley.Item{stored(items[3]), stored(items[4])}, got)
}

func testReceipts(t *testing.T, s parley.Store) {
	ctx := t.Context()
	receipt := func(chain, id string, r parley.Receipt) *parley.Item {
		it := newItem(chain, id)
		it.Type, it.ContentType, it.Content = parley.ItemMessageMetadata, parley.EventMessageMetadata, ""
		it.Transient = true
		it.Receipt = &r
		return it
	}
	d := func(sec int) time.Time { return base.Add(time.Duration(sec)*time.Second + 250*time.Microsecond) }
	m1, m2 := newItem("chain-R", "m1"), newItem("chain-R", "m2") // Seq 1, 2
	// Receipts recorded out of message order: "oldest first" is the order they were recorded in.
	r2 := parley.Receipt{MessageID: "m2", MessageSeq: 2, Recipient: "p-agent", DeliveredAt: d(1)}
	r1 := parley.Receipt{MessageID: "m1", MessageSeq: 1, Recipient: "p-bot", DeliveredAt: d(2), ReadAt: d(3)}
	r2read := parley.Receipt{MessageID: "m2", MessageSeq: 2, Recipient: "p-agent", ReadAt: d(4)}
	m3 := newItem("chain-R", "m3") // Seq 6
	r3 := parley.Receipt{MessageID: "m3", MessageSeq: 6, Recipient: "p-customer", DeliveredAt: d(5), ReadAt: d(5)}
	rOther := parley.Receipt{MessageID: "x", MessageSeq: 1, Recipient: "p-agent", ReadAt: d(6)}
	appendItems(t, s, m1, m2,
		receipt("chain-R", "md-1", r2),
		receipt("chain-R", "md-2", r1),
		receipt("chain-other", "md-other", rOther),
		receipt("chain-R", "md-3", r2read),
		m3,
		receipt("chain-R", "md-4", r3),
	)
	sr := storedReceipt
	tests := []struct {
		chain   string
		fromSeq int64
		want    []parley.Receipt
	}{
		{"chain-R", 0, []parley.Receipt{sr(r2), sr(r1), sr(r2read), sr(r3)}},
		{"chain-R", 1, []parley.Receipt{sr(r2), sr(r1), sr(r2read), sr(r3)}},
		{"chain-R", 2, []parley.Receipt{sr(r2), sr(r2read), sr(r3)}},
		{"chain-R", 3, []parley.Receipt{sr(r3)}},
		{"chain-R", 7, nil},
		{"chain-other", 0, []parley.Receipt{sr(rOther)}},
		{"chain-missing", 0, nil},
	}
	for _, tc := range tests {
		got, err := s.ListReceipts(ctx, tc.chain, tc.fromSeq)
		must(t, "ListReceipts", err)
		diff(t, fmt.Sprintf("ListReceipts(%s, %d)", tc.chain, tc.fromSeq), tc.want, got)
	}

	// A receipt comes back on its item.
	it, err := s.GetItem(ctx, "md-2")
	must(t, "GetItem", err)
	if it.Receipt == nil {
		t.Fatalf("GetItem of a MESSAGEMETADATA item: Receipt is nil")
	}
	diff(t, "Receipt on the item", sr(r1), *it.Receipt)
	msg, err := s.GetItem(ctx, "m1")
	must(t, "GetItem", err)
	if msg.Receipt != nil {
		t.Errorf("GetItem of a message: got Receipt %+v, want nil", msg.Receipt)
	}
}

func testIdempotency(t *testing.T, s parley.Store) {
	ctx := t.Context()
	_, err := s.Idempotent(ctx, "StartChatContact", "tok")
	if !parley.IsCode(err, parley.ENOTFOUND) {
		t.Errorf("Idempotent of a missing token: got %v, want ENOTFOUND", err)
	}
	result := []byte(`{"ContactId":"c-1","ParticipantToken":"\u0000binary\u00ff"}`)
	update(t, s, func(tx parley.Tx) error { return tx.PutIdempotent(ctx, "StartChatContact", "tok", result) })
	got, err := s.Idempotent(ctx, "StartChatContact", "tok")
	must(t, "Idempotent", err)
	if string(got) != string(result) {
		t.Errorf("Idempotent = %q, want %q", got, result)
	}

	err = s.Update(ctx, func(tx parley.Tx) error {
		return tx.PutIdempotent(ctx, "StartChatContact", "tok", []byte("other"))
	})
	wantCode(t, "PutIdempotent of an existing (scope, token)", err, parley.ECONFLICT)
	got, err = s.Idempotent(ctx, "StartChatContact", "tok")
	must(t, "Idempotent", err)
	if string(got) != string(result) {
		t.Errorf("Idempotent after a conflicting put = %q, want %q", got, result)
	}

	// Scopes are separate.
	_, err = s.Idempotent(ctx, "CreateParticipant", "tok")
	if !parley.IsCode(err, parley.ENOTFOUND) {
		t.Errorf("Idempotent in another scope: got %v, want ENOTFOUND", err)
	}
	update(t, s, func(tx parley.Tx) error { return tx.PutIdempotent(ctx, "CreateParticipant", "tok", []byte("2")) })
	got, err = s.Idempotent(ctx, "CreateParticipant", "tok")
	must(t, "Idempotent", err)
	if string(got) != "2" {
		t.Errorf("Idempotent in another scope = %q, want %q", got, "2")
	}
}
