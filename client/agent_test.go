package client_test

import (
	"testing"
	"time"

	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/internal/testserver"
	"github.com/parley-chat/parley/wire"
)

// nextAgentEvent waits for the agent event stream's next event of type typ, skipping others.
func nextAgentEvent(t *testing.T, evs *client.AgentEvents, typ string) client.AgentEvent {
	t.Helper()
	timeout := time.After(wait)
	for {
		select {
		case ev, ok := <-evs.C():
			if !ok {
				t.Fatalf("the agent event stream closed waiting for %s", typ)
			}
			if ev.Type == typ {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s agent event", typ)
		}
	}
}

// TestAgent: the demo agent logs in, goes Available, is offered a customer's chat on its event stream, accepts
// it, chats through a Session made from the accepted contact, ends the chat, clears after-contact work and
// logs out; a stream opened after logout is refused for good.
func TestAgent(t *testing.T) {
	srv := testserver.Start(t)
	ctx := testCtx(t)
	username, password, ok := srv.DemoAgent()
	if !ok || password == "" {
		t.Fatal("the test server has no demo agent with a fresh password")
	}
	if _, err := client.Login(ctx, client.LoginInput{Endpoint: srv.URL, Username: username, Password: "wrong"}); err == nil {
		t.Fatal("a wrong password logged in")
	} else if ae, ok := err.(*client.APIError); !ok || ae.Code != "UnauthorizedException" {
		t.Fatalf("wrong password: %v, want UnauthorizedException", err)
	}
	a, err := client.Login(ctx, client.LoginInput{Endpoint: srv.URL + "/", Username: username, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	if a.User().Username != username || a.Expiry().Before(time.Now()) {
		t.Fatalf("user %+v, expiry %v", a.User(), a.Expiry())
	}
	evs := a.Events(ctx)
	defer evs.Close()
	if ev := nextAgentEvent(t, evs, wire.EventState); ev.State.System != wire.SystemOffline {
		t.Fatalf("first state %+v, want Offline", ev.State)
	}
	st, err := a.SetStatus(ctx, "Available")
	if err != nil || st.System != wire.SystemAvailable {
		t.Fatalf("SetStatus = %+v, %v", st, err)
	}
	if qcs, err := a.QuickConnects(ctx); err != nil || len(qcs) != 0 {
		t.Fatalf("QuickConnects = %v, %v; want none", qcs, err)
	}

	cust := startChat(t, srv, srv.URL)
	cs, crec := session(t, srv.URL, cust, client.Options{})
	if err := cs.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	offer := nextAgentEvent(t, evs, wire.EventOffer)
	if offer.Contact.ContactID != cust.ContactID || offer.Contact.CustomerName != "Customer" {
		t.Fatalf("offer %+v", offer.Contact)
	}
	if cs, err := a.Contacts(ctx); err != nil || len(cs) != 1 || cs[0].State != wire.AgentContactOffered {
		t.Fatalf("Contacts = %+v, %v", cs, err)
	}
	c, err := a.Accept(ctx, cust.ContactID)
	if err != nil || c.ParticipantToken == "" {
		t.Fatalf("Accept = %+v, %v", c, err)
	}
	if _, err := a.Accept(ctx, cust.ContactID); !client.IsConflict(err) {
		t.Fatalf("second Accept: %v, want ConflictException", err)
	}
	as, _ := session(t, srv.URL, client.AgentChatDetails(c), client.Options{})
	if err := as.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := as.SendMessage(ctx, client.ContentTypeTextPlain, "hello from the agent"); err != nil {
		t.Fatal(err)
	}
	crec.waitFor(t, "the agent's message", func(evs []client.Event) bool {
		for _, e := range evs {
			if e.Type == client.EventMessage && e.Item.Content == "hello from the agent" && e.Item.ParticipantRole == client.RoleAgent {
				return true
			}
		}
		return false
	})

	if err := a.End(ctx, cust.ContactID); err != nil {
		t.Fatal(err)
	}
	if ev := nextAgentEvent(t, evs, wire.EventContactEnded); ev.ContactID != cust.ContactID {
		t.Fatalf("ended %+v", ev)
	}
	if st, err := a.State(ctx); err != nil || st.System != wire.SystemACW {
		t.Fatalf("State after End = %+v, %v; want AfterContactWork", st, err)
	}
	if err := a.Clear(ctx, cust.ContactID); err != nil {
		t.Fatal(err)
	}
	nextAgentEvent(t, evs, wire.EventContactCleared)
	if err := a.Reject(ctx, cust.ContactID); !client.IsConflict(err) && !client.IsNotFound(err) {
		t.Fatalf("Reject of no offer: %v", err)
	}

	if err := a.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	after := a.Events(ctx)
	defer after.Close()
	if ev := nextAgentEvent(t, after, client.AgentStreamBroken); ev.Err == nil {
		t.Fatal("stream.broken without an error")
	}
	if _, ok := <-after.C(); ok {
		t.Fatal("events after stream.broken")
	}
}

// TestAgentEventsReconnect: the agent event stream survives a network cut and a server that is not reachable
// for a while: it says it lost the stream, reconnects, starts again with a state event, and re-sends the offer
// made while it was away.
func TestAgentEventsReconnect(t *testing.T) {
	p, srv := proxied(t)
	ctx := testCtx(t)
	username, password, _ := srv.DemoAgent()
	a, err := client.Login(ctx, client.LoginInput{Endpoint: p.url(), Username: username, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	evs := a.Events(ctx)
	defer evs.Close()
	nextAgentEvent(t, evs, wire.EventState)
	if _, err := a.SetStatus(ctx, "Available"); err != nil {
		t.Fatal(err)
	}

	p.cut()
	if ev := nextAgentEvent(t, evs, client.AgentStreamLost); ev.Err == nil {
		t.Fatal("stream.lost without an error")
	}
	if ev := nextAgentEvent(t, evs, wire.EventState); ev.State.System != wire.SystemAvailable {
		t.Fatalf("state after reconnecting %+v", ev.State)
	}

	p.setDown(true)
	nextAgentEvent(t, evs, client.AgentStreamLost)
	direct := "http://" + srv.Addr().String() // srv.URL is the proxy's
	cust := startChat(t, srv, direct)
	if _, err := (client.Participant{Endpoint: direct}).Connect(ctx, cust.ParticipantToken); err != nil {
		t.Fatal(err)
	}
	p.setDown(false)
	nextAgentEvent(t, evs, wire.EventState)
	if ev := nextAgentEvent(t, evs, wire.EventOffer); ev.Contact.ContactID != cust.ContactID {
		t.Fatalf("offer after reconnecting %+v", ev.Contact)
	}
}
