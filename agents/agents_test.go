package agents_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/admin"
	"github.com/parley-chat/parley/agents"
	"github.com/parley-chat/parley/bus/local"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/store/sqlite"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a chat core, configuration and agent service over a real SQLite file, with a fake clock.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	clk   *clock
	store parley.Store
	bus   parley.Bus
	chat  *chat.Service
	admin *admin.Service
	ag    *agents.Service
	inst  *parley.Instance
	def   *admin.Defaults
	hours string
}

func newFixture(t *testing.T, offerTimeout time.Duration) *fixture {
	t.Helper()
	return newFixtureOn(t, offerTimeout, local.New())
}

// newFixtureOn is newFixture on a bus of the test's choosing.
func newFixtureOn(t *testing.T, offerTimeout time.Duration, bus parley.Bus) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir()+"/parley.db", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &clock{t: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}
	cs, err := chat.New(st, bus, clk, nil, chat.Config{Secret: bytes.Repeat([]byte{1}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	inst, _, err := cs.Bootstrap(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	adm := admin.New(st, bus, clk, nil, admin.Config{NoDemoAgent: true})
	def, err := adm.EnsureDefaults(ctx, inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	ag := agents.New(st, bus, cs, adm, clk, nil, agents.Config{OfferTimeout: offerTimeout, NoTimer: true})
	if err := ag.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ag.Close)
	return &fixture{t: t, ctx: ctx, clk: clk, store: st, bus: bus, chat: cs, admin: adm, ag: ag, inst: inst, def: def,
		hours: def.Hours.ID}
}

func (f *fixture) queue(name string) *parley.Queue {
	f.t.Helper()
	q, err := f.admin.CreateQueue(f.ctx, f.inst.ID, admin.QueueInput{Name: name, HoursOfOperationID: f.hours})
	if err != nil {
		f.t.Fatal(err)
	}
	return q
}

// flowTo makes a contact flow that transfers chats to q.
func (f *fixture) flowTo(q *parley.Queue) string {
	f.t.Helper()
	id := "flow-" + q.ID
	content := fmt.Sprintf(`{"Version":"2019-10-30","StartAction":"a","Actions":[`+
		`{"Identifier":"a","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":%q},"Transitions":{"NextAction":"b"}},`+
		`{"Identifier":"b","Type":"TransferContactToQueue","Parameters":{},"Transitions":{}}]}`, q.ARN)
	err := f.store.Update(f.ctx, func(tx parley.Tx) error {
		return tx.PutContactFlow(f.ctx, &parley.ContactFlow{ID: id, InstanceID: f.inst.ID, ARN: f.inst.ARN + "/contact-flow/" + id,
			Name: "to " + q.Name, Type: "CONTACT_FLOW", State: "ACTIVE", Status: "PUBLISHED", Content: content})
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *fixture) profile(name string, slots int, queues ...parley.RoutingProfileQueue) *parley.RoutingProfile {
	f.t.Helper()
	p, err := f.admin.CreateRoutingProfile(f.ctx, f.inst.ID, admin.RoutingProfileInput{Name: name, Description: name,
		DefaultOutboundQueueID: queues[0].QueueID, ChatConcurrency: slots, Queues: queues})
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

func (f *fixture) user(name string, profile *parley.RoutingProfile) *parley.User {
	f.t.Helper()
	return f.userWith(admin.UserInput{Username: name, RoutingProfileID: profile.ID})
}

// userWith creates an agent (security profile Agent) from in.
func (f *fixture) userWith(in admin.UserInput) *parley.User {
	f.t.Helper()
	profiles, _ := f.store.ListSecurityProfiles(f.ctx, f.inst.ID)
	for _, p := range profiles {
		if p.Name == parley.ProfileAgent {
			in.SecurityProfileIDs = []string{p.ID}
		}
	}
	u, err := f.admin.CreateUser(f.ctx, f.inst.ID, in)
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *fixture) available(u *parley.User) {
	f.t.Helper()
	if err := f.ag.SetStatus(f.ctx, u, "Available"); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) start(flowID string) string {
	f.t.Helper()
	out, err := f.chat.StartChat(f.ctx, chat.StartChatInput{InstanceID: f.inst.ID, ContactFlowID: flowID, DisplayName: "C"})
	if err != nil {
		f.t.Fatal(err)
	}
	return out.ContactID
}

func (f *fixture) check() {
	f.t.Helper()
	if err := f.ag.Check(); err != nil {
		f.t.Fatal(err)
	}
}

func pq(q *parley.Queue, prio, delay int) parley.RoutingProfileQueue {
	return parley.RoutingProfileQueue{QueueID: q.ID, Channel: parley.ChannelChat, Priority: prio, Delay: delay}
}

func offerOf(t *testing.T, sub *agents.Subscription) agents.ContactView {
	t.Helper()
	for {
		select {
		case ev := <-sub.C:
			if ev.Kind == agents.EventOffer {
				return *ev.Contact
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no offer")
		}
	}
}

// TestRoutingScenario: the right agent gets the chat, offers time out into Missed, rejects go to the next agent,
// accept joins the agent, a transfer queues a new contact of the chain, ACW holds the slot until cleared.
func TestRoutingScenario(t *testing.T) {
	f := newFixture(t, 30*time.Second)
	sales, support := f.queue("Sales"), f.queue("Support")
	salesFlow := f.flowTo(sales)
	ann := f.user("ann", f.profile("Sales only", 1, pq(sales, 1, 0)))
	bob := f.user("bob", f.profile("Support first", 2, pq(support, 1, 0), pq(sales, 2, 0)))
	f.available(ann)
	f.clk.add(time.Second)
	f.available(bob) // ann is idle longer
	annSub, bobSub := f.ag.Subscribe(ann), f.ag.Subscribe(bob)

	c1 := f.start(salesFlow)
	if o := offerOf(t, annSub); o.ContactID != c1 || o.QueueID != sales.ID {
		t.Fatalf("ann got %+v", o)
	}
	f.check()
	// Ann lets it time out: she goes to Missed, Bob (who serves Sales at a lower priority) gets it.
	f.clk.add(31 * time.Second)
	f.ag.Tick()
	if st := f.ag.State(ann); st.System != agents.SystemMissed {
		t.Fatalf("ann after a timeout: %s", st.System)
	}
	if o := offerOf(t, bobSub); o.ContactID != c1 {
		t.Fatalf("bob got %+v", o)
	}
	// Bob rejects; Ann is Missed, so nobody else can take it: it comes straight back to Bob (no contact waits
	// while an agent could take it).
	if err := f.ag.Reject(f.ctx, bob, c1); err != nil {
		t.Fatal(err)
	}
	if o := offerOf(t, bobSub); o.ContactID != c1 {
		t.Fatalf("bob re-offered %+v", o)
	}
	f.check()
	// Ann is back; Bob lets the offer time out: Ann gets it.
	f.available(ann)
	f.clk.add(31 * time.Second)
	f.ag.Tick()
	if o := offerOf(t, annSub); o.ContactID != c1 {
		t.Fatalf("ann back: %+v", o)
	}
	f.available(bob)
	got, err := f.ag.Accept(f.ctx, ann, c1)
	if err != nil {
		t.Fatal(err)
	}
	if got.ParticipantToken == "" || got.State != agents.ContactConnected {
		t.Fatalf("accept = %+v", got)
	}
	// The workspace reloading its contacts gets the same token, and it connects as Ann's participant.
	var reloaded string
	for _, v := range f.ag.State(ann).Contacts {
		if v.ContactID == c1 {
			reloaded = v.ParticipantToken
		}
	}
	if reloaded != got.ParticipantToken {
		t.Fatalf("reloaded token %q, want the accepted %q", reloaded, got.ParticipantToken)
	}
	conn, err := f.chat.CreateConnection(f.ctx, reloaded, chat.ConnectionInput{Credentials: true})
	if err != nil {
		t.Fatalf("CreateParticipantConnection with the reloaded token: %v", err)
	}
	if c, err := f.chat.Authenticate(f.ctx, conn.ConnectionToken); err != nil || c.Participant.ID != got.ParticipantID {
		t.Fatalf("the reloaded token authenticates %+v, %v; want participant %s", c, err, got.ParticipantID)
	}
	// Accepting again, or Bob accepting, conflicts.
	if _, err := f.ag.Accept(f.ctx, bob, c1); !parley.IsCode(err, parley.ECONFLICT) {
		t.Fatalf("second accept: %v", err)
	}
	// A second Sales chat: Ann has one slot, so Bob gets it.
	c2 := f.start(salesFlow)
	if o := offerOf(t, bobSub); o.ContactID != c2 {
		t.Fatalf("bob got %+v", o)
	}
	if _, err := f.ag.Accept(f.ctx, bob, c2); err != nil {
		t.Fatal(err)
	}
	// Ann transfers c1 to Support: a new contact of the chain, queued on Support; Ann is in ACW.
	next, err := f.ag.Transfer(f.ctx, ann, c1, agents.TransferTarget{QueueID: support.ID})
	if err != nil {
		t.Fatal(err)
	}
	nc, _ := f.store.GetContact(f.ctx, next)
	if nc.InitialContactID != c1 || nc.PreviousContactID != c1 || nc.QueueID != support.ID || nc.InitiationMethod != "TRANSFER" {
		t.Fatalf("new contact %+v", nc)
	}
	if st := f.ag.State(ann); st.System != agents.SystemACW {
		t.Fatalf("ann after transfer: %s", st.System)
	}
	if o := offerOf(t, bobSub); o.ContactID != next {
		t.Fatalf("bob got %+v", o)
	}
	if _, err := f.ag.Accept(f.ctx, bob, next); err != nil {
		t.Fatal(err)
	}
	f.check()
	// A third Sales chat waits: Ann is in ACW (her one slot), Bob is full.
	c3 := f.start(salesFlow)
	f.check()
	if err := f.ag.Clear(f.ctx, ann, c1); err != nil {
		t.Fatal(err)
	}
	if o := offerOf(t, annSub); o.ContactID != c3 {
		t.Fatalf("ann after clearing ACW: %+v", o)
	}
	// The customer of c3 leaves while it is offered: the offer is withdrawn.
	if err := f.chat.StopContact(f.ctx, f.inst.ID, c3); err != nil {
		t.Fatal(err)
	}
	for ev := range annSub.C {
		if ev.Kind == agents.EventOfferWithdrawn {
			if ev.ContactID != c3 || ev.Reason != "customer_left" {
				t.Fatalf("withdrawn %+v", ev)
			}
			break
		}
	}
	f.check()
}

// TestConcurrentRouting: 200 chats started at once, 20 agents with mixed slots and profiles accepting, rejecting
// and ignoring offers at random, reloading their workspaces, customers leaving; the promises hold at every step,
// and every contact is eventually routed or ends.
func TestConcurrentRouting(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	f := newFixture(t, 30*time.Second)
	queues := []*parley.Queue{f.queue("Q1"), f.queue("Q2"), f.queue("Q3")}
	var flows []string
	for _, q := range queues {
		flows = append(flows, f.flowTo(q))
	}
	var users []*parley.User
	for i := range 20 {
		var refs []parley.RoutingProfileQueue
		for j, q := range queues {
			if rng.IntN(3) > 0 || (j == i%3) {
				refs = append(refs, pq(q, 1+rng.IntN(3), rng.IntN(2)*10))
			}
		}
		p := f.profile(fmt.Sprint("P", i), 1+rng.IntN(10), refs...)
		users = append(users, f.user(fmt.Sprint("agent", i), p))
	}
	for _, u := range users {
		f.available(u)
	}

	var wg sync.WaitGroup
	var resubscribed atomic.Int64
	stop := make(chan struct{})
	var calm sync.Once
	calmCh := make(chan struct{}) // after it closes, agents accept everything at once
	// Agents. Each acts on its events as a workspace does. When its stream is reopened, the first event is the
	// state: it then clears the after-contact work whose ended events it missed, and after the calm ends the
	// contacts whose connected events it missed. When the calm begins, it ends the contacts it chose to keep.
	for i, u := range users {
		sub := f.ag.Subscribe(u)
		r := rand.New(rand.NewPCG(seed, uint64(i)+2))
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { f.ag.Unsubscribe(u, sub) }()
			end := func(contactID string) {
				if err := f.ag.End(f.ctx, u, contactID); err != nil && !parley.IsCode(err, parley.ECONFLICT) && !parley.IsCode(err, parley.ENOTFOUND) {
					t.Error(err)
				}
			}
			reopened := false
			calm := calmCh
			for {
				select {
				case <-stop:
					return
				case <-calm:
					calm = nil
					for _, c := range f.ag.State(u).Contacts {
						if c.State == agents.ContactConnected {
							end(c.ContactID)
						}
					}
				case ev, ok := <-sub.C:
					if !ok { // fell behind: reconnect, as a workspace does (state and open offers come again)
						resubscribed.Add(1)
						sub, reopened = f.ag.Subscribe(u), true
						continue
					}
					if r.IntN(100) == 0 { // the agent reloads the workspace: what the old stream still held is lost
						f.ag.Unsubscribe(u, sub)
						resubscribed.Add(1)
						sub, reopened = f.ag.Subscribe(u), true
						continue
					}
					switch {
					case ev.Kind == agents.EventOffer:
						calmNow := isClosed(calmCh)
						switch n := r.IntN(10); {
						case calmNow || n < 6:
							if _, err := f.ag.Accept(f.ctx, u, ev.Contact.ContactID); err != nil && !parley.IsCode(err, parley.ECONFLICT) {
								t.Error(err)
							}
						case n < 8:
							if err := f.ag.Reject(f.ctx, u, ev.Contact.ContactID); err != nil && !parley.IsCode(err, parley.ECONFLICT) {
								t.Error(err)
							}
						} // else ignore: it times out and the agent goes Missed
					case ev.Kind == agents.EventContactConnected:
						if r.IntN(2) == 0 || isClosed(calmCh) {
							end(ev.Contact.ContactID)
						}
					case ev.Kind == agents.EventContactEnded:
						// A reopened stream never hears the end of a chat its opening state showed ended, so
						// this Clear fails only if a chat's end is heard twice.
						if err := f.ag.Clear(f.ctx, u, ev.ContactID); err != nil {
							t.Error(err)
						}
					case ev.Kind == agents.EventState:
						if reopened {
							reopened = false
							for _, c := range ev.State.Contacts {
								switch {
								case c.State == agents.ContactACW:
									if err := f.ag.Clear(f.ctx, u, c.ContactID); err != nil {
										t.Error(err)
									}
								case c.State == agents.ContactConnected && isClosed(calmCh):
									end(c.ContactID)
								}
							}
						}
						if ev.State.System == agents.SystemMissed {
							f.available(u)
						}
					}
				}
			}
		}()
	}
	// Customers: 200 chats at once; some leave while they wait.
	contacts := make([]string, 200)
	var starts sync.WaitGroup // contacts is read only once every start wrote its id
	for i := range contacts {
		starts.Add(1)
		go func() {
			defer starts.Done()
			contacts[i] = f.start(flows[i%len(flows)])
			if i%10 == 0 {
				_ = f.chat.StopContact(f.ctx, f.inst.ID, contacts[i])
			}
		}()
	}
	started := make(chan struct{})
	go func() { starts.Wait(); close(started) }()
	// The clock: time passes, offers expire; the promises are checked at every step.
	done := make(chan struct{})
	go func() {
		defer close(done)
		begin := time.Now()
		for step := 0; ; step++ {
			if err := f.ag.Check(); err != nil {
				t.Error(err)
				return
			}
			if step == 200 {
				calm.Do(func() { close(calmCh) })
			}
			if step > 200 && chanClosed(started) && f.allSettled(contacts) {
				return
			}
			// A bound against a livelock, not a speed test: on a loaded machine the agents' goroutines may need
			// many more steps to catch up, so it is in steps and in time both.
			if step > 2000 && time.Since(begin) > time.Minute {
				t.Errorf("contacts still unsettled after %d steps and %v (streams reopened: %d)", step, time.Since(begin).Round(time.Second), resubscribed.Load())
				for _, st := range f.ag.Agents() {
					var held []string
					for _, c := range st.Contacts {
						held = append(held, fmt.Sprintf("%s:%v", c.ContactID, c.State))
					}
					t.Logf("agent %s: %v, %d slots, holds %v", st.Username, st.System, st.Slots, held)
				}
				for _, q := range f.ag.Snapshot().Queues {
					t.Logf("queue %s: %d waiting", q.ID, len(q.Waiting))
				}
				return
			}
			f.clk.add(time.Duration(1+rng.IntN(10)) * time.Second)
			f.ag.Tick()
			time.Sleep(2 * time.Millisecond) // let agents react between steps
		}
	}()
	<-done
	close(stop)
	wg.Wait()
	f.check()
	routingSees := map[string]agents.ContactState{}
	for _, v := range f.ag.LiveContacts() {
		routingSees[v.ContactID] = v.State
	}
	for _, id := range contacts {
		c, err := f.store.GetContact(f.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.AgentID == "" && c.Active() {
			t.Errorf("contact %s was neither routed nor ended (queue %q; routing sees it as %q)", id, c.QueueID, routingSees[id])
		}
	}
}

// chanClosed reports whether ch is closed.
func chanClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// allSettled reports whether every contact has been connected to an agent or has ended.
func (f *fixture) allSettled(contacts []string) bool {
	for _, id := range contacts {
		if id == "" {
			return false
		}
		c, err := f.store.GetContact(f.ctx, id)
		if err != nil || (c.AgentID == "" && c.Active()) {
			return false
		}
	}
	return true
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// TestLimitsAutoAcceptAndDirectTransfer: a full queue ends new chats (the default flow's QueueAtCapacity branch)
// and refuses transfers (transfer.failed, the contact stays); an auto-accept agent is connected without
// accepting; a transfer to a user reaches that user alone.
func TestLimitsAutoAcceptAndDirectTransfer(t *testing.T) {
	f := newFixture(t, 30*time.Second)
	tiny, err := f.admin.CreateQueue(f.ctx, f.inst.ID, admin.QueueInput{Name: "Tiny", HoursOfOperationID: f.hours, MaxContacts: 1})
	if err != nil {
		t.Fatal(err)
	}
	tinyFlow := f.flowTo(tiny)
	waiting := f.start(tinyFlow)
	refused := f.start(tinyFlow)
	if c, _ := f.store.GetContact(f.ctx, waiting); !c.Active() {
		t.Fatal("the first chat of a queue with room ended")
	}
	if c, _ := f.store.GetContact(f.ctx, refused); c.Active() {
		t.Fatal("a chat was queued past the queue's MaxContacts")
	}

	basic := f.def.Queue
	var agentProfile string
	profiles, _ := f.store.ListSecurityProfiles(f.ctx, f.inst.ID)
	for _, p := range profiles {
		if p.Name == parley.ProfileAgent {
			agentProfile = p.ID
		}
	}
	carl, err := f.admin.CreateUser(f.ctx, f.inst.ID, admin.UserInput{Username: "carl", SecurityProfileIDs: []string{agentProfile},
		RoutingProfileID: f.profile("Basic 2", 2, pq(basic, 1, 0)).ID, AutoAccept: true})
	if err != nil {
		t.Fatal(err)
	}
	dave := f.user("dave", f.profile("Other", 1, pq(f.queue("Other"), 1, 0)))
	f.available(carl)
	f.available(dave)
	carlSub, daveSub := f.ag.Subscribe(carl), f.ag.Subscribe(dave)
	_, def, err := f.chat.Bootstrap(f.ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	c1 := f.start(def.ID)
	for ev := range carlSub.C {
		if ev.Kind == agents.EventContactConnected {
			if ev.Contact.ContactID != c1 || ev.Contact.ParticipantToken == "" {
				t.Fatalf("auto-accepted %+v", ev.Contact)
			}
			break
		}
	}
	// Tiny is full: the transfer fails and the contact stays with Carl.
	if _, err := f.ag.Transfer(f.ctx, carl, c1, agents.TransferTarget{QueueID: tiny.ID}); !parley.IsCode(err, parley.ECONFLICT) {
		t.Fatalf("transfer to a full queue: %v", err)
	}
	items, _ := f.store.ListItems(f.ctx, parley.ItemQuery{ChainID: c1})
	if last := items[len(items)-1]; last.ContentType != parley.EventTransferFailed {
		t.Fatalf("last item %s, want transfer.failed", last.ContentType)
	}
	// Directly to Dave (who serves neither queue).
	next, err := f.ag.Transfer(f.ctx, carl, c1, agents.TransferTarget{UserID: dave.ID})
	if err != nil {
		t.Fatal(err)
	}
	if o := offerOf(t, daveSub); o.ContactID != next {
		t.Fatalf("dave got %+v", o)
	}
	f.check()
}

// TestRestartRebuildsRouting: a new service over the same store (a restart) knows which chats wait and which are
// connected to whom, and routes the waiting ones.
func TestRestartRebuildsRouting(t *testing.T) {
	f := newFixture(t, 30*time.Second)
	sales := f.queue("Sales")
	flow := f.flowTo(sales)
	ann := f.user("ann", f.profile("Sales", 1, pq(sales, 1, 0)))
	f.available(ann)
	sub := f.ag.Subscribe(ann)
	c1 := f.start(flow)
	if o := offerOf(t, sub); o.ContactID != c1 {
		t.Fatal(o)
	}
	if _, err := f.ag.Accept(f.ctx, ann, c1); err != nil {
		t.Fatal(err)
	}
	c2 := f.start(flow) // waits: Ann's one slot is taken
	f.ag.Close()

	again := agents.New(f.store, f.bus, f.chat, f.admin, f.clk, nil, agents.Config{NoTimer: true})
	if err := again.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	st := again.State(ann)
	if st.System != agents.SystemBusy || len(st.Contacts) != 1 || st.Contacts[0].ContactID != c1 {
		t.Fatalf("after restart ann is %+v", st)
	}
	snap := again.Snapshot()
	waitingIn := ""
	for _, q := range snap.Queues {
		for _, w := range q.Waiting {
			if w.ID == c2 {
				waitingIn = q.ID
			}
		}
	}
	if waitingIn != sales.ID {
		t.Fatalf("after restart %s waits in %q, want %s", c2, waitingIn, sales.ID)
	}
	if err := again.End(f.ctx, ann, c1); err != nil {
		t.Fatal(err)
	}
	if err := again.Clear(f.ctx, ann, c1); err != nil {
		t.Fatal(err)
	}
	for _, c := range again.State(ann).Contacts {
		if c.ContactID == c2 && c.State == agents.ContactOffered {
			return
		}
	}
	t.Fatal("the waiting chat was not offered once Ann's slot freed")
}
