package transcripts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/parley-chat/parley"
	blobfs "github.com/parley-chat/parley/blob/fs"
	blobs3 "github.com/parley-chat/parley/blob/s3"
	"github.com/parley-chat/parley/store/sqlite"
	"github.com/parley-chat/parley/transcripts"
)

var update = flag.Bool("update", false, "rewrite the golden files")

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var base = time.Date(2026, 3, 14, 15, 9, 26, 535_000_000, time.UTC)

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "parley.db"), nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// seed stores an instance and a chat of two contacts, both ended: c-1 (a customer, an agent, messages, events,
// an attachment) transferred to c-2 (one message). The attachment's bytes go to b when it is not nil.
func seed(t *testing.T, s parley.Store, b parley.Blob) {
	t.Helper()
	ctx := t.Context()
	in := &parley.Instance{ID: "inst-1", ARN: "arn:aws:connect:us-west-2:123456789012:instance/inst-1", Alias: "acme", CreatedAt: base}
	contact := func(id string, initiated, ended time.Time) *parley.Contact {
		return &parley.Contact{ID: id, InstanceID: in.ID, InitialContactID: "c-1", Channel: parley.ChannelChat,
			InitiationMethod: "API", State: parley.ContactEnded, InitiatedAt: initiated, EndedAt: ended, UpdatedAt: ended}
	}
	c1, c2 := contact("c-1", base, base.Add(10*time.Minute)), contact("c-2", base.Add(10*time.Minute), base.Add(20*time.Minute))
	c2.PreviousContactID, c2.InitiationMethod = "c-1", "TRANSFER"
	part := func(id, contactID string, role parley.Role, name string) *parley.Participant {
		return &parley.Participant{ID: id, ContactID: contactID, ChainID: "c-1", Role: role, DisplayName: name,
			State: parley.ParticipantLeft, JoinedAt: base, TokenHash: []byte("h-" + id)}
	}
	item := func(contactID, id string, typ parley.ItemType, ct, content, pid string, role parley.Role, name string) *parley.Item {
		return &parley.Item{ChainID: "c-1", ContactID: contactID, ID: id, Type: typ, ContentType: ct, Content: content,
			ParticipantID: pid, DisplayName: name, Role: role}
	}
	const cust, agent = "p-customer", "p-agent"
	att := item("c-1", "i-attachment", parley.ItemAttachment, "application/pdf", "", cust, parley.RoleCustomer, "Jane")
	att.Attachments = []parley.Attachment{{ID: "att-1", Name: "receipt.pdf", ContentType: "application/pdf", Status: parley.AttachmentApproved}}
	typing := item("c-1", "i-typing", parley.ItemEvent, parley.EventTyping, "", agent, parley.RoleAgent, "Sam")
	typing.Transient = true
	endedForAgent := item("c-1", "i-ended-agent", parley.ItemEvent, parley.EventChatEnded, "", "", parley.RoleSystem, "SYSTEM_MESSAGE")
	endedForAgent.Recipient = agent
	items := []*parley.Item{
		item("c-1", "i-joined-customer", parley.ItemEvent, parley.EventParticipantJoined, "", cust, parley.RoleCustomer, "Jane"),
		item("c-1", "i-hello", parley.ItemMessage, parley.ContentTextPlain, "Hello, my order is late", cust, parley.RoleCustomer, "Jane"),
		item("c-1", "i-joined-agent", parley.ItemEvent, parley.EventParticipantJoined, "", agent, parley.RoleAgent, "Sam"),
		item("c-1", "i-answer", parley.ItemMessage, parley.ContentTextMarkdown, "Let me **check**", agent, parley.RoleAgent, "Sam"),
		att, typing,
		item("c-1", "i-left-agent", parley.ItemEvent, parley.EventParticipantLeft, "", agent, parley.RoleAgent, "Sam"),
		endedForAgent,
		item("c-1", "i-transferred", parley.ItemEvent, parley.EventTransferSucceeded, "", "", parley.RoleSystem, "SYSTEM_MESSAGE"),
		item("c-2", "i-later", parley.ItemMessage, parley.ContentTextPlain, "Anyone there?", cust, parley.RoleCustomer, "Jane"),
		item("c-2", "i-left-customer", parley.ItemEvent, parley.EventParticipantLeft, "", cust, parley.RoleCustomer, "Jane"),
		item("c-2", "i-ended", parley.ItemEvent, parley.EventChatEnded, "", "", parley.RoleSystem, ""),
	}
	for i, it := range items {
		it.Time = base.Add(time.Duration(i+1) * time.Second)
		if it.ContactID == "c-2" {
			it.Time = it.Time.Add(10 * time.Minute) // after the transfer
		}
	}
	err := s.Update(ctx, func(tx parley.Tx) error {
		if err := tx.PutInstance(ctx, in); err != nil {
			return err
		}
		for _, c := range []*parley.Contact{c1, c2} {
			if err := tx.InsertContact(ctx, c); err != nil {
				return err
			}
		}
		for _, p := range []*parley.Participant{part(cust, "c-1", parley.RoleCustomer, "Jane"), part(agent, "c-1", parley.RoleAgent, "Sam")} {
			if err := tx.InsertParticipant(ctx, p); err != nil {
				return err
			}
		}
		if err := tx.InsertFile(ctx, &parley.File{ID: "att-1", InstanceID: in.ID, ContactID: "c-1", ChainID: "c-1",
			ParticipantID: cust, ClientToken: "tok", Name: "receipt.pdf", ContentType: "application/pdf", Size: 3,
			Status: parley.AttachmentApproved, ItemID: att.ID, CreatedAt: base, CompletedAt: base}); err != nil {
			return err
		}
		if err := tx.PutIdempotent(ctx, "StartChatContact:inst-1", "token-1", []byte(`{}`)); err != nil {
			return err
		}
		for _, it := range items {
			if err := tx.AppendItem(ctx, it); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	if b != nil {
		if err := b.Put(ctx, "files/att-1", bytes.NewReader([]byte("pdf")), 3); err != nil {
			t.Fatal(err)
		}
	}
}

// golden compares got, a transcript document, with testdata/name: field by field for a readable difference, then
// byte for byte once indented, which holds the order of the fields to Connect's (or rewrites it with -update).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	var indented bytes.Buffer
	if err := json.Indent(&indented, got, "", "  "); err != nil {
		t.Fatalf("exported transcript: %v\n%s", err, got)
	}
	indented.WriteByte('\n')
	if *update {
		if err := os.WriteFile(path, indented.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wantB, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want, have map[string]any
	if err := json.Unmarshal(wantB, &want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if err := json.Unmarshal(got, &have); err != nil {
		t.Fatalf("exported transcript: %v\n%s", err, got)
	}
	if d := cmp.Diff(want, have); d != "" {
		t.Errorf("exported transcript differs from %s (-want +got):\n%s", path, d)
	} else if !bytes.Equal(wantB, indented.Bytes()) {
		t.Errorf("exported transcript has the fields of %s in another order:\n%s", path, indented.Bytes())
	}
}

func newExporter(t *testing.T, s parley.Store, dest transcripts.Destination, clock parley.Clock) *transcripts.Exporter {
	t.Helper()
	e, err := transcripts.NewExporter(s, dest, "", transcripts.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func exportPending(t *testing.T, e *transcripts.Exporter, want int) {
	t.Helper()
	n, err := e.ExportPending(t.Context())
	if err != nil {
		t.Fatalf("ExportPending: %v", err)
	}
	if n != want {
		t.Fatalf("ExportPending exported %d transcripts, want %d", n, want)
	}
}

func TestExportGolden(t *testing.T) {
	s := openStore(t)
	seed(t, s, nil)
	dir := t.TempDir()
	dest, err := transcripts.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: base.Add(time.Hour)}
	exportPending(t, newExporter(t, s, dest, clock), 2)

	for _, c := range []struct{ key, golden string }{
		{"connect/acme/ChatTranscripts/2026/03/14/c-1_20260314T15:09_UTC.json", "c-1.json"},
		{"connect/acme/ChatTranscripts/2026/03/14/c-2_20260314T15:19_UTC.json", "c-2.json"},
	} {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(c.key)))
		if err != nil {
			t.Fatalf("exported transcript: %v", err)
		}
		golden(t, c.golden, got)
	}

	// Exported once: neither this exporter nor a new one (a restart) exports them again.
	exportPending(t, newExporter(t, s, dest, clock), 0)
	clock.add(time.Hour)
	exportPending(t, newExporter(t, s, dest, clock), 0)
}

// flaky fails its first n Puts.
type flaky struct {
	mu   sync.Mutex
	n    int
	puts map[string][]byte
}

func (f *flaky) Put(_ context.Context, key string, body []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n > 0 {
		f.n--
		return errors.New("bucket unreachable")
	}
	f.puts[key] = body
	return nil
}

// TestExportRetry: a failed write is tried again at the next pass, and does not hold up the other contacts.
func TestExportRetry(t *testing.T) {
	s := openStore(t)
	seed(t, s, nil)
	dest := &flaky{n: 3, puts: map[string][]byte{}}
	e := newExporter(t, s, dest, &fakeClock{t: base.Add(time.Hour)})
	if n, err := e.ExportPending(t.Context()); err == nil || n != 0 {
		t.Fatalf("ExportPending to an unreachable destination: %d, %v; want 0 and an error", n, err)
	}
	if n, err := e.ExportPending(t.Context()); err == nil || n != 1 {
		t.Fatalf("ExportPending with one write failing: %d, %v; want the other exported and an error", n, err)
	}
	exportPending(t, e, 1)
	exportPending(t, e, 0)
	if len(dest.puts) != 2 {
		t.Errorf("destination holds %d transcripts, want 2", len(dest.puts))
	}
}

func TestExportS3(t *testing.T) {
	backend := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	if err := backend.CreateBucket("transcripts"); err != nil {
		t.Fatal(err)
	}
	dest, err := transcripts.NewBucket(blobs3.Config{Bucket: "transcripts", Endpoint: srv.URL, PathStyle: true,
		AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t)
	seed(t, s, nil)
	exportPending(t, newExporter(t, s, dest, &fakeClock{t: base.Add(time.Hour)}), 2)
	obj, err := backend.GetObject("transcripts", "connect/acme/ChatTranscripts/2026/03/14/c-1_20260314T15:09_UTC.json", nil)
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	defer obj.Contents.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(obj.Contents); err != nil {
		t.Fatal(err)
	}
	golden(t, "c-1.json", buf.Bytes())
}

func TestSweep(t *testing.T) {
	ctx := t.Context()
	for _, exportedOnly := range []bool{false, true} {
		s := openStore(t)
		b, err := blobfs.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		seed(t, s, b)
		clock := &fakeClock{t: base.Add(time.Hour)}
		sw, err := transcripts.NewSweeper(s, b, 24*time.Hour, exportedOnly, transcripts.Options{Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		sweep := func(want int) {
			t.Helper()
			n, err := sw.Sweep(ctx)
			if err != nil || n != want {
				t.Fatalf("Sweep (exportedOnly %v) at %v: deleted %d chats, %v; want %d", exportedOnly, clock.Now(), n, err, want)
			}
		}
		sweep(0)
		clock.add(23 * time.Hour)
		sweep(0) // c-2 ended 20 minutes after c-1: the chat is kept until both are past retention
		clock.t = time.Now().Add(48 * time.Hour)
		if exportedOnly {
			sweep(0)
			exportPending(t, newExporter(t, s, &flaky{puts: map[string][]byte{}}, clock), 2)
		}
		sweep(1)
		for _, id := range []string{"c-1", "c-2"} {
			if _, err := s.GetContact(ctx, id); !parley.IsCode(err, parley.ENOTFOUND) {
				t.Errorf("GetContact(%s) after the sweep: %v, want ENOTFOUND", id, err)
			}
		}
		if _, err := s.GetParticipant(ctx, "p-customer"); !parley.IsCode(err, parley.ENOTFOUND) {
			t.Errorf("GetParticipant after the sweep: %v, want ENOTFOUND", err)
		}
		if items, err := s.ListItems(ctx, parley.ItemQuery{ChainID: "c-1"}); err != nil || len(items) != 0 {
			t.Errorf("ListItems after the sweep: %d items, %v; want none", len(items), err)
		}
		if _, err := s.GetFile(ctx, "att-1"); !parley.IsCode(err, parley.ENOTFOUND) {
			t.Errorf("GetFile after the sweep: %v, want ENOTFOUND", err)
		}
		if _, err := b.Stat(ctx, "files/att-1"); !parley.IsCode(err, parley.ENOTFOUND) {
			t.Errorf("attachment bytes after the sweep: %v, want ENOTFOUND", err)
		}
		if _, err := s.Idempotent(ctx, "StartChatContact:inst-1", "token-1"); !parley.IsCode(err, parley.ENOTFOUND) {
			t.Errorf("idempotency record after the sweep: %v, want ENOTFOUND", err)
		}
		sweep(0)
	}
}

// counting records every Put.
type counting struct {
	mu   sync.Mutex
	puts []string
}

func (c *counting) Put(_ context.Context, key string, _ []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.puts = append(c.puts, key)
	return nil
}

func (c *counting) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.puts)
}

// TestExportOneNode: two nodes' exporters on one store (the lease decides which exports) write each transcript
// once.
func TestExportOneNode(t *testing.T) {
	s := openStore(t)
	seed(t, s, nil)
	dest := &counting{}
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	for _, node := range []string{"node-a", "node-b"} {
		e, err := transcripts.NewExporter(s, dest, "", transcripts.Options{NodeID: node, Interval: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.Run(ctx)
		}()
	}
	for dest.count() < 2 {
		time.Sleep(time.Millisecond)
	}
	// Both keep looking for a while: nothing is exported again.
	for range 50 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	wg.Wait()
	if dest.count() != 2 || dest.puts[0] == dest.puts[1] {
		t.Errorf("puts %v, want each of the two transcripts once", dest.puts)
	}
}
