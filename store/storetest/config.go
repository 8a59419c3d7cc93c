package storetest

import (
	"testing"
	"time"

	"github.com/parley-chat/parley"
)

func testInstance(t *testing.T, s parley.Store) {
	ctx := t.Context()
	_, err := s.GetInstance(ctx, "i-1")
	wantNotFound(t, "GetInstance of a missing instance", err, "INSTANCE")
	got, err := s.ListInstances(ctx)
	must(t, "ListInstances", err)
	diff(t, "ListInstances of an empty store", []*parley.Instance(nil), got)

	i1, i2 := newInstance("i-1"), newInstance("i-2")
	i2.CreatedAt = base.Add(time.Hour)
	update(t, s, func(tx parley.Tx) error {
		if err := tx.PutInstance(ctx, i1); err != nil {
			return err
		}
		return tx.PutInstance(ctx, i2)
	})
	want1 := *i1
	want1.CreatedAt = ms(i1.CreatedAt)
	want2 := *i2
	want2.CreatedAt = ms(i2.CreatedAt)

	in, err := s.GetInstance(ctx, "i-1")
	must(t, "GetInstance", err)
	diff(t, "GetInstance", &want1, in)
	all, err := s.ListInstances(ctx)
	must(t, "ListInstances", err)
	diff(t, "ListInstances", []*parley.Instance{&want1, &want2}, all)

	// Put replaces.
	i1b := *i1
	i1b.Alias, i1b.ARN = "renamed", "arn:renamed"
	update(t, s, func(tx parley.Tx) error { return tx.PutInstance(ctx, &i1b) })
	in, err = s.GetInstance(ctx, "i-1")
	must(t, "GetInstance after replacing", err)
	if in.Alias != "renamed" || in.ARN != "arn:renamed" {
		t.Errorf("after PutInstance of an existing id: got alias %q arn %q, want renamed, arn:renamed", in.Alias, in.ARN)
	}
	all, err = s.ListInstances(ctx)
	must(t, "ListInstances", err)
	if len(all) != 2 {
		t.Errorf("ListInstances after replacing: got %d instances, want 2", len(all))
	}
}

func testContactFlow(t *testing.T, s parley.Store) {
	ctx := t.Context()
	f := &parley.ContactFlow{
		ID:          "f-1",
		InstanceID:  "i-1",
		ARN:         "arn:aws:connect:us-west-2:000000000000:instance/i-1/contact-flow/f-1",
		Name:        "Basic",
		Type:        "CONTACT_FLOW",
		State:       "ACTIVE",
		Status:      "PUBLISHED",
		Description: "the basic flow",
		Content:     `{"Version":"2019-10-30","StartAction":"a","Actions":[]}`,
	}
	f2 := *f
	f2.ID, f2.Name = "f-2", "Another"
	other := *f
	other.InstanceID, other.Name = "i-2", "Other instance's"
	update(t, s, func(tx parley.Tx) error {
		for _, in := range []*parley.Instance{newInstance("i-1"), newInstance("i-2")} {
			if err := tx.PutInstance(ctx, in); err != nil {
				return err
			}
		}
		for _, fl := range []*parley.ContactFlow{f, &f2, &other} {
			if err := tx.PutContactFlow(ctx, fl); err != nil {
				return err
			}
		}
		return nil
	})

	got, err := s.GetContactFlow(ctx, "i-1", "f-1")
	must(t, "GetContactFlow", err)
	diff(t, "GetContactFlow", f, got)
	got, err = s.GetContactFlow(ctx, "i-2", "f-1")
	must(t, "GetContactFlow of the same id in another instance", err)
	diff(t, "GetContactFlow in another instance", &other, got)
	_, err = s.GetContactFlow(ctx, "i-2", "f-2")
	wantNotFound(t, "GetContactFlow of a flow of another instance", err, "CONTACT_FLOW")
	_, err = s.GetContactFlow(ctx, "i-3", "f-1")
	wantNotFound(t, "GetContactFlow in a missing instance", err, "CONTACT_FLOW")

	list, err := s.ListContactFlows(ctx, "i-1")
	must(t, "ListContactFlows", err)
	diff(t, "ListContactFlows", map[string]*parley.ContactFlow{"f-1": f, "f-2": &f2}, flowsByID(list))
	list, err = s.ListContactFlows(ctx, "i-3")
	must(t, "ListContactFlows", err)
	diff(t, "ListContactFlows of a missing instance", []*parley.ContactFlow(nil), list)

	// Put replaces.
	f3 := *f
	f3.Content, f3.State = `{"changed":true}`, "ARCHIVED"
	update(t, s, func(tx parley.Tx) error { return tx.PutContactFlow(ctx, &f3) })
	got, err = s.GetContactFlow(ctx, "i-1", "f-1")
	must(t, "GetContactFlow after replacing", err)
	diff(t, "GetContactFlow after replacing", &f3, got)
	list, err = s.ListContactFlows(ctx, "i-1")
	must(t, "ListContactFlows", err)
	if len(list) != 2 {
		t.Errorf("ListContactFlows after replacing: got %d flows, want 2", len(list))
	}

	// Delete removes one flow of one instance.
	update(t, s, func(tx parley.Tx) error { return tx.DeleteContactFlow(ctx, "i-1", "f-1") })
	_, err = s.GetContactFlow(ctx, "i-1", "f-1")
	wantNotFound(t, "GetContactFlow of a deleted flow", err, "CONTACT_FLOW")
	got, err = s.GetContactFlow(ctx, "i-2", "f-1")
	must(t, "GetContactFlow of the same id in another instance after a delete", err)
	diff(t, "the other instance's flow after a delete", &other, got)
	err = s.Update(ctx, func(tx parley.Tx) error { return tx.DeleteContactFlow(ctx, "i-1", "f-1") })
	wantNotFound(t, "DeleteContactFlow of a missing flow", err, "CONTACT_FLOW")
}

