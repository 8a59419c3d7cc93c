package storetest

import (
	"testing"
	"time"

	"github.com/parley-chat/parley"
)

// newFile returns an attachment record of a participant on a contact.
func newFile(id string, c *parley.Contact, participantID string) *parley.File {
	return &parley.File{
		ID:            id,
		InstanceID:    c.InstanceID,
		ContactID:     c.ID,
		ChainID:       c.InitialContactID,
		ParticipantID: participantID,
		ClientToken:   "tok-" + id,
		Name:          "../ünï cödé/" + id + ".png",
		ContentType:   "image/png",
		Size:          20 << 20,
		CreatedAt:     base,
	}
}

// seedParticipant stores a contact and a participant of it.
func seedParticipant(t testing.TB, s parley.Store, contactID, participantID string) *parley.Contact {
	t.Helper()
	c := seedContact(t, s, "inst-files", contactID)
	update(t, s, func(tx parley.Tx) error {
		return tx.InsertParticipant(t.Context(), newParticipant(participantID, contactID, parley.RoleCustomer))
	})
	return c
}

func testFileRoundTrip(t *testing.T, s parley.Store) {
	ctx := t.Context()
	c := seedParticipant(t, s, "c-1", "p-1")
	_, err := s.GetFile(ctx, "f-1")
	wantNotFound(t, "GetFile of a missing attachment", err, "ATTACHMENT")
	_, err = s.FileByClientToken(ctx, "p-1", "tok-f-1")
	wantNotFound(t, "FileByClientToken of a missing attachment", err, "ATTACHMENT")

	f := newFile("f-1", c, "p-1")
	update(t, s, func(tx parley.Tx) error { return tx.InsertFile(ctx, f) })
	want := *f
	want.CreatedAt = ms(f.CreatedAt)
	got, err := s.GetFile(ctx, "f-1")
	must(t, "GetFile", err)
	diff(t, "GetFile", &want, got)
	if got.Completed() {
		t.Errorf("a new attachment reports Completed")
	}
	got, err = s.FileByClientToken(ctx, "p-1", "tok-f-1")
	must(t, "FileByClientToken", err)
	diff(t, "FileByClientToken", &want, got)
	_, err = s.FileByClientToken(ctx, "p-2", "tok-f-1")
	wantNotFound(t, "FileByClientToken of another participant", err, "ATTACHMENT")

	f.Status, f.ItemID, f.CompletedAt = parley.AttachmentInProgress, "item-1", base.Add(1500*time.Microsecond)
	update(t, s, func(tx parley.Tx) error { return tx.UpdateFile(ctx, f) })
	want.Status, want.ItemID, want.CompletedAt = f.Status, f.ItemID, ms(f.CompletedAt)
	got, err = s.GetFile(ctx, "f-1")
	must(t, "GetFile after UpdateFile", err)
	diff(t, "GetFile after UpdateFile", &want, got)
	if !got.Completed() {
		t.Errorf("a completed attachment does not report Completed")
	}

	err = s.Update(ctx, func(tx parley.Tx) error { return tx.UpdateFile(ctx, newFile("missing", c, "p-1")) })
	wantNotFound(t, "UpdateFile of a missing attachment", err, "ATTACHMENT")
	update(t, s, func(tx parley.Tx) error { return tx.DeleteFile(ctx, "f-1") })
	_, err = s.GetFile(ctx, "f-1")
	wantNotFound(t, "GetFile after DeleteFile", err, "ATTACHMENT")
	err = s.Update(ctx, func(tx parley.Tx) error { return tx.DeleteFile(ctx, "f-1") })
	wantNotFound(t, "DeleteFile of a missing attachment", err, "ATTACHMENT")
}

