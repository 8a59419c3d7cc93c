package client_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/internal/testserver"
	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/wire"
)

// TestChatLifecycle drives a whole chat between a customer and a bot, both on sessions of this package, against
// a real parley server: every Session method and the item events.
func TestChatLifecycle(t *testing.T) {
	srv := testserver.Start(t)
	ctx := testCtx(t)
	cd := startChat(t, srv, srv.URL, func(in *client.StartChatInput) {
		in.InitialMessage = &client.Message{Content: "hi, I need help"}
		in.Attributes = map[string]string{"order": "42"}
		in.SupportedMessagingContentTypes = []string{client.ContentTypeTextPlain, client.ContentTypeTextMarkdown}
	})
	if cd.ContactID == "" || cd.ParticipantID == "" || cd.ParticipantToken == "" {
		t.Fatalf("StartChat returned %+v", cd)
	}

	// The customer replays the transcript at Connect: its join event and initial message, before live items.
	cust, cr := session(t, srv.URL, cd, client.Options{ReplayTranscript: true, ReceiptThrottle: 200 * time.Millisecond})
	custEvents := cust.Events() // the channel sees what the callbacks see
	if err := cust.Connect(ctx); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	if err := cust.Connect(ctx); err != nil {
		t.Fatalf("second Connect: %v", err)
	}
	if cdt := cust.ConnectionDetails(); cdt.ConnectionToken == "" || time.Until(cdt.Expiry) < time.Hour {
		t.Fatalf("ConnectionDetails = %+v", cdt)
	}
	evs := cr.waitFor(t, "the replayed initial message", func(evs []client.Event) bool {
		return slices.ContainsFunc(evs, func(e client.Event) bool { return e.Item.Content == "hi, I need help" })
	})
	if evs[0].Type != client.EventConnectionEstablished {
		t.Fatalf("first event %v, want connectionEstablished", evs[0].Type)
	}
	if e := evs[1]; e.Type != client.EventMessage || e.Item.ContentType != client.ContentTypeParticipantJoined ||
		!e.FromTranscript || e.Item.ParticipantID != cd.ParticipantID {
		t.Fatalf("second event %+v, want the customer's replayed participant.joined", e)
	}

	// A bot joins with CreateParticipant; its session delivers only what comes after its Connect.
	bd := addBot(t, srv, srv.URL, cd.ContactID)
	bot, br := session(t, srv.URL, bd, client.Options{TypingThrottle: time.Hour, ReceiptThrottle: 200 * time.Millisecond})
	if err := bot.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	joined := cr.waitItem(t, client.EventMessage, func(e client.Event) bool {
		return e.Item.ContentType == client.ContentTypeParticipantJoined && e.Item.ParticipantID == bd.ParticipantID
	})
	if joined.FromTranscript || joined.Item.ParticipantRole != client.RoleCustomBot {
		t.Fatalf("bot joined event = %+v", joined)
	}

	// One Id everywhere: the SendMessage answer and both sessions' events.
	sent, err := cust.SendMessage(ctx, client.ContentTypeTextMarkdown, "**where** is my order?")
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]*recorder{"customer": cr, "bot": br} {
		e := r.waitItem(t, client.EventMessage, func(e client.Event) bool { return e.Item.ID == sent.ID })
		if e.Item.Content != "**where** is my order?" || e.Item.ContentType != client.ContentTypeTextMarkdown ||
			e.Item.AbsoluteTime != sent.AbsoluteTime || e.Item.ParticipantRole != client.RoleCustomer {
			t.Fatalf("%s got %+v for %+v", name, e.Item, sent)
		}
	}

	// Typing, throttled: the second call within the window sends nothing.
	for range 2 {
		if err := bot.SendTyping(ctx); err != nil {
			t.Fatal(err)
		}
	}
	typing := cr.waitItem(t, client.EventTyping, nil)
	if typing.Item.ParticipantID != bd.ParticipantID {
		t.Fatalf("typing from %q, want the bot", typing.Item.ParticipantID)
	}

	// The bot replies; the customer reads it: a read receipt reaches the bot, not the customer itself.
	reply, err := bot.SendMessage(ctx, client.ContentTypeTextPlain, "on its way")
	if err != nil {
		t.Fatal(err)
	}
	cr.waitItem(t, client.EventMessage, func(e client.Event) bool { return e.Item.ID == reply.ID })
	if err := cust.SendDeliveredReceipt(reply.ID); err != nil {
		t.Fatal(err)
	}
	if err := cust.SendReadReceipt(reply.ID); err != nil {
		t.Fatal(err)
	}
	read := br.waitItem(t, client.EventReadReceipt, nil)
	if md := read.Item.MessageMetadata; md == nil || md.MessageID != reply.ID ||
		md.Receipts[0].RecipientParticipantID != cd.ParticipantID {
		t.Fatalf("bot's read receipt = %+v", read.Item)
	}
	// The bot confirms delivery of the customer's message.
	if err := bot.SendDeliveredReceipt(sent.ID); err != nil {
		t.Fatal(err)
	}
	dlv := cr.waitItem(t, client.EventDeliveredReceipt, nil)
	if md := dlv.Item.MessageMetadata; md == nil || md.MessageID != sent.ID || md.Receipts[0].RecipientParticipantID != bd.ParticipantID {
		t.Fatalf("customer's delivered receipt = %+v", dlv.Item)
	}
	if n := count(cr.events(), client.EventReadReceipt); n != 0 {
		t.Fatalf("the customer got %d read receipts, want 0 (its own are not echoed)", n)
	}

	// SendEvent sends as is.
	if _, err := bot.SendEvent(ctx, client.ContentTypeTyping, ""); err != nil {
		t.Fatal(err)
	}
	cr.waitFor(t, "a second typing event", func(evs []client.Event) bool { return count(evs, client.EventTyping) == 2 })

	// GetTranscript: ChatJS's defaults (latest 15, oldest first); the Transcript iterator: everything.
	page, err := cust.GetTranscript(ctx, client.TranscriptInput{})
	if err != nil {
		t.Fatal(err)
	}
	if page.InitialContactID != cd.ContactID || len(page.Transcript) != 5 {
		t.Fatalf("GetTranscript = %+v, want 5 items (2 joins, 3 messages)", page)
	}
	var all []wire.Item
	for it, err := range cust.Transcript(ctx, client.TranscriptInput{MaxResults: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, it)
	}
	if len(all) != 5 || all[1].Content != "hi, I need help" || all[3].ID != sent.ID || all[4].ID != reply.ID {
		t.Fatalf("Transcript = %+v", all)
	}
	if md := all[4].MessageMetadata; md == nil || md.Receipts[0].ReadTimestamp == "" {
		t.Fatalf("the bot's message in the transcript has no read receipt: %+v", all[4])
	}
	// Breaking off the iteration is fine.
	for range cust.Transcript(ctx, client.TranscriptInput{MaxResults: 1}) {
		break
	}

	// The customer leaves: participant.left, chat.ended (as a message), then ended, on both sides.
	if err := cust.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]*recorder{"customer": cr, "bot": br} {
		evs := r.waitFor(t, "ended", func(evs []client.Event) bool { return count(evs, client.EventEnded) == 1 })
		n := len(evs)
		if evs[n-1].Type != client.EventEnded || evs[n-2].Item.ContentType != client.ContentTypeChatEnded ||
			evs[n-3].Item.ContentType != client.ContentTypeParticipantLeft || evs[n-1].Err != nil {
			t.Fatalf("%s's last events:\n%s", name, dump(evs[n-3:]))
		}
	}

	// The channel saw exactly what the callbacks saw, and is closed after ended.
	var fromChan []client.Event
	for e := range custEvents {
		fromChan = append(fromChan, e)
	}
	cbs := cr.events()
	if len(fromChan) != len(cbs) {
		t.Fatalf("channel delivered %d events, callbacks %d", len(fromChan), len(cbs))
	}
	for i := range cbs {
		if fromChan[i].Type != cbs[i].Type || fromChan[i].Item.ID != cbs[i].Item.ID {
			t.Fatalf("event %d: channel %v %s, callback %v %s", i, fromChan[i].Type, fromChan[i].Item.ID, cbs[i].Type, cbs[i].Item.ID)
		}
	}

	want := cd
	want.InitialContactID = cd.ContactID // defaulted by NewSession
	if got := cust.ChatDetails(); got != want {
		t.Fatalf("ChatDetails = %+v, want %+v", got, want)
	}
	// After the end the service refuses; the error is typed.
	_, err = bot.SendMessage(ctx, client.ContentTypeTextPlain, "still there?")
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 403 || !client.IsAccessDenied(err) || !errors.Is(err, client.ErrAccessDenied) {
		t.Fatalf("SendMessage after the end: %v", err)
	}
	cust.Close()
	bot.Close()
	if _, err := cust.SendMessage(ctx, client.ContentTypeTextPlain, "x"); !errors.Is(err, client.ErrClosed) {
		t.Fatalf("SendMessage after Close: %v, want ErrClosed", err)
	}
	checkNoLeaks(t)
}

