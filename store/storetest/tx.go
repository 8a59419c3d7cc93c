package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley"
)

// fixture is one of everything, written by writeFixture.
type fixture struct {
	instance    *parley.Instance
	flow        *parley.ContactFlow
	queue       *parley.Queue
	contact     *parley.Contact
	participant *parley.Participant
	connection  *parley.Connection
	items       []*parley.Item
}

func newFixture() *fixture {
	f := &fixture{
		instance:    newInstance("i-1"),
		flow:        &parley.ContactFlow{ID: "f-1", InstanceID: "i-1", Name: "flow", Content: "{}"},
		queue:       &parley.Queue{ID: "q-1", InstanceID: "i-1", Name: "queue"},
		contact:     newContact("c-1", "i-1"),
		participant: newParticipant("p-1", "c-1", parley.RoleCustomer),
		connection:  &parley.Connection{TokenHash: []byte("conn-1"), ParticipantID: "p-1", ExpiresAt: base},
	}
	f.contact.DueAt = base.Add(-time.Minute)
	msg := newItem("c-1", "m-1")
	msg.ClientToken = "message:t"
	md := newItem("c-1", "md-1")
	md.Type = parley.ItemMessageMetadata
	md.Receipt = &parley.Receipt{MessageID: "m-1", MessageSeq: 1, Recipient: "p-2", ReadAt: base}
	f.items = []*parley.Item{msg, md}
	return f
}