func flowsByID(fs []*parley.ContactFlow) map[string]*parley.ContactFlow {
	m := make(map[string]*parley.ContactFlow)
	for _, f := range fs {
		m[f.ID] = f
	}
	return m
}

func testQueue(t *testing.T, s parley.Store) {
	ctx := t.Context()
	_, err := s.GetQueue(ctx, "q-1")
	wantNotFound(t, "GetQueue of a missing queue", err, "QUEUE")
	q1 := &parley.Queue{ID: "q-1", InstanceID: "i-1", ARN: "arn:q-1", Name: "BasicQueue", Description: "d",
		HoursOfOperationID: "h-1", MaxContacts: 25, Status: "ENABLED"}
	q2 := &parley.Queue{ID: "q-2", InstanceID: "i-1", ARN: "arn:q-2", Name: "Sales", Status: "DISABLED"}
	q3 := &parley.Queue{ID: "q-3", InstanceID: "i-2", ARN: "arn:q-3", Name: "Elsewhere"}
	update(t, s, func(tx parley.Tx) error {
		for _, in := range []*parley.Instance{newInstance("i-1"), newInstance("i-2")} {
			if err := tx.PutInstance(ctx, in); err != nil {
				return err
			}
		}
		for _, q := range []*parley.Queue{q1, q2, q3} {
			if err := tx.PutQueue(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	list, err := s.ListQueues(ctx, "i-1")
	must(t, "ListQueues", err)
	diff(t, "ListQueues", map[string]*parley.Queue{"q-1": q1, "q-2": q2}, queuesByID(list))

	for _, want := range []*parley.Queue{q1, q2, q3} {
		got, err := s.GetQueue(ctx, want.ID)
		must(t, "GetQueue", err)
		diff(t, "GetQueue "+want.ID, want, got)
	}

	q2b := *q2
	q2b.Name, q2b.Description = "Support", "renamed"
	q2b.HoursOfOperationID, q2b.MaxContacts, q2b.Status = "h-2", 3, "ENABLED"
	update(t, s, func(tx parley.Tx) error { return tx.PutQueue(ctx, &q2b) })
	list, err = s.ListQueues(ctx, "i-1")
	must(t, "ListQueues", err)
	diff(t, "ListQueues after replacing", map[string]*parley.Queue{"q-1": q1, "q-2": &q2b}, queuesByID(list))

	list, err = s.ListQueues(ctx, "i-9")
	must(t, "ListQueues", err)
	diff(t, "ListQueues of a missing instance", []*parley.Queue(nil), list)
}

func queuesByID(qs []*parley.Queue) map[string]*parley.Queue {
	m := make(map[string]*parley.Queue)
	for _, q := range qs {
		m[q.ID] = q
	}
	return m
}

// storedContact is what a store returns for c.
func storedContact(c *parley.Contact) *parley.Contact {
	w := *c
	w.InitiatedAt, w.ConnectedAt, w.EndedAt = ms(c.InitiatedAt), ms(c.ConnectedAt), ms(c.EndedAt)
	w.DueAt, w.UpdatedAt = ms(c.DueAt), ms(c.UpdatedAt)
	w.EnqueuedAt, w.AgentConnectedAt, w.FlowWakeAt = ms(c.EnqueuedAt), ms(c.AgentConnectedAt), ms(c.FlowWakeAt)
	return &w
}

func testContactRoundTrip(t *testing.T, s parley.Store) {
	ctx := t.Context()
	_, err := s.GetContact(ctx, "c-1")
	wantNotFound(t, "GetContact of a missing contact", err, "CONTACT")

	c := seedContact(t, s, "i-1", "c-1")
	// A transferred contact of the same chain, ended, with every time set.
	c2 := newContact("c-2", "i-1")
	c2.InitialContactID, c2.PreviousContactID = "c-1", "c-1"
	c2.InitiationMethod = "TRANSFER"
	c2.State = parley.ContactEnded
	c2.EndedAt = base.Add(time.Hour + 999_999*time.Nanosecond)
	c2.DueAt = time.Time{}
	c2.DisconnectReason = parley.ReasonAgentDisconnect
	c2.Attributes = map[string]string{"k": `"quoted" \ value`}
	c2.SegmentAttributes = []byte(`{"a":[1,2,{"b":null}]}`)
	c2.FlowState = []byte(`{"flowId":"f-1","status":"WAITING"}`)
	c2.FlowWakeAt = base.Add(2*time.Hour + 7*time.Microsecond)
	update(t, s, func(tx parley.Tx) error { return tx.InsertContact(ctx, c2) })

	for _, want := range []*parley.Contact{c, c2} {
		got, err := s.GetContact(ctx, want.ID)
		must(t, "GetContact", err)
		diff(t, "GetContact "+want.ID, storedContact(want), got)
		if string(got.SegmentAttributes) != string(want.SegmentAttributes) {
			t.Errorf("SegmentAttributes not stored verbatim: got %s, want %s", got.SegmentAttributes, want.SegmentAttributes)
		}
	}
}

func testContactZeroValues(t *testing.T, s parley.Store) {
	ctx := t.Context()
	update(t, s, func(tx parley.Tx) error { return tx.PutInstance(ctx, newInstance("i-1")) })
	c := &parley.Contact{ID: "c-0", InstanceID: "i-1", InitialContactID: "c-0", State: parley.ContactActive}
	update(t, s, func(tx parley.Tx) error { return tx.InsertContact(ctx, c) })
	got, err := s.GetContact(ctx, "c-0")
	must(t, "GetContact", err)
	diff(t, "GetContact of a contact with zero values", c, got)
	for name, tm := range map[string]time.Time{
		"InitiatedAt": got.InitiatedAt, "ConnectedAt": got.ConnectedAt, "EndedAt": got.EndedAt,
		"DueAt": got.DueAt, "UpdatedAt": got.UpdatedAt,
	} {
		if !tm.IsZero() {
			t.Errorf("%s: got %v, want the zero time", name, tm)
		}
	}
}

func testContactDuplicate(t *testing.T, s parley.Store) {
	ctx := t.Context()
	c := seedContact(t, s, "i-1", "c-1")
	dup := newContact("c-1", "i-1")
	dup.CustomerID = "someone else"
	err := s.Update(ctx, func(tx parley.Tx) error { return tx.InsertContact(ctx, dup) })
	wantCode(t, "InsertContact of an existing id", err, parley.ECONFLICT)
	got, err := s.GetContact(ctx, "c-1")
	must(t, "GetContact", err)
	diff(t, "contact after a conflicting insert", storedContact(c), got)
}

func testContactUpdate(t *testing.T, s parley.Store) {
	ctx := t.Context()
	c := seedContact(t, s, "i-1", "c-1")
	other := seedContact(t, s, "i-1", "c-other")

	u := *c
	u.State = parley.ContactEnded
	u.FlowID, u.QueueID = "flow-2", "queue-2"
	u.Attributes = map[string]string{"new": "value"}
	u.SegmentAttributes = []byte(`{"x":1}`)
	u.ConnectedAt = base.Add(time.Minute + 123*time.Microsecond)
	u.EndedAt = base.Add(2 * time.Minute)
	u.DueAt = time.Time{}
	u.DisconnectReason = parley.ReasonCustomerDisconnect
	u.UpdatedAt = base.Add(3 * time.Minute)
	u.EnqueuedAt = base.Add(90*time.Second + 456*time.Microsecond)
	u.AgentID = "agent-2"
	u.AgentConnectedAt = base.Add(100 * time.Second)
	u.FlowState = []byte(`{"flowId":"f-2","status":"QUEUED"}`)
	u.FlowWakeAt = base.Add(110 * time.Second)
	u.RelatedContactID, u.ContinuedFromContactID = "rel-2", "past-2"
	update(t, s, func(tx parley.Tx) error { return tx.UpdateContact(ctx, &u) })

	got, err := s.GetContact(ctx, "c-1")
	must(t, "GetContact", err)
	diff(t, "contact after UpdateContact", storedContact(&u), got)
	got, err = s.GetContact(ctx, "c-other")
	must(t, "GetContact", err)
	diff(t, "another contact after UpdateContact", storedContact(other), got)

	missing := newContact("c-missing", "i-1")
	err = s.Update(ctx, func(tx parley.Tx) error { return tx.UpdateContact(ctx, missing) })
	wantNotFound(t, "UpdateContact of a missing contact", err, "CONTACT")
}

func testDueContacts(t *testing.T, s parley.Store) {
	ctx := t.Context()
	now := base
	mk := func(id string, state parley.ContactState, due time.Time) *parley.Contact {
		c := newContact(id, "i-1")
		c.State, c.DueAt = state, due
		return c
	}
	contacts := []*parley.Contact{
		mk("c-1", parley.ContactActive, now.Add(-10*time.Second)),
		mk("c-2", parley.ContactActive, now.Add(-20*time.Second)),
		mk("c-3", parley.ContactActive, now.Truncate(time.Millisecond)), // due exactly now: included
		mk("c-4", parley.ContactActive, now.Add(time.Second)),           // not yet
		mk("c-5", parley.ContactActive, time.Time{}),                    // no timer
		mk("c-6", parley.ContactEnded, now.Add(-30*time.Second)),        // ended
	}
	update(t, s, func(tx parley.Tx) error {
		if err := tx.PutInstance(ctx, newInstance("i-1")); err != nil {
			return err
		}
		for _, c := range contacts {
			if err := tx.InsertContact(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	ids := func(cs []*parley.Contact) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}

	got, err := s.DueContacts(ctx, now, 10)
	must(t, "DueContacts", err)
	diff(t, "DueContacts ids", []string{"c-2", "c-1", "c-3"}, ids(got))
	if len(got) > 0 {
		diff(t, "DueContacts first contact", storedContact(contacts[1]), got[0])
	}
	got, err = s.DueContacts(ctx, now, 2)
	must(t, "DueContacts", err)
	diff(t, "DueContacts with limit 2", []string{"c-2", "c-1"}, ids(got))
	got, err = s.DueContacts(ctx, now.Add(-time.Hour), 10)
	must(t, "DueContacts", err)
	diff(t, "DueContacts an hour ago", []string(nil), ids(got))

	// Ending a contact (state ENDED, no DueAt) takes it off the list; moving a DueAt reorders.
	c2 := *contacts[1]
	c2.State, c2.DueAt, c2.EndedAt = parley.ContactEnded, time.Time{}, now
	c4 := *contacts[3]
	c4.DueAt = now.Add(-time.Minute)
	update(t, s, func(tx parley.Tx) error {
		if err := tx.UpdateContact(ctx, &c2); err != nil {
			return err
		}
		return tx.UpdateContact(ctx, &c4)
	})
	got, err = s.DueContacts(ctx, now, 10)
	must(t, "DueContacts", err)
	diff(t, "DueContacts after updates", []string{"c-4", "c-1", "c-3"}, ids(got))
}
