// Package storetest is the conformance suite for parley.Store implementations. Every Store (SQLite, Postgres)
// runs it from its own tests:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) parley.Store { return openTestStore(t) })
//	}
//
// The suite checks the contracts documented on parley.Store, parley.Reader, parley.Tx and parley.ItemQuery, plus
// the conventions every implementation shares: times are kept with millisecond precision and returned in UTC,
// nil and empty maps, slices and byte slices are interchangeable, missing rows are ENOTFOUND with a resource
// kind, and uniqueness violations are ECONFLICT without spoiling the transaction.
//
// Run's subtests do not run in parallel with each other; some start many goroutines themselves, so run the
// suite with -race. The suite never calls t.Fatal inside an Update's fn, which may run on a goroutine of the
// store's (the SQLite store runs every fn on its writer goroutine).
package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/parley-chat/parley"
)

// Run runs the conformance suite. open must return a new, empty, open store for each call; Run closes it when
// the subtest ends (and reports Close's error).
func Run(t *testing.T, open func(t *testing.T) parley.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s parley.Store)
	}{
		{"Instance", testInstance},
		{"ContactFlow", testContactFlow},
		{"Queue", testQueue},
		{"Queue/NameUnique", testQueueNameUnique},
		{"User/RoundTrip", testUserRoundTrip},
		{"User/UsernameUnique", testUserUsernameUnique},
		{"User/Delete", testUserDelete},
		{"SecurityProfile", testSecurityProfile},
		{"AgentStatus", testAgentStatus},
		{"HoursOfOperation", testHoursOfOperation},
		{"RoutingProfile", testRoutingProfile},
		{"QuickConnect", testQuickConnect},
		{"View", testView},
		{"AgentSession", testAgentSession},
		{"AgentState/Missed", testAgentsMissed},
		{"AgentState/AfterContactWork", testAfterContactWork},
		{"AgentState/Owners", testAgentStateOwners},
		{"ConfigNotFound", testConfigNotFound},
		{"Contact/Active", testActiveContacts},
		{"Contact/List", testListContacts},
		{"Contact/ActiveContactOfChain", testActiveContactOfChain},
		{"Participant/ByUser", testParticipantsByUser},
		{"Contact/RoundTrip", testContactRoundTrip},
		{"Contact/ZeroValues", testContactZeroValues},
		{"Contact/Duplicate", testContactDuplicate},
		{"Contact/Update", testContactUpdate},
		{"DueContacts", testDueContacts},
		{"Participant/RoundTrip", testParticipantRoundTrip},
		{"Participant/Duplicate", testParticipantDuplicate},
		{"Participant/List", testParticipantList},
		{"Participant/Update", testParticipantUpdate},
		{"Connection", testConnection},
		{"Item/SeqPerChain", testItemSeqPerChain},
		{"Item/RoundTrip", testItemRoundTrip},
		{"Item/DuplicateID", testItemDuplicateID},
		{"Item/ClientToken", testItemClientToken},
		{"ListItems", testListItems},
		{"Receipts", testReceipts},
		{"Idempotency", testIdempotency},
		{"File/RoundTrip", testFileRoundTrip},
		{"File/Duplicate", testFileDuplicate},
		{"File/List", testFileList},
		{"Item/Revision", testItemRevision},
		{"Update/Rollback", testUpdateRollback},
		{"Update/ReadsOwnWrites", testUpdateReadsOwnWrites},
		{"Update/RollbackThenRead", testRollbackThenRead},
		{"Update/ConflictKeepsTransaction", testUpdateConflictKeepsTx},
		{"Update/CanceledContext", testUpdateCanceled},
		{"Update/ConcurrentAppend", testConcurrentAppend},
		{"Update/ConcurrentMixed", testConcurrentMixed},
		{"DueFlows", testDueFlows},
		{"FlowLog", testFlowLog},
		{"ParticipantTimers", testParticipantTimers},
		{"ContactData", testContactData},
		{"Lease/Exclusive", testLeaseExclusive},
		{"Lease/Concurrent", testLeaseConcurrent},
		{"Streams", testStreams},
		{"Streams/InTx", testStreamsInTx},
		{"Streams/Cursor", testStreamCursor},
		{"Outbox", testOutbox},
		{"Archive/Exports", testArchiveExports},
		{"Archive/Purge", testArchivePurge},
		{"Archive/Idempotent", testArchiveIdempotent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

// base is a time with sub-millisecond digits in a non-UTC zone: stores must return it truncated to the
// millisecond, in UTC.
var base = time.Date(2025, 3, 14, 15, 9, 26, 535_897_932, time.FixedZone("UTC+5", 5*3600))

// ms is what a store returns for t: truncated to the millisecond, in UTC (the zero time stays zero).
func ms(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.Truncate(time.Millisecond).UTC()
}

// cmpOpts compare stored values: nil equals empty, and times must be equal instants in the same location (the
// expected values are in UTC, so this also checks that the store returns UTC).
var cmpOpts = cmp.Options{
	cmpopts.EquateEmpty(),
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) && a.Location() == b.Location() }),
}

// diff reports a difference between want and got.
func diff(t testing.TB, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got, cmpOpts); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

