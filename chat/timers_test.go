package chat_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/bus/local"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/store/sqlite"
)

// openTimerFixture opens a chat service with cfg on the SQLite file at path (a new one, or one a previous
// fixture left: a restart), on clk.
func openTimerFixture(t *testing.T, path string, clk *fakeClock, cfg chat.Config) *flowFixture {
	t.Helper()
	ctx := t.Context()
	st, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bus := local.New()
	cfg.Secret = bytes.Repeat([]byte{5}, 32)
	svc, err := chat.New(st, bus, clk, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	inst, _, err := svc.Bootstrap(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	qs, err := st.ListQueues(ctx, inst.ID)
	if err != nil || len(qs) == 0 {
		t.Fatalf("queues: %v, %v", qs, err)
	}
	return &flowFixture{t: t, st: st, bus: bus, svc: svc, clk: clk, inst: inst, queue: qs[0]}
}

func newTimerFixture(t *testing.T, cfg chat.Config) *flowFixture {
	t.Helper()
	clk := &fakeClock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	return openTimerFixture(t, filepath.Join(t.TempDir(), "parley.db"), clk, cfg)
}

// defaultFlow returns the instance's default inbound flow (it queues the chat).
func (f *flowFixture) defaultFlow() string {
	f.t.Helper()
	_, def, err := f.svc.Bootstrap(f.t.Context(), "test")
	if err != nil {
		f.t.Fatal(err)
	}
	return def.ID
}

// startDefault starts a chat on the instance's default flow and returns the customer.
func (f *flowFixture) startDefault() *chat.Caller {
	f.t.Helper()
	return f.start(f.defaultFlow(), nil)
}

// fire runs FireParticipantTimers and checks how many timers it fired.
func (f *flowFixture) fire(want int, when string) {
	f.t.Helper()
	if n, err := f.svc.FireParticipantTimers(f.t.Context()); err != nil || n != want {
		f.t.Fatalf("FireParticipantTimers %s: %d, %v; want %d", when, n, err, want)
	}
}

// timeline returns the chain's items as "ROLE event" (the last part of an event's content type, with "~" for a
// transient one) and "ROLE: content" for messages, leaving out the participants joining and leaving the queue.
func (f *flowFixture) timeline(chain string) []string {
	f.t.Helper()
	items, err := f.st.ListItems(f.t.Context(), parley.ItemQuery{ChainID: chain})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		switch {
		case it.Type == parley.ItemMessage:
			out = append(out, string(it.Role)+": "+it.Content)
		case it.ContentType == parley.EventParticipantJoined:
		default:
			name := strings.TrimPrefix(it.ContentType, "application/vnd.amazonaws.connect.event.")
			if it.Transient {
				name = "~" + name
			}
			out = append(out, string(it.Role)+" "+name)
		}
	}
	return out
}

func wantTimeline(t *testing.T, f *flowFixture, chain string, want ...string) {
	t.Helper()
	if got := f.timeline(chain); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("items:\n got %q\nwant %q", got, want)
	}
}