// TestJoinWithTokenOnly: a session that knows only a ParticipantToken learns its ContactID at Connect and its
// ParticipantID from its first message's echo (parley chat --participant-token relies on it).
func TestJoinWithTokenOnly(t *testing.T) {
	srv := testserver.Start(t)
	ctx := testCtx(t)
	cd := startChat(t, srv, srv.URL)
	s, r := session(t, srv.URL, client.ChatDetails{ParticipantToken: cd.ParticipantToken}, client.Options{})
	if err := s.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	sent, err := s.SendMessage(ctx, client.ContentTypeTextPlain, "who am I?")
	if err != nil {
		t.Fatal(err)
	}
	r.waitItem(t, client.EventMessage, func(e client.Event) bool { return e.Item.ID == sent.ID })
	got := s.ChatDetails()
	if got.ContactID != cd.ContactID || got.InitialContactID != cd.ContactID || got.ParticipantID != cd.ParticipantID {
		t.Fatalf("learnt %+v, want %+v", got, cd)
	}
}

// TestErrors: the service's errors come back as *APIError with the AWS type, status and message.
func TestErrors(t *testing.T) {
	srv := testserver.Start(t)
	ctx := testCtx(t)

	_, err := client.StartChat(ctx, client.StartChatInput{Endpoint: srv.URL, Region: srv.Region,
		InstanceID: "no-such-instance", ContactFlowID: srv.ContactFlowID, DisplayName: "C"})
	var ae *client.APIError
	if !errors.As(err, &ae) || !client.IsNotFound(err) || ae.StatusCode != 404 || ae.Operation != "StartChatContact" ||
		ae.Message == "" {
		t.Fatalf("StartChat with an unknown instance: %#v", err)
	}
	_, err = client.StartChat(ctx, client.StartChatInput{Endpoint: srv.URL, InstanceID: srv.InstanceID,
		ContactFlowID: srv.ContactFlowID})
	if !client.IsValidation(err) {
		t.Fatalf("StartChat without a display name: %v, want a validation error", err)
	}

	bad, _ := session(t, srv.URL, client.ChatDetails{ParticipantToken: "not-a-token"}, client.Options{})
	if _, err := bad.SendMessage(ctx, client.ContentTypeTextPlain, "x"); !errors.Is(err, client.ErrNotConnected) {
		t.Fatalf("SendMessage before Connect: %v, want ErrNotConnected", err)
	}
	err = bad.Connect(ctx)
	if !client.IsAccessDenied(err) || !errors.As(err, &ae) || ae.Operation != "CreateParticipantConnection" {
		t.Fatalf("Connect with a bad token: %v, want AccessDeniedException", err)
	}
	if clientGoroutines() != nil {
		t.Fatalf("a failed Connect left goroutines:\n%s", clientGoroutines())
	}

	cd := startChat(t, srv, srv.URL)
	s, _ := session(t, srv.URL, cd, client.Options{})
	if err := s.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	// application/json is not among the chat's supported content types (the default is text/plain only).
	_, err = s.SendMessage(ctx, client.ContentTypeJSON, `{"a":1}`)
	if !client.IsValidation(err) || !errors.Is(err, client.ErrValidation) || client.IsThrottling(err) || client.IsServerError(err) {
		t.Fatalf("SendMessage with an unsupported type: %v", err)
	}
	_, err = s.SendEvent(ctx, "application/vnd.amazonaws.connect.event.nonsense", "")
	if !client.IsValidation(err) {
		t.Fatalf("SendEvent with an unknown type: %v", err)
	}
	if err := s.SendReadReceipt(""); err == nil {
		t.Fatal("SendReadReceipt without a message id succeeded")
	}
	_, err = client.NewSession(client.ChatDetails{ContactID: "c"}, client.Options{})
	if err == nil {
		t.Fatal("NewSession without a ParticipantToken succeeded")
	}
}