// update runs fn in s.Update and fails the test on error.
func update(t testing.TB, s parley.Store, fn func(tx parley.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// wantCode fails the test unless err has code.
func wantCode(t testing.TB, what string, err error, code parley.Code) {
	t.Helper()
	if !parley.IsCode(err, code) {
		t.Errorf("%s: got error %v (code %q), want code %q", what, err, parley.ErrorCode(err), code)
	}
}

// wantNotFound fails the test unless err is ENOTFOUND for resource.
func wantNotFound(t testing.TB, what string, err error, resource string) {
	t.Helper()
	var e *parley.Error
	if !errors.As(err, &e) || e.Code != parley.ENOTFOUND {
		t.Errorf("%s: got error %v, want ENOTFOUND", what, err)
		return
	}
	if e.Resource != resource {
		t.Errorf("%s: got ENOTFOUND for resource %q, want %q", what, e.Resource, resource)
	}
}

// must fails the test if err is not nil.
func must(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// Fixtures. Each returns a fully populated value; tests change what they need.

func newInstance(id string) *parley.Instance {
	return &parley.Instance{
		ID:        id,
		ARN:       "arn:aws:connect:us-west-2:000000000000:instance/" + id,
		Alias:     "alias-" + id,
		CreatedAt: base,
	}
}

func newContact(id, instanceID string) *parley.Contact {
	return &parley.Contact{
		ID:                     id,
		InstanceID:             instanceID,
		InitialContactID:       id,
		PreviousContactID:      "prev-" + id,
		RelatedContactID:       "rel-" + id,
		ContinuedFromContactID: "past-" + id,
		Channel:                parley.ChannelChat,
		InitiationMethod:       "API",
		State:                  parley.ContactActive,
		FlowID:                 "flow-1",
		QueueID:                "queue-1",
		CustomerID:             "cust-" + id,
		Attributes:             map[string]string{"a": "1", "ünï": "cödé", "empty": ""},
		SegmentAttributes:      []byte(`{"connect:Subtype":{"ValueString":"connect:Chat"}}`),
		SupportedContentTypes:  []string{parley.ContentTextPlain, parley.ContentTextMarkdown},
		DurationMinutes:        1500,
		InitiatedAt:            base,
		ConnectedAt:            base.Add(1500 * time.Microsecond),
		EndedAt:                time.Time{},
		DueAt:                  base.Add(5 * time.Minute),
		DisconnectReason:       "",
		UpdatedAt:              base.Add(2 * time.Second),
		EnqueuedAt:             base.Add(3*time.Second + 250*time.Microsecond),
		AgentID:                "agent-" + id,
		AgentConnectedAt:       base.Add(4*time.Second + 999*time.Microsecond),
	}
}

func newParticipant(id, contactID string, role parley.Role) *parley.Participant {
	return &parley.Participant{
		ID:          id,
		ContactID:   contactID,
		ChainID:     contactID,
		Role:        role,
		DisplayName: "name " + id,
		UserID:      "user-" + id,
		TokenHash:   []byte("hash-" + id),
		State:       parley.ParticipantJoined,
		Connected:   true,
		JoinedAt:    base,
	}
}

func newItem(chainID, id string) *parley.Item {
	return &parley.Item{
		ChainID:       chainID,
		ContactID:     chainID,
		ID:            id,
		Type:          parley.ItemMessage,
		ContentType:   parley.ContentTextPlain,
		Content:       "hello " + id,
		ParticipantID: "p-1",
		DisplayName:   "Customer",
		Role:          parley.RoleCustomer,
		Time:          base,
	}
}

// seedContact stores an instance and a contact with the given ids and returns the contact.
func seedContact(t testing.TB, s parley.Store, instanceID, contactID string) *parley.Contact {
	t.Helper()
	c := newContact(contactID, instanceID)
	update(t, s, func(tx parley.Tx) error {
		if _, err := tx.GetInstance(t.Context(), instanceID); parley.IsCode(err, parley.ENOTFOUND) {
			if err := tx.PutInstance(t.Context(), newInstance(instanceID)); err != nil {
				return err
			}
		}
		return tx.InsertContact(t.Context(), c)
	})
	return c
}

// appendItems appends items in one Update each and returns them with their Seq set.
func appendItems(t testing.TB, s parley.Store, items ...*parley.Item) []*parley.Item {
	t.Helper()
	for _, it := range items {
		update(t, s, func(tx parley.Tx) error { return tx.AppendItem(t.Context(), it) })
	}
	return items
}

// stored returns what a store gives back for an item: a copy with times truncated to the millisecond in UTC.
func stored(it *parley.Item) *parley.Item {
	c := *it
	c.Time = ms(it.Time)
	if it.Receipt != nil {
		r := storedReceipt(*it.Receipt)
		c.Receipt = &r
	}
	return &c
}

func storedReceipt(r parley.Receipt) parley.Receipt {
	r.DeliveredAt, r.ReadAt = ms(r.DeliveredAt), ms(r.ReadAt)
	return r
}

// seqs returns the Seq of each item.
func seqs(items []*parley.Item) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = it.Seq
	}
	return out
}