func testFileDuplicate(t *testing.T, s parley.Store) {
	ctx := t.Context()
	c := seedParticipant(t, s, "c-1", "p-1")
	update(t, s, func(tx parley.Tx) error {
		return tx.InsertParticipant(ctx, newParticipant("p-2", "c-1", parley.RoleAgent))
	})
	update(t, s, func(tx parley.Tx) error { return tx.InsertFile(ctx, newFile("f-1", c, "p-1")) })

	sameID := newFile("f-1", c, "p-1")
	sameID.ClientToken = "other"
	sameToken := newFile("f-2", c, "p-1")
	sameToken.ClientToken = "tok-f-1"
	for what, f := range map[string]*parley.File{"same id": sameID, "same participant and ClientToken": sameToken} {
		err := s.Update(ctx, func(tx parley.Tx) error { return tx.InsertFile(ctx, f) })
		wantCode(t, "InsertFile with the "+what, err, parley.ECONFLICT)
	}
	// Another participant may use the same token; the conflict did not spoil a transaction that goes on.
	other := newFile("f-3", c, "p-2")
	other.ClientToken = "tok-f-1"
	update(t, s, func(tx parley.Tx) error {
		if err := tx.InsertFile(ctx, sameToken); !parley.IsCode(err, parley.ECONFLICT) {
			t.Errorf("InsertFile in a transaction: got %v, want ECONFLICT", err)
		}
		return tx.InsertFile(ctx, other)
	})
	if n, err := s.CountFiles(ctx, "c-1"); err != nil || n != 2 {
		t.Errorf("CountFiles = %d, %v; want 2", n, err)
	}
	if n, err := s.CountFiles(ctx, "c-other"); err != nil || n != 0 {
		t.Errorf("CountFiles of a contact without attachments = %d, %v; want 0", n, err)
	}
}

func testFileList(t *testing.T, s parley.Store) {
	ctx := t.Context()
	c := seedParticipant(t, s, "c-1", "p-1")
	var files []*parley.File
	for i, status := range []string{"", parley.AttachmentInProgress, "", parley.AttachmentApproved, "",
		parley.AttachmentInProgress, parley.AttachmentRejected} {
		f := newFile(string(rune('a'+i)), c, "p-1")
		// Inserted newest first, so the order must come from CreatedAt.
		f.CreatedAt = base.Add(time.Duration(10-i) * time.Minute)
		f.Status = status
		files = append(files, f)
		update(t, s, func(tx parley.Tx) error { return tx.InsertFile(ctx, f) })
	}
	ids := func(fs []*parley.File) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    parley.FileQuery
		want []string
	}{
		{"not completed", parley.FileQuery{}, []string{"e", "c", "a"}},
		{"in progress", parley.FileQuery{Status: parley.AttachmentInProgress}, []string{"f", "b"}},
		{"limit", parley.FileQuery{Limit: 2}, []string{"e", "c"}},
		{"created before", parley.FileQuery{CreatedBefore: files[2].CreatedAt}, []string{"e"}},
		{"created before, none", parley.FileQuery{CreatedBefore: base}, nil},
		{"rejected", parley.FileQuery{Status: parley.AttachmentRejected}, []string{"g"}},
	} {
		got, err := s.ListFiles(ctx, tc.q)
		must(t, "ListFiles "+tc.name, err)
		diff(t, "ListFiles "+tc.name, tc.want, ids(got))
	}
}

func testItemRevision(t *testing.T, s parley.Store) {
	ctx := t.Context()
	att := newItem("chain-1", "att-1")
	att.Type, att.Content, att.ContentType = parley.ItemAttachment, "", ""
	att.Attachments = []parley.Attachment{{ID: "f-1", Name: "a.png", ContentType: "image/png",
		Status: parley.AttachmentInProgress}}
	rev := newItem("chain-1", "rev-1")
	rev.Type, rev.Content, rev.ContentType, rev.Transient, rev.Revises = parley.ItemAttachment, "", "", true, "att-1"
	rev.Attachments = []parley.Attachment{{ID: "f-1", Name: "a.png", ContentType: "image/png",
		Status: parley.AttachmentApproved}}
	appendItems(t, s, att)
	update(t, s, func(tx parley.Tx) error {
		if err := tx.SetItemAttachments(ctx, "att-1", rev.Attachments); err != nil {
			return err
		}
		return tx.AppendItem(ctx, rev)
	})
	got, err := s.GetItem(ctx, "att-1")
	must(t, "GetItem", err)
	wantAtt := stored(att)
	wantAtt.Attachments = rev.Attachments
	diff(t, "revised item", wantAtt, got)
	got, err = s.GetItem(ctx, "rev-1")
	must(t, "GetItem of the revision", err)
	diff(t, "revision", stored(rev), got)
	page, err := s.ListItems(ctx, parley.ItemQuery{ChainID: "chain-1", Transcript: true})
	must(t, "ListItems", err)
	diff(t, "transcript", []*parley.Item{wantAtt}, page)

	err = s.Update(ctx, func(tx parley.Tx) error { return tx.SetItemAttachments(ctx, "missing", nil) })
	wantNotFound(t, "SetItemAttachments of a missing item", err, "ITEM")
}