// TestSignedConnectAPI: with access keys configured, parley verifies SigV4; StartChat, CreateParticipant,
// ListInstances and ListContactFlows sign correctly, and a wrong secret is refused.
func TestSignedConnectAPI(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.AccessKeys = map[string]string{"AKIDPARLEY": "s3cret"} })
	ctx := testCtx(t)
	good := client.Credentials{AccessKeyID: "AKIDPARLEY", SecretAccessKey: "s3cret", SessionToken: "session"}
	li := client.ListInput{Endpoint: srv.URL, Region: srv.Region, Credentials: good}
	ins, err := client.ListInstances(ctx, li)
	if err != nil || len(ins) != 1 || ins[0].ID != srv.InstanceID {
		t.Fatalf("ListInstances = %+v, %v", ins, err)
	}
	flows, err := client.ListContactFlows(ctx, li, ins[0].Arn, "CONTACT_FLOW") // an ARN: '/' and ':' in the path
	if err != nil || !slices.ContainsFunc(flows, func(f wire.ContactFlowSummary) bool {
		return f.ID == srv.ContactFlowID && f.Name == parley.DefaultFlowName
	}) {
		t.Fatalf("ListContactFlows = %+v, %v; want the default flow among them", flows, err)
	}
	cd := startChat(t, srv, srv.URL, func(in *client.StartChatInput) {
		in.Credentials = good
		in.ClientToken = "start-1"
		in.Customize = func(r *wire.StartChatContactRequest) { r.CustomerID = &in.DisplayName }
	})
	again := startChat(t, srv, srv.URL, func(in *client.StartChatInput) { in.Credentials = good; in.ClientToken = "start-1" })
	if again != cd {
		t.Fatalf("StartChat retried with the same ClientToken answered %+v, first %+v", again, cd)
	}
	if _, err := client.CreateParticipant(ctx, client.CreateParticipantInput{Endpoint: srv.URL, Region: srv.Region,
		Credentials: good, InstanceID: srv.InstanceID, ContactID: cd.ContactID, DisplayName: "Bot"}); err != nil {
		t.Fatal(err)
	}

	bad := client.Credentials{AccessKeyID: "AKIDPARLEY", SecretAccessKey: "wrong"}
	_, err = client.StartChat(ctx, client.StartChatInput{Endpoint: srv.URL, Region: srv.Region, Credentials: bad,
		InstanceID: srv.InstanceID, ContactFlowID: srv.ContactFlowID, DisplayName: "C"})
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 403 || ae.Code != client.CodeInvalidSignature {
		t.Fatalf("StartChat with a wrong secret: %v", err)
	}
	_, err = client.ListInstances(ctx, client.ListInput{Endpoint: srv.URL, Region: srv.Region})
	if !errors.As(err, &ae) || ae.StatusCode != 403 {
		t.Fatalf("unsigned ListInstances with keys configured: %v", err)
	}
}