// write stores the fixture through tx.
func (f *fixture) write(ctx context.Context, tx parley.Tx) error {
	steps := []func() error{
		func() error { return tx.PutInstance(ctx, f.instance) },
		func() error { return tx.PutContactFlow(ctx, f.flow) },
		func() error { return tx.PutQueue(ctx, f.queue) },
		func() error { return tx.InsertContact(ctx, f.contact) },
		func() error { return tx.InsertParticipant(ctx, f.participant) },
		func() error { return tx.InsertConnection(ctx, f.connection) },
		func() error { return tx.AppendItem(ctx, f.items[0]) },
		func() error { return tx.AppendItem(ctx, f.items[1]) },
		func() error { return tx.PutIdempotent(ctx, "scope", "tok", []byte("result")) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// checkPresent checks, through r, that every Reader method sees the fixture.
func (f *fixture) checkPresent(t testing.TB, r parley.Reader) {
	t.Helper()
	ctx := t.Context()
	if _, err := r.GetInstance(ctx, "i-1"); err != nil {
		t.Errorf("GetInstance: %v", err)
	}
	if l, err := r.ListInstances(ctx); err != nil || len(l) != 1 {
		t.Errorf("ListInstances: %d instances, %v; want 1", len(l), err)
	}
	if _, err := r.GetContactFlow(ctx, "i-1", "f-1"); err != nil {
		t.Errorf("GetContactFlow: %v", err)
	}
	if l, err := r.ListContactFlows(ctx, "i-1"); err != nil || len(l) != 1 {
		t.Errorf("ListContactFlows: %d flows, %v; want 1", len(l), err)
	}
	if l, err := r.ListQueues(ctx, "i-1"); err != nil || len(l) != 1 {
		t.Errorf("ListQueues: %d queues, %v; want 1", len(l), err)
	}
	if c, err := r.GetContact(ctx, "c-1"); err != nil {
		t.Errorf("GetContact: %v", err)
	} else {
		diff(t, "GetContact", storedContact(f.contact), c)
	}
	if l, err := r.DueContacts(ctx, base, 10); err != nil || len(l) != 1 {
		t.Errorf("DueContacts: %d contacts, %v; want 1", len(l), err)
	}
	if _, err := r.GetParticipant(ctx, "p-1"); err != nil {
		t.Errorf("GetParticipant: %v", err)
	}
	if _, err := r.ParticipantByToken(ctx, f.participant.TokenHash); err != nil {
		t.Errorf("ParticipantByToken: %v", err)
	}
	if l, err := r.ListParticipants(ctx, "c-1"); err != nil || len(l) != 1 {
		t.Errorf("ListParticipants: %d participants, %v; want 1", len(l), err)
	}
	if _, err := r.Connection(ctx, f.connection.TokenHash); err != nil {
		t.Errorf("Connection: %v", err)
	}
	if it, err := r.GetItem(ctx, "m-1"); err != nil {
		t.Errorf("GetItem: %v", err)
	} else {
		diff(t, "GetItem", stored(f.items[0]), it)
	}
	if _, err := r.ItemByClientToken(ctx, "c-1", "p-1", "message:t"); err != nil {
		t.Errorf("ItemByClientToken: %v", err)
	}
	if l, err := r.ListItems(ctx, parley.ItemQuery{ChainID: "c-1"}); err != nil {
		t.Errorf("ListItems: %v", err)
	} else {
		diff(t, "ListItems Seqs", []int64{1, 2}, seqs(l))
	}
	wantLastSeq(t, r, "c-1", 2)
	if l, err := r.ListReceipts(ctx, "c-1", 0); err != nil || len(l) != 1 {
		t.Errorf("ListReceipts: %d receipts, %v; want 1", len(l), err)
	}
	if _, err := r.Idempotent(ctx, "scope", "tok"); err != nil {
		t.Errorf("Idempotent: %v", err)
	}
}

// checkAbsent checks, through r, that no Reader method sees anything of the fixture.
func (f *fixture) checkAbsent(t testing.TB, r parley.Reader) {
	t.Helper()
	ctx := t.Context()
	notFound := func(what string, err error) {
		t.Helper()
		if !parley.IsCode(err, parley.ENOTFOUND) {
			t.Errorf("%s: got %v, want ENOTFOUND", what, err)
		}
	}
	empty := func(what string, n int, err error) {
		t.Helper()
		if err != nil || n != 0 {
			t.Errorf("%s: got %d results, error %v; want none", what, n, err)
		}
	}
	_, err := r.GetInstance(ctx, "i-1")
	notFound("GetInstance", err)
	l1, err := r.ListInstances(ctx)
	empty("ListInstances", len(l1), err)
	_, err = r.GetContactFlow(ctx, "i-1", "f-1")
	notFound("GetContactFlow", err)
	l2, err := r.ListContactFlows(ctx, "i-1")
	empty("ListContactFlows", len(l2), err)
	l3, err := r.ListQueues(ctx, "i-1")
	empty("ListQueues", len(l3), err)
	_, err = r.GetContact(ctx, "c-1")
	notFound("GetContact", err)
	l4, err := r.DueContacts(ctx, base, 10)
	empty("DueContacts", len(l4), err)
	_, err = r.GetParticipant(ctx, "p-1")
	notFound("GetParticipant", err)
	_, err = r.ParticipantByToken(ctx, f.participant.TokenHash)
	notFound("ParticipantByToken", err)
	l5, err := r.ListParticipants(ctx, "c-1")
	empty("ListParticipants", len(l5), err)
	_, err = r.Connection(ctx, f.connection.TokenHash)
	notFound("Connection", err)
	_, err = r.GetItem(ctx, "m-1")
	notFound("GetItem", err)
	_, err = r.ItemByClientToken(ctx, "c-1", "p-1", "message:t")
	notFound("ItemByClientToken", err)
	l6, err := r.ListItems(ctx, parley.ItemQuery{ChainID: "c-1"})
	empty("ListItems", len(l6), err)
	wantLastSeq(t, r, "c-1", 0)
	l7, err := r.ListReceipts(ctx, "c-1", 0)
	empty("ListReceipts", len(l7), err)
	_, err = r.Idempotent(ctx, "scope", "tok")
	notFound("Idempotent", err)
}

var errBoom = errors.New("boom")

func testUpdateRollback(t *testing.T, s parley.Store) {
	ctx := t.Context()
	f := newFixture()
	err := s.Update(ctx, func(tx parley.Tx) error {
		if err := f.write(ctx, tx); err != nil {
			return err
		}
		return fmt.Errorf("wrapped: %w", errBoom)
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update whose fn failed: got %v, want fn's error", err)
	}
	f.checkAbsent(t, s)

	// The rolled-back appends consumed no sequence numbers, and the ids and tokens are free again.
	f = newFixture()
	update(t, s, func(tx parley.Tx) error { return f.write(ctx, tx) })
	if f.items[0].Seq != 1 || f.items[1].Seq != 2 {
		t.Errorf("Seqs after a rolled-back Update: got %d, %d, want 1, 2", f.items[0].Seq, f.items[1].Seq)
	}
	f.checkPresent(t, s)
}

func testUpdateReadsOwnWrites(t *testing.T, s parley.Store) {
	ctx := t.Context()
	f := newFixture()
	update(t, s, func(tx parley.Tx) error {
		f.checkAbsent(t, tx)
		if err := f.write(ctx, tx); err != nil {
			return err
		}
		f.checkPresent(t, tx) // the transaction sees its own writes
		f.checkAbsent(t, s)   // reads outside it see committed data only
		return nil
	})
	f.checkPresent(t, s)
}

func testUpdateConflictKeepsTx(t *testing.T, s parley.Store) {
	ctx := t.Context()
	first := newItem("chain-1", "m-1")
	first.ClientToken = "message:t"
	appendItems(t, s, first)

	// The retry pattern: an append conflicts on its ClientToken, fn reads the earlier item and goes on writing;
	// the transaction is still good and commits.
	retry := newItem("chain-1", "m-retry")
	retry.ClientToken = "message:t"
	dupID := newItem("chain-1", "m-1")
	after := newItem("chain-1", "m-after")
	var earlier *parley.Item
	update(t, s, func(tx parley.Tx) error {
		err := tx.AppendItem(ctx, retry)
		if !parley.IsCode(err, parley.ECONFLICT) {
			return fmt.Errorf("AppendItem with a reused ClientToken: got %v, want ECONFLICT", err)
		}
		if earlier, err = tx.ItemByClientToken(ctx, retry.ChainID, retry.ParticipantID, retry.ClientToken); err != nil {
			return err
		}
		if err := tx.AppendItem(ctx, dupID); !parley.IsCode(err, parley.ECONFLICT) {
			return fmt.Errorf("AppendItem with an existing Id: got %v, want ECONFLICT", err)
		}
		if err := tx.PutInstance(ctx, newInstance("i-1")); err != nil {
			return err
		}
		if err := tx.InsertContact(ctx, newContact("c-1", "i-1")); err != nil {
			return err
		}
		if err := tx.InsertContact(ctx, newContact("c-1", "i-1")); !parley.IsCode(err, parley.ECONFLICT) {
			return fmt.Errorf("InsertContact of an existing id: got %v, want ECONFLICT", err)
		}
		return tx.AppendItem(ctx, after)
	})
	if earlier == nil || earlier.ID != "m-1" {
		t.Errorf("ItemByClientToken after a conflict: got %+v, want item m-1", earlier)
	}
	if after.Seq != 2 {
		t.Errorf("append after conflicts in the same transaction: Seq = %d, want 2", after.Seq)
	}
	got, err := s.ListItems(ctx, parley.ItemQuery{ChainID: "chain-1"})
	must(t, "ListItems", err)
	diff(t, "items after a transaction with conflicts", []*parley.Item{stored(first), stored(after)}, got)
	if _, err := s.GetContact(ctx, "c-1"); err != nil {
		t.Errorf("contact written after a conflict in the same transaction: %v", err)
	}
}

func testUpdateCanceled(t *testing.T, s parley.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	f := newFixture()
	err := s.Update(ctx, func(tx parley.Tx) error { return f.write(ctx, tx) })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Update with a canceled context: got %v, want context.Canceled", err)
	}
	f.checkAbsent(t, s)
}

// checkDense checks that items have Seq 1..len(items) in order.
func checkDense(t testing.TB, what string, items []*parley.Item) bool {
	t.Helper()
	for i, it := range items {
		if it.Seq != int64(i+1) {
			t.Errorf("%s: item %d has Seq %d, want %d (a gap or a duplicate)", what, i, it.Seq, i+1)
			return false
		}
	}
	return true
}

// watchChain reads the chain until stop is closed and checks that every read sees a gap-free prefix.
func watchChain(t testing.TB, s parley.Store, chainID string, stop <-chan struct{}, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			items, err := s.ListItems(t.Context(), parley.ItemQuery{ChainID: chainID})
			if err != nil {
				t.Errorf("ListItems while appending: %v", err)
				return
			}
			if !checkDense(t, "a concurrent reader", items) {
				return
			}
		}
	}()
}

func testConcurrentAppend(t *testing.T, s parley.Store) {
	const writers, perWriter = 16, 25
	ctx := t.Context()
	stop := make(chan struct{})
	var readers sync.WaitGroup
	watchChain(t, s, "chain-1", stop, &readers)

	var wg sync.WaitGroup
	got := make([][]int64, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				it := newItem("chain-1", fmt.Sprintf("w%d-%d", w, i))
				if err := s.Update(ctx, func(tx parley.Tx) error { return tx.AppendItem(ctx, it) }); err != nil {
					t.Errorf("AppendItem: %v", err)
					return
				}
				got[w] = append(got[w], it.Seq)
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()

	var all []int64
	for w, ss := range got {
		if !slices.IsSorted(ss) {
			t.Errorf("writer %d saw Seqs out of order: %v", w, ss)
		}
		all = append(all, ss...)
	}
	slices.Sort(all)
	want := make([]int64, writers*perWriter)
	for i := range want {
		want[i] = int64(i + 1)
	}
	diff(t, "Seqs assigned to concurrent appends", want, all)
	wantLastSeq(t, s, "chain-1", int64(len(want)))
	items, err := s.ListItems(ctx, parley.ItemQuery{ChainID: "chain-1"})
	must(t, "ListItems", err)
	checkDense(t, "ListItems after concurrent appends", items)
	if len(items) != len(want) {
		t.Errorf("ListItems after concurrent appends: %d items, want %d", len(items), len(want))
	}
}

// testConcurrentMixed runs concurrent Updates of which some fail after appending: only the others' items are
// stored, and the Seqs stay dense because the failed appends gave theirs back.
func testConcurrentMixed(t *testing.T, s parley.Store) {
	const writers, perWriter = 8, 30
	ctx := t.Context()
	chains := []string{"chain-a", "chain-b", "chain-c"}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for _, c := range chains {
		watchChain(t, s, c, stop, &readers)
	}

	var mu sync.Mutex
	committed := map[string]bool{} // item id -> committed
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				fail := (w+i)%3 == 0
				a := newItem(chains[(w+i)%len(chains)], fmt.Sprintf("w%d-%d-a", w, i))
				b := newItem(chains[(w+i+1)%len(chains)], fmt.Sprintf("w%d-%d-b", w, i))
				err := s.Update(ctx, func(tx parley.Tx) error {
					if err := tx.AppendItem(ctx, a); err != nil {
						return err
					}
					if err := tx.AppendItem(ctx, b); err != nil {
						return err
					}
					if fail {
						return errBoom
					}
					return nil
				})
				switch {
				case fail && !errors.Is(err, errBoom):
					t.Errorf("failing Update: got %v, want its fn's error", err)
				case !fail && err != nil:
					t.Errorf("Update: %v", err)
				}
				mu.Lock()
				committed[a.ID], committed[b.ID] = !fail, !fail
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()

	stored := 0
	for _, c := range chains {
		items, err := s.ListItems(ctx, parley.ItemQuery{ChainID: c})
		must(t, "ListItems", err)
		checkDense(t, "ListItems of "+c, items)
		for _, it := range items {
			if !committed[it.ID] {
				t.Errorf("item %s of a failed Update is stored", it.ID)
			}
		}
		stored += len(items)
		wantLastSeq(t, s, c, int64(len(items)))
	}
	want := 0
	for _, ok := range committed {
		if ok {
			want++
		}
	}
	if stored != want {
		t.Errorf("stored %d items, want the %d of the committed Updates", stored, want)
	}
}

// testRollbackThenRead checks that a transaction never reads what a failed Update wrote, after that Update had
// read and changed the same rows (a store that caches rows for its transactions must drop what a rollback
// undid). Updates run one at a time and then concurrently, so that a store with group commit also rolls back
// single Updates inside a shared transaction.
func testRollbackThenRead(t *testing.T, s parley.Store) {
	ctx := t.Context()
	seedInstances(t, s, "i-1")
	const chats = 4
	for i := range chats {
		c := newContact(fmt.Sprintf("c-%d", i), "i-1")
		p := newParticipant(fmt.Sprintf("p-%d", i), c.ID, parley.RoleCustomer)
		update(t, s, func(tx parley.Tx) error {
			if err := tx.InsertContact(ctx, c); err != nil {
				return err
			}
			return tx.InsertParticipant(ctx, p)
		})
	}

	// fail ends chat i inside a transaction, appends to it, reads its own writes back and fails.
	fail := func(i int) error {
		chain, pid := fmt.Sprintf("c-%d", i), fmt.Sprintf("p-%d", i)
		err := s.Update(ctx, func(tx parley.Tx) error {
			c, err := tx.ActiveContact(ctx, chain)
			if err != nil {
				return err
			}
			p, err := tx.GetParticipant(ctx, pid)
			if err != nil {
				return err
			}
			c.State, c.EndedAt = parley.ContactEnded, base
			p.State, p.LeftAt = parley.ParticipantLeft, base
			if err := tx.UpdateContact(ctx, c); err != nil {
				return err
			}
			if err := tx.UpdateParticipant(ctx, p); err != nil {
				return err
			}
			if err := tx.AppendItem(ctx, newItem(chain, fmt.Sprintf("doomed-%s-%d", chain, time.Now().UnixNano()))); err != nil {
				return err
			}
			if c, err = tx.ActiveContact(ctx, chain); err != nil || c.State != parley.ContactEnded {
				return fmt.Errorf("ActiveContact after UpdateContact in the same transaction: %+v, %v", c, err)
			}
			if p, err = tx.GetParticipant(ctx, pid); err != nil || p.State != parley.ParticipantLeft {
				return fmt.Errorf("GetParticipant after UpdateParticipant in the same transaction: %+v, %v", p, err)
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			return fmt.Errorf("failing Update of %s: got %v, want its fn's error", chain, err)
		}
		return nil
	}
	// check reads chat i in a transaction and appends to it: nothing of the failed Updates may show.
	check := func(i int, want *int64) error {
		chain, pid := fmt.Sprintf("c-%d", i), fmt.Sprintf("p-%d", i)
		return s.Update(ctx, func(tx parley.Tx) error {
			c, err := tx.ActiveContact(ctx, chain)
			if err != nil {
				return err
			}
			p, err := tx.GetParticipant(ctx, pid)
			if err != nil {
				return err
			}
			if c.State != parley.ContactActive || !c.EndedAt.IsZero() {
				return fmt.Errorf("contact %s after a rolled-back end: state %s, ended %v", chain, c.State, c.EndedAt)
			}
			if p.State != parley.ParticipantJoined || !p.LeftAt.IsZero() {
				return fmt.Errorf("participant %s after a rolled-back leave: state %s, left %v", pid, p.State, p.LeftAt)
			}
			it := newItem(chain, fmt.Sprintf("kept-%s-%d", chain, *want+1))
			if err := tx.AppendItem(ctx, it); err != nil {
				return err
			}
			*want++
			if it.Seq != *want {
				return fmt.Errorf("append to %s after rolled-back appends: Seq %d, want %d", chain, it.Seq, *want)
			}
			return nil
		})
	}

	seqs := make([]int64, chats)
	for round := range 3 {
		for i := range chats {
			if err := fail(i); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			if err := check(i, &seqs[i]); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}

	// Concurrently: per chat, one goroutine fails over and over while another checks.
	var wg sync.WaitGroup
	for i := range chats {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range 40 {
				if err := fail(i); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range 40 {
				if err := check(i, &seqs[i]); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for i := range chats {
		wantLastSeq(t, s, fmt.Sprintf("c-%d", i), seqs[i])
	}
}
