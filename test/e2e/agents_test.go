package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/connectparticipant"
	"github.com/gorilla/websocket"

	"github.com/parley-chat/parley/wire"
)

// agentClient drives parley's agent API over HTTP, as an agent workspace does.
type agentClient struct {
	t      *testing.T
	base   string
	token  string
	events chan wire.AgentEvent
	user   wire.AgentUser
}

func (a *agentClient) do(method, path string, body any, out any) (int, map[string]any) {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, a.base+"/agent/v1"+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if out != nil && resp.StatusCode == 200 {
		if err := json.Unmarshal(b, out); err != nil {
			a.t.Fatalf("%s %s: %s: %v", method, path, b, err)
		}
	}
	return resp.StatusCode, m
}

func (a *agentClient) must(method, path string, body any, out any) {
	a.t.Helper()
	if code, m := a.do(method, path, body, out); code != 200 {
		a.t.Fatalf("%s %s: %d %v", method, path, code, m)
	}
}

// login logs in, opens the event stream and sets the agent Available.
func login(t *testing.T, base, username, password string) *agentClient {
	t.Helper()
	a := &agentClient{t: t, base: base, events: make(chan wire.AgentEvent, 100)}
	var lr wire.LoginResponse
	a.must("POST", "/login", wire.LoginRequest{Username: username, Password: password}, &lr)
	a.token, a.user = lr.Token, lr.User
	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(base, "http", "ws", 1)+"/agent/v1/events?token="+a.token, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			var ev wire.AgentEvent
			if err := ws.ReadJSON(&ev); err != nil {
				return
			}
			a.events <- ev
		}
	}()
	t.Cleanup(func() { ws.Close(); <-done })
	if ev := a.next(); ev.Type != wire.EventState {
		t.Fatalf("first event %+v, want state", ev)
	}
	a.must("PUT", "/status", wire.StatusRequest{Status: "Available"}, nil)
	return a
}

// next returns the next event.
func (a *agentClient) next() wire.AgentEvent {
	a.t.Helper()
	select {
	case ev := <-a.events:
		return ev
	case <-time.After(10 * time.Second):
		a.t.Fatalf("%s: no agent event within 10s", a.user.Username)
	}
	return wire.AgentEvent{}
}

// until waits for an event of the given type.
func (a *agentClient) until(typ string) wire.AgentEvent {
	a.t.Helper()
	for {
		if ev := a.next(); ev.Type == typ {
			return ev
		}
	}
}

// noOffer checks that no offer is pending for the agent right now.
func (a *agentClient) noOffer() {
	a.t.Helper()
	var r wire.AgentContactsResponse
	a.must("GET", "/contacts", nil, &r)
	for _, c := range r.Contacts {
		if c.State == wire.AgentContactOffered {
			a.t.Fatalf("%s was offered %s", a.user.Username, c.ContactID)
		}
	}
}