// TestTokenRefreshAgainstParley: against a server whose ConnectionTokens live 61 s, the session refreshes its
// token (RefreshBefore 60 s: after about a second) with CONNECTION_CREDENTIALS only, and keeps working with the
// new one. The exact timing is tested with a fake clock in TestTokenRefresh.
func TestTokenRefreshAgainstParley(t *testing.T) {
	srv := testserver.Start(t, func(c *server.Config) { c.Chat.ConnectionTokenTTL = 61 * time.Second })
	ctx := testCtx(t)
	cd := startChat(t, srv, srv.URL)
	s, r := session(t, srv.URL, cd, client.Options{})
	if err := s.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	first := s.ConnectionDetails()
	deadline := time.Now().Add(wait)
	for s.ConnectionDetails().ConnectionToken == first.ConnectionToken {
		if time.Now().After(deadline) {
			t.Fatal("the ConnectionToken was not refreshed")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if next := s.ConnectionDetails(); !next.Expiry.After(first.Expiry) {
		t.Fatalf("refreshed expiry %v is not after %v", next.Expiry, first.Expiry)
	}
	sent, err := s.SendMessage(ctx, client.ContentTypeTextPlain, "with the new token")
	if err != nil {
		t.Fatal(err)
	}
	r.waitItem(t, client.EventMessage, func(e client.Event) bool { return e.Item.ID == sent.ID })
	if n := count(r.events(), client.EventConnectionLost); n != 0 {
		t.Fatalf("the refresh cost the socket: %d connectionLost events", n)
	}
}