// TestTimersIdleAndReturned: with the server's default timers and no API call, a customer silent for 10 minutes
// after the agent joined is marked idle once; the next message returns it first and starts the timers again.
func TestTimersIdleAndReturned(t *testing.T) {
	f := newTimerFixture(t, chat.Config{})
	cust := f.startDefault()
	f.clk.add(time.Hour) // waiting in the queue starts no timer
	f.fire(0, "before an agent joined")
	agent := f.agent(cust.Contact.ID)
	if _, err := f.svc.SendMessage(t.Context(), agent, "text/plain", "hi", ""); err != nil {
		t.Fatal(err)
	}
	f.clk.add(9 * time.Minute)
	f.fire(0, "before the idle timer")
	f.clk.add(time.Minute)
	f.fire(1, "at the idle timer")
	f.fire(0, "again")
	if _, err := f.svc.SendMessage(t.Context(), cust, "text/plain", "back", ""); err != nil {
		t.Fatal(err)
	}
	f.clk.add(10 * time.Minute) // within the slack of the reset
	f.fire(0, "before the reset idle timer")
	f.clk.add(time.Minute)
	f.fire(1, "after the reset idle timer")
	wantTimeline(t, f, cust.Contact.ID, "AGENT: hi", "CUSTOMER ~participant.idle", "CUSTOMER ~participant.returned",
		"CUSTOMER: back", "CUSTOMER ~participant.idle")
	page, err := f.svc.GetTranscript(t.Context(), cust, chat.TranscriptQuery{MaxResults: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range page.Items {
		if strings.Contains(it.ContentType, "participant.idle") || strings.Contains(it.ContentType, "returned") {
			t.Errorf("GetTranscript holds %s; Connect keeps timer events out of transcripts", it.ContentType)
		}
	}
}

// TestTimersCustomerAutoDisconnect: a customer idle for the auto-disconnect timer has the agent disconnected,
// and the chat ends, once.
func TestTimersCustomerAutoDisconnect(t *testing.T) {
	f := newTimerFixture(t, chat.Config{CustomerIdle: 2 * time.Minute, CustomerAutoDisconnect: 3 * time.Minute})
	cust := f.startDefault()
	f.agent(cust.Contact.ID)
	f.clk.add(2 * time.Minute)
	f.fire(1, "at the idle timer")
	f.clk.add(3*time.Minute - time.Millisecond)
	f.fire(0, "before the auto-disconnect timer")
	f.clk.add(time.Millisecond)
	f.fire(1, "at the auto-disconnect timer")
	f.clk.add(time.Hour)
	f.fire(0, "after the end")
	c, err := f.st.GetContact(t.Context(), cust.Contact.ID)
	if err != nil || c.Active() || c.DisconnectReason != parley.ReasonAgentDisconnect {
		t.Fatalf("contact after the auto-disconnect: %+v, %v; want ended, AGENT_DISCONNECT", c, err)
	}
	wantTimeline(t, f, cust.Contact.ID, "CUSTOMER ~participant.idle", "CUSTOMER ~participant.autodisconnection",
		"AGENT participant.left", "SYSTEM chat.ended")
}

// TestTimersAgentAutoDisconnect: UpdateParticipantRoleConfig sets an agent's auto-disconnect timer alone (it
// starts at once) and removes the customer's default ones; the silent agent is disconnected as when it leaves:
// the contact's disconnect flow takes the customer.
func TestTimersAgentAutoDisconnect(t *testing.T) {
	f := newTimerFixture(t, chat.Config{})
	f.flow("inqueue", "q1", inQueue, inQueueWait)
	f.flow("disc", "d1", discSay, discWait, discBack, discEnd)
	cust := f.start(f.flow("main", "hooks", hooks, setq, toq, end), nil)
	first := cust.Contact.ID
	err := f.svc.UpdateParticipantRoleConfig(t.Context(), f.inst.ID, first, []chat.TimerSetting{
		{Role: parley.RoleAgent, Type: chat.TimerDisconnect, Minutes: 5},
		{Role: parley.RoleCustomer, Type: chat.TimerIdle, Minutes: parley.TimerUnset},
		{Role: parley.RoleCustomer, Type: chat.TimerDisconnect, Minutes: parley.TimerUnset},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.agent(first)
	if _, err := f.svc.SendMessage(t.Context(), cust, "text/plain", "anyone?", ""); err != nil {
		t.Fatal(err)
	}
	f.clk.add(5 * time.Minute)
	f.fire(1, "at the agent's auto-disconnect timer")
	f.fire(0, "again")
	old, err := f.st.GetContact(t.Context(), first)
	if err != nil || old.Active() || old.DisconnectReason != parley.ReasonAgentDisconnect {
		t.Fatalf("the agent's contact: %+v, %v; want ended, AGENT_DISCONNECT", old, err)
	}
	next, err := f.st.ActiveContact(t.Context(), first)
	if err != nil || next.ID == first || !next.Active() || next.InitiationMethod != chat.InitiationDisconnect {
		t.Fatalf("the contact the disconnect flow runs on: %+v, %v", next, err)
	}
	if next.Timers != old.Timers {
		t.Errorf("the new contact's timers %+v, want the chat's %+v", next.Timers, old.Timers)
	}
	wantTimeline(t, f, first, "SYSTEM: You are in the queue.", "CUSTOMER: anyone?", "AGENT ~participant.autodisconnection",
		"AGENT participant.left", "SYSTEM: The agent has disconnected.")
}

// TestTimersOff: with the server's defaults off and no UpdateParticipantRoleConfig, no timer runs, as in Connect.
func TestTimersOff(t *testing.T) {
	f := newTimerFixture(t, chat.Config{CustomerIdle: -1, CustomerAutoDisconnect: -1})
	cust := f.startDefault()
	f.agent(cust.Contact.ID)
	f.clk.add(8 * time.Hour)
	f.fire(0, "with the timers off")
	if c, err := f.st.GetContact(t.Context(), cust.Contact.ID); err != nil || !c.Active() {
		t.Fatalf("contact: %+v, %v; want active", c, err)
	}
}

// TestTimersRestart: a timer armed before a restart fires once after it, from the stored deadline.
func TestTimersRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	clk := &fakeClock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	f := openTimerFixture(t, path, clk, chat.Config{})
	cust := f.startDefault()
	f.agent(cust.Contact.ID)
	f.svc.Close()
	if err := f.st.Close(); err != nil {
		t.Fatal(err)
	}
	clk.add(10 * time.Minute)
	g := openTimerFixture(t, path, clk, chat.Config{})
	g.fire(1, "after the restart")
	g.fire(0, "again")
	wantTimeline(t, g, cust.Contact.ID, "CUSTOMER ~participant.idle")
}

// TestTimersDurationStillEnds: a customer who keeps writing is never idle, and the chat duration still ends the
// chat.
func TestTimersDurationStillEnds(t *testing.T) {
	f := newTimerFixture(t, chat.Config{})
	out, err := f.svc.StartChat(t.Context(), chat.StartChatInput{InstanceID: f.inst.ID, ContactFlowID: f.defaultFlow(),
		DisplayName: "Ann", DurationMinutes: 60})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := f.svc.CreateConnection(t.Context(), out.ParticipantToken, chat.ConnectionInput{Credentials: true})
	if err != nil {
		t.Fatal(err)
	}
	cust, err := f.svc.Authenticate(t.Context(), conn.ConnectionToken)
	if err != nil {
		t.Fatal(err)
	}
	f.agent(out.ContactID)
	for range 12 {
		if _, err := f.svc.SendMessage(t.Context(), cust, "text/plain", "still here", ""); err != nil {
			t.Fatal(err)
		}
		f.clk.add(5 * time.Minute)
		f.fire(0, "while the customer writes")
	}
	f.clk.add(time.Second)
	if n, err := f.svc.ExpireDue(t.Context()); err != nil || n != 1 {
		t.Fatalf("ExpireDue: %d, %v; want the chat's duration", n, err)
	}
	c, err := f.st.GetContact(t.Context(), out.ContactID)
	if err != nil || c.Active() || c.DisconnectReason != parley.ReasonExpired {
		t.Fatalf("contact: %+v, %v; want ended, EXPIRED", c, err)
	}
}

// TestUpdateParticipantRoleConfigRules: a role and type given twice, a duration out of range, an ended contact.
func TestUpdateParticipantRoleConfigRules(t *testing.T) {
	f := newTimerFixture(t, chat.Config{})
	cust := f.startDefault()
	set := func(ts ...chat.TimerSetting) error {
		return f.svc.UpdateParticipantRoleConfig(t.Context(), f.inst.ID, cust.Contact.ID, ts)
	}
	idle := chat.TimerSetting{Role: parley.RoleCustomer, Type: chat.TimerIdle, Minutes: 5}
	if err := set(idle, idle); !parley.IsCode(err, parley.EINVALID) {
		t.Errorf("the same timer twice: %v; want EINVALID", err)
	}
	if err := set(chat.TimerSetting{Role: parley.RoleAgent, Type: chat.TimerIdle, Minutes: 481}); !parley.IsCode(err, parley.EINVALID) {
		t.Errorf("481 minutes: %v; want EINVALID", err)
	}
	if err := f.svc.UpdateParticipantRoleConfig(t.Context(), f.inst.ID, "nope", []chat.TimerSetting{idle}); !parley.IsCode(err, parley.ENOTFOUND) {
		t.Errorf("unknown contact: %v; want ENOTFOUND", err)
	}
	if err := set(idle); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.st.GetContact(t.Context(), cust.Contact.ID); c.Timers != (parley.ParticipantTimers{CustomerIdle: 5}) {
		t.Errorf("stored timers %+v", c.Timers)
	}
	if err := f.svc.Disconnect(t.Context(), cust, ""); err != nil {
		t.Fatal(err)
	}
	if err := set(idle); !parley.IsCode(err, parley.EREQUEST) {
		t.Errorf("an ended contact: %v; want EREQUEST", err)
	}
}