// setupCenter creates, through the official SDK, a Support queue and two agents: ann serves BasicQueue, bob
// serves Support; and a supervisor. It returns their passwords' owner names.
func setupCenter(t *testing.T, e *env) (support string) {
	t.Helper()
	c, inst := e.cc, aws.String(e.srv.InstanceID)
	hours, err := c.ListHoursOfOperations(ctx(t), &connect.ListHoursOfOperationsInput{InstanceId: inst})
	if err != nil || len(hours.HoursOfOperationSummaryList) == 0 {
		t.Fatalf("ListHoursOfOperations: %v", err)
	}
	q, err := c.CreateQueue(ctx(t), &connect.CreateQueueInput{InstanceId: inst, Name: aws.String("Support"),
		HoursOfOperationId: hours.HoursOfOperationSummaryList[0].Id})
	if err != nil {
		t.Fatal(err)
	}
	queues, err := c.ListQueues(ctx(t), &connect.ListQueuesInput{InstanceId: inst})
	if err != nil {
		t.Fatal(err)
	}
	var basic string
	for _, s := range queues.QueueSummaryList {
		if aws.ToString(s.Name) == "BasicQueue" {
			basic = aws.ToString(s.Id)
		}
	}
	profile := func(name, queue string) string {
		out, err := c.CreateRoutingProfile(ctx(t), &connect.CreateRoutingProfileInput{InstanceId: inst, Name: aws.String(name),
			Description: aws.String(name), DefaultOutboundQueueId: aws.String(queue),
			MediaConcurrencies: []ctypes.MediaConcurrency{{Channel: ctypes.ChannelChat, Concurrency: aws.Int32(2)}},
			QueueConfigs: []ctypes.RoutingProfileQueueConfig{{Priority: aws.Int32(1), Delay: aws.Int32(0),
				QueueReference: &ctypes.RoutingProfileQueueReference{QueueId: aws.String(queue), Channel: ctypes.ChannelChat}}}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.RoutingProfileId)
	}
	sales, supportProfile := profile("Sales agents", basic), profile("Support agents", aws.ToString(q.QueueId))
	sps, err := c.ListSecurityProfiles(ctx(t), &connect.ListSecurityProfilesInput{InstanceId: inst})
	if err != nil {
		t.Fatal(err)
	}
	spID := map[string]string{}
	for _, s := range sps.SecurityProfileSummaryList {
		spID[aws.ToString(s.Name)] = aws.ToString(s.Id)
	}
	user := func(name, first, profile, sp string) {
		_, err := c.CreateUser(ctx(t), &connect.CreateUserInput{InstanceId: inst, Username: aws.String(name),
			Password: aws.String("Passw0rd-" + name), RoutingProfileId: aws.String(profile),
			SecurityProfileIds: []string{spID[sp]}, IdentityInfo: &ctypes.UserIdentityInfo{FirstName: aws.String(first)},
			PhoneConfig: &ctypes.UserPhoneConfig{PhoneType: ctypes.PhoneTypeSoftPhone}})
		if err != nil {
			t.Fatalf("CreateUser %s: %v", name, err)
		}
	}
	user("ann", "Ann", sales, "Agent")
	user("bob", "Bob", supportProfile, "Agent")
	user("sue", "Sue", sales, "CallCenterManager")
	return aws.ToString(q.QueueId)
}

// TestChatReachesAgents: a customer (official clients) starts a chat; of two logged-in agents with different
// routing profiles, the one serving the chat's queue is offered it, accepts, chats, and transfers it to another
// queue, where the second agent receives it and ends it. The customer sees the events Connect sends.
func TestChatReachesAgents(t *testing.T) {
	e := newEnv(t)
	support := setupCenter(t, e)
	ann := login(t, e.srv.URL, "ann", "Passw0rd-ann")
	bob := login(t, e.srv.URL, "bob", "Passw0rd-bob")

	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	cs := dial(t, cust.URL)

	offer := ann.until(wire.EventOffer)
	if offer.Contact.ContactID != ch.ContactID || offer.Contact.OfferDeadline == "" ||
		offer.Contact.QueueName != "BasicQueue" || offer.Contact.CustomerName != "Customer" {
		t.Fatalf("ann's offer %+v (want the queue's and the customer's names)", offer.Contact)
	}
	bob.noOffer()
	var accepted wire.AgentContact
	ann.must("POST", "/contacts/"+ch.ContactID+"/accept", nil, &accepted)
	if accepted.ParticipantToken == "" || accepted.State != wire.AgentContactConnected || accepted.CustomerName != "Customer" {
		t.Fatalf("accept = %+v", accepted)
	}
	// The event stream's state events name the queue and the customer too.
	for connected := false; !connected; {
		ev := ann.until(wire.EventState)
		if ev.State == nil {
			t.Fatalf("state event without a state: %+v", ev)
		}
		i := slices.IndexFunc(ev.State.Contacts, func(c wire.AgentContact) bool {
			return c.ContactID == ch.ContactID && c.State == wire.AgentContactConnected
		})
		if connected = i >= 0; connected {
			if c := ev.State.Contacts[i]; c.QueueName != "BasicQueue" || c.CustomerName != "Customer" {
				t.Fatalf("ann's state event has the contact as %+v (want the queue's and the customer's names)", c)
			}
		}
	}
	// The agent chats through the standard Participant API, like ChatJS's agent session.
	out, err := e.pc.CreateParticipantConnectionWithContext(ctx(t), &connectparticipant.CreateParticipantConnectionInput{
		ParticipantToken: awsv1.String(accepted.ParticipantToken), ConnectParticipant: awsv1.Bool(true),
		Type: awsv1.StringSlice([]string{"WEBSOCKET", "CONNECTION_CREDENTIALS"})})
	if err != nil {
		t.Fatal(err)
	}
	annConn := *out.ConnectionCredentials.ConnectionToken
	as := dial(t, *out.Websocket.Url)
	if it := cs.next(); it.ContentType != evJoined || it.ParticipantRole != "AGENT" || it.DisplayName != "Ann" {
		t.Fatalf("customer saw %+v, want Ann joining", it)
	}
	hello := e.send(annConn, "Hi, I'm Ann. How can I help?")
	if it := cs.next(); it.ID != *hello.Id || it.ParticipantRole != "AGENT" {
		t.Fatalf("customer got %+v", it)
	}
	as.next() // her own message
	q := e.send(cust.Token, "my router is broken")
	if it := as.next(); it.ID != *q.Id {
		t.Fatalf("ann got %+v", it)
	}
	cs.next()

	// Ann transfers to Support: she leaves, the customer sees transfer.succeeded, Bob is offered the new contact.
	var tr wire.TransferResponse
	ann.must("POST", "/contacts/"+ch.ContactID+"/transfer", wire.TransferRequest{QueueID: support}, &tr)
	if tr.ContactID == "" || tr.ContactID == ch.ContactID {
		t.Fatalf("transfer = %+v", tr)
	}
	if l, ts := cs.next(), cs.next(); l.ContentType != evLeft || l.DisplayName != "Ann" ||
		ts.ContentType != "application/vnd.amazonaws.connect.event.transfer.succeeded" || ts.ContactID != tr.ContactID ||
		ts.InitialContactID != ch.ContactID {
		t.Fatalf("customer saw %+v then %+v", l, ts)
	}
	if ev := ann.until(wire.EventContactEnded); ev.ContactID != ch.ContactID || ev.Reason != "TRANSFERRED" {
		t.Fatalf("ann: %+v", ev)
	}
	if offer := bob.until(wire.EventOffer); offer.Contact.ContactID != tr.ContactID || offer.Contact.InitialContactID != ch.ContactID ||
		offer.Contact.QueueID != support {
		t.Fatalf("bob's offer %+v", offer.Contact)
	}
	var bobC wire.AgentContact
	bob.must("POST", "/contacts/"+tr.ContactID+"/accept", nil, &bobC)
	bobConn := e.connect(bobC.ParticipantToken)
	if it := cs.next(); it.ContentType != evJoined || it.DisplayName != "Bob" || it.ContactID != tr.ContactID {
		t.Fatalf("customer saw %+v, want Bob joining", it)
	}
	// Bob sees the whole chain's transcript, Ann's messages included.
	var texts []string
	for _, it := range e.transcript(bobConn.Token) {
		if awsv1.StringValue(it.Type) == "MESSAGE" {
			texts = append(texts, awsv1.StringValue(it.Content))
		}
	}
	if strings.Join(texts, "|") != "Hi, I'm Ann. How can I help?|my router is broken" {
		t.Fatalf("bob's transcript messages %q", texts)
	}
	// The customer's token still works after the transfer; its messages now belong to the new contact.
	m := e.send(cust.Token, "thanks")
	if it := cs.next(); it.ID != *m.Id || it.ContactID != tr.ContactID {
		t.Fatalf("customer message after transfer %+v", it)
	}

	// Bob ends the chat: the customer sees him leave and the chat end; Bob is in after-contact work.
	bob.must("POST", "/contacts/"+tr.ContactID+"/end", nil, nil)
	if l, en := cs.next(), cs.next(); l.ContentType != evLeft || l.DisplayName != "Bob" || en.ContentType != evEnded {
		t.Fatalf("customer saw %+v then %+v", l, en)
	}
	if ev := bob.until(wire.EventContactEnded); ev.ContactID != tr.ContactID {
		t.Fatalf("bob: %+v", ev)
	}
	var me struct{ State wire.AgentState }
	bob.must("GET", "/me", nil, &me)
	if me.State.System != wire.SystemACW || len(me.State.Contacts) != 1 || me.State.Contacts[0].QueueName == "" ||
		me.State.Contacts[0].CustomerName == "" {
		t.Fatalf("bob's state %+v, want one contact in after-contact work with its queue and customer names", me.State)
	}
	bob.must("POST", "/contacts/"+tr.ContactID+"/clear", nil, nil)
	ann.must("POST", "/contacts/"+ch.ContactID+"/clear", nil, nil)
	bob.must("GET", "/me", nil, &me)
	if me.State.System != wire.SystemAvailable || len(me.State.Contacts) != 0 {
		t.Fatalf("bob after clearing %+v", me.State)
	}

	// The contact records.
	first, err := e.cc.DescribeContact(ctx(t), &connect.DescribeContactInput{InstanceId: aws.String(e.srv.InstanceID), ContactId: aws.String(ch.ContactID)})
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.cc.DescribeContact(ctx(t), &connect.DescribeContactInput{InstanceId: aws.String(e.srv.InstanceID), ContactId: aws.String(tr.ContactID)})
	if err != nil {
		t.Fatal(err)
	}
	f, s := first.Contact, second.Contact
	if f.AgentInfo == nil || aws.ToString(f.AgentInfo.Id) != ann.user.ID || aws.ToString(f.DisconnectReason) != "TRANSFERRED" ||
		f.DisconnectTimestamp == nil || f.QueueInfo == nil || f.QueueInfo.EnqueueTimestamp == nil {
		t.Fatalf("first contact %+v", f)
	}
	if s.AgentInfo == nil || aws.ToString(s.AgentInfo.Id) != bob.user.ID || aws.ToString(s.PreviousContactId) != ch.ContactID ||
		aws.ToString(s.InitialContactId) != ch.ContactID || s.InitiationMethod != ctypes.ContactInitiationMethodTransfer ||
		aws.ToString(s.QueueInfo.Id) != support || aws.ToString(s.DisconnectReason) != "AGENT_DISCONNECT" ||
		s.AgentInfo.ConnectedToAgentTimestamp == nil {
		t.Fatalf("second contact %+v", s)
	}
}

// TestAgentAPIErrors: sessions, roles and conflicts answer in the AWS error format.
func TestAgentAPIErrors(t *testing.T) {
	e := newEnv(t)
	setupCenter(t, e)
	anon := &agentClient{t: t, base: e.srv.URL}
	if code, m := anon.do("POST", "/login", wire.LoginRequest{Username: "ann", Password: "wrong"}, nil); code != 401 || m["__type"] != "UnauthorizedException" {
		t.Fatalf("wrong password: %d %v", code, m)
	}
	if code, m := anon.do("GET", "/contacts", nil, nil); code != 401 || m["__type"] != "UnauthorizedException" {
		t.Fatalf("no session: %d %v", code, m)
	}
	ann := login(t, e.srv.URL, "ann", "Passw0rd-ann")
	for _, c := range []struct {
		method, path string
		body         any
		code         int
		typ          string
	}{
		{"PUT", "/status", wire.StatusRequest{Status: "Napping"}, 400, "ValidationException"},
		{"POST", "/contacts/nope/accept", nil, 409, "ConflictException"},
		{"POST", "/contacts/nope/clear", nil, 404, "ResourceNotFoundException"},
		{"POST", "/contacts/nope/teleport", nil, 404, "ResourceNotFoundException"},
		{"GET", "/queues", nil, 403, "AccessDeniedException"},
		{"POST", "/contacts/nope/monitor", nil, 403, "AccessDeniedException"},
		{"GET", "/nothing", nil, 404, "UnknownOperationException"},
	} {
		if code, m := ann.do(c.method, c.path, c.body, nil); code != c.code || m["__type"] != c.typ {
			t.Errorf("%s %s: %d %v, want %d %s", c.method, c.path, code, m, c.code, c.typ)
		}
	}
	ann.must("POST", "/logout", nil, nil)
	if code, _ := ann.do("GET", "/me", nil, nil); code != 401 {
		t.Fatalf("after logout: %d", code)
	}
}

// TestSupervisor: a supervisor sees queues and live contacts, monitors a chat silently (the customer does not
// see it and it cannot send), then barges in (the customer sees it join and its messages).
func TestSupervisor(t *testing.T) {
	e := newEnv(t)
	setupCenter(t, e)
	ann := login(t, e.srv.URL, "ann", "Passw0rd-ann")
	sue := login(t, e.srv.URL, "sue", "Passw0rd-sue")
	sue.must("PUT", "/status", wire.StatusRequest{Status: "Offline"}, nil) // a supervisor, not taking chats

	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	cs := dial(t, cust.URL)
	ann.until(wire.EventOffer)
	var acc wire.AgentContact
	ann.must("POST", "/contacts/"+ch.ContactID+"/accept", nil, &acc)
	cs.next() // Ann joined

	var queues struct{ Queues []wire.QueueStatus }
	sue.must("GET", "/queues", nil, &queues)
	var live wire.AgentContactsResponse
	sue.must("GET", "/live-contacts", nil, &live)
	if len(live.Contacts) != 1 || live.Contacts[0].ContactID != ch.ContactID || live.Contacts[0].ParticipantToken != "" ||
		live.Contacts[0].QueueName == "" || live.Contacts[0].CustomerName == "" {
		t.Fatalf("live contacts %+v", live)
	}

	var mon wire.MonitorResponse
	sue.must("POST", "/contacts/"+ch.ContactID+"/monitor", wire.MonitorRequest{Mode: "SILENT"}, &mon)
	sueConn := e.connect(mon.ParticipantToken)
	ss := dial(t, sueConn.URL)
	_, err := e.pc.SendMessageWithContext(ctx(t), &connectparticipant.SendMessageInput{ConnectionToken: awsv1.String(sueConn.Token),
		ContentType: awsv1.String("text/plain"), Content: awsv1.String("psst")})
	wantCode(t, err, "AccessDeniedException", 403)
	m := e.send(cust.Token, "hello?")
	if it := ss.next(); it.ID != *m.Id {
		t.Fatalf("the monitor got %+v, want the customer's message", it)
	}
	if it := cs.next(); it.ID != *m.Id {
		t.Fatalf("customer got %+v (the silent monitor's join must not show)", it)
	}
	sue.must("POST", "/contacts/"+ch.ContactID+"/barge", nil, nil)
	if it := cs.next(); it.ContentType != evJoined || it.ParticipantRole != "SUPERVISOR" || it.DisplayName != "Sue" {
		t.Fatalf("customer got %+v, want Sue joining", it)
	}
	say := e.send(sueConn.Token, "I'm the supervisor")
	if it := cs.next(); it.ID != *say.Id {
		t.Fatalf("customer got %+v", it)
	}
}

// TestTranscriptAfterChat: once a chat is over its participants can no longer read it, but the agent who handled
// it and a supervisor can, through the agent API, page by page; another agent cannot.
func TestTranscriptAfterChat(t *testing.T) {
	e := newEnv(t)
	setupCenter(t, e)
	ann := login(t, e.srv.URL, "ann", "Passw0rd-ann")
	bob := login(t, e.srv.URL, "bob", "Passw0rd-bob")
	sue := login(t, e.srv.URL, "sue", "Passw0rd-sue")
	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	offer := ann.until(wire.EventOffer)
	var accepted wire.AgentContact
	ann.must("POST", "/contacts/"+offer.Contact.ContactID+"/accept", nil, &accepted)
	agent := e.connect(accepted.ParticipantToken)
	for i := range 3 {
		e.send(cust.Token, fmt.Sprintf("customer %d", i))
		e.send(agent.Token, fmt.Sprintf("agent %d", i))
	}
	ann.must("POST", "/contacts/"+ch.ContactID+"/end", nil, nil)

	read := func(a *agentClient) (texts []string, pages int) {
		next := ""
		for {
			var page wire.ContactTranscriptResponse
			path := "/contacts/" + ch.ContactID + "/transcript?MaxResults=3"
			if next != "" {
				path += "&NextToken=" + next
			}
			a.must("GET", path, nil, &page)
			pages++
			if page.InitialContactID != ch.ContactID {
				t.Fatalf("page of chain %q", page.InitialContactID)
			}
			for _, it := range page.Transcript {
				if it.Type == "MESSAGE" && it.ParticipantRole != "SYSTEM" {
					texts = append(texts, it.Content)
				}
			}
			if next = page.NextToken; next == "" {
				return texts, pages
			}
		}
	}
	want := []string{"customer 0", "agent 0", "customer 1", "agent 1", "customer 2", "agent 2"}
	for name, a := range map[string]*agentClient{"the supervisor": sue, "the agent who handled it": ann} {
		if got, pages := read(a); !slices.Equal(got, want) || pages < 3 {
			t.Errorf("%s read %v in %d pages", name, got, pages)
		}
	}
	if code, m := bob.do("GET", "/contacts/"+ch.ContactID+"/transcript", nil, nil); code != 403 {
		t.Errorf("another agent: %d %v, want 403", code, m)
	}
	if code, _ := sue.do("GET", "/contacts/no-such-contact/transcript", nil, nil); code != 404 {
		t.Errorf("an unknown contact: %d, want 404", code)
	}
}

// TestAgentTranscriptPersistentChat: a customer's chat with an agent ends; the customer starts a new chat that
// continues it (aws-sdk-go-v2 StartChatContact with PersistentChat ENTIRE_PAST_SESSION). Through the agent API,
// the agent who takes the new chat and a supervisor read the new chat's transcript page by page with the past
// session first — the same items, Ids and ContactIds as the agent's GetTranscript (aws-sdk-go connectparticipant)
// — while the past contact's transcript stays its own, and a token of one transcript is refused by another.
func TestAgentTranscriptPersistentChat(t *testing.T) {
	e := newEnv(t)
	setupCenter(t, e)
	ann := login(t, e.srv.URL, "ann", "Passw0rd-ann")
	talk := func(ch chat, customer, agent string) (cust, ag conn) {
		cust = e.connect(ch.ParticipantToken)
		offer := ann.until(wire.EventOffer)
		if offer.Contact.ContactID != ch.ContactID {
			t.Fatalf("offered %s, want %s", offer.Contact.ContactID, ch.ContactID)
		}
		var accepted wire.AgentContact
		ann.must("POST", "/contacts/"+ch.ContactID+"/accept", nil, &accepted)
		ag = e.connect(accepted.ParticipantToken)
		e.send(cust.Token, customer)
		e.send(ag.Token, agent)
		return cust, ag
	}
	past := e.startChat()
	talk(past, "my order is late", "sorry, let me check")
	ann.must("POST", "/contacts/"+past.ContactID+"/end", nil, nil)
	ann.must("POST", "/contacts/"+past.ContactID+"/clear", nil, nil)

	next := e.startChat(func(in *connect.StartChatContactInput) {
		in.PersistentChat = &ctypes.PersistentChat{RehydrationType: ctypes.RehydrationTypeEntirePastSession,
			SourceContactId: aws.String(past.ContactID)}
	})
	_, ag := talk(next, "it is still late", "it ships today")
	sue := login(t, e.srv.URL, "sue", "Passw0rd-sue") // now: the chats went to Ann

	// read returns a contact's transcript through the agent API as "Id@ContactId" and its messages' texts.
	read := func(a *agentClient, contactID string) (ids, texts []string, pages int) {
		token := ""
		for {
			var page wire.ContactTranscriptResponse
			path := "/contacts/" + contactID + "/transcript?MaxResults=2"
			if token != "" {
				path += "&NextToken=" + url.QueryEscape(token)
			}
			a.must("GET", path, nil, &page)
			pages++
			if page.InitialContactID != contactID {
				t.Fatalf("a page of %s says InitialContactId %s", contactID, page.InitialContactID)
			}
			for _, it := range page.Transcript {
				ids = append(ids, it.ID+"@"+it.ContactID)
				if it.Type == "MESSAGE" && it.ParticipantRole != "SYSTEM" {
					texts = append(texts, it.Content)
				}
			}
			if token = page.NextToken; token == "" {
				return ids, texts, pages
			}
		}
	}
	var want []string
	for _, it := range e.transcript(ag.Token) {
		want = append(want, awsv1.StringValue(it.Id)+"@"+awsv1.StringValue(it.ContactId))
	}
	wantTexts := []string{"my order is late", "sorry, let me check", "it is still late", "it ships today"}
	for name, a := range map[string]*agentClient{"the agent": ann, "the supervisor": sue} {
		ids, texts, pages := read(a, next.ContactID)
		if !slices.Equal(ids, want) {
			t.Errorf("%s read\n%v\nGetTranscript has\n%v", name, ids, want)
		}
		if !slices.Equal(texts, wantTexts) || pages < 3 {
			t.Errorf("%s read %v in %d pages, want %v", name, texts, pages, wantTexts)
		}
	}
	var pastContacts int
	for _, id := range want {
		if strings.HasSuffix(id, "@"+past.ContactID) {
			pastContacts++
		}
	}
	if pastContacts == 0 {
		t.Errorf("GetTranscript of the new chat has no item of the past contact: %v", want)
	}
	if _, texts, _ := read(sue, past.ContactID); !slices.Equal(texts, wantTexts[:2]) {
		t.Errorf("the past contact's transcript: %v, want its own messages", texts)
	}

	var first wire.ContactTranscriptResponse
	sue.must("GET", "/contacts/"+next.ContactID+"/transcript?MaxResults=1", nil, &first)
	if code, _ := sue.do("GET", "/contacts/"+past.ContactID+"/transcript?NextToken="+url.QueryEscape(first.NextToken), nil, nil); code != 400 {
		t.Errorf("a token of the new chat's transcript on the past chat's: %d, want 400", code)
	}
}
