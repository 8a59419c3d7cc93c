package e2e

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/connectparticipant"
	"github.com/gorilla/websocket"

	"github.com/parley-chat/parley/internal/testserver"
	"github.com/parley-chat/parley/server"
)

const (
	evJoined   = "application/vnd.amazonaws.connect.event.participant.joined"
	evLeft     = "application/vnd.amazonaws.connect.event.participant.left"
	evEnded    = "application/vnd.amazonaws.connect.event.chat.ended"
	evTyping   = "application/vnd.amazonaws.connect.event.typing"
	evRead     = "application/vnd.amazonaws.connect.event.message.read"
	evDeliver  = "application/vnd.amazonaws.connect.event.message.delivered"
	evMetadata = "application/vnd.amazonaws.connect.event.message.metadata"
)

// TestChatLifecycle runs a whole chat between a customer and a bot with the official clients and checks what
// each side sees on its socket and in the transcript.
func TestChatLifecycle(t *testing.T) {
	e := newEnv(t)
	ch := e.startChat(func(in *connect.StartChatContactInput) {
		in.InitialMessage = &ctypes.ChatMessage{ContentType: aws.String("text/plain"), Content: aws.String("hi, I need help")}
		in.Attributes = map[string]string{"order": "42"}
	})
	cust := e.connect(ch.ParticipantToken)
	if exp := awsv1.StringValue(cust.out.ConnectionCredentials.Expiry); exp == "" {
		t.Fatal("no ConnectionCredentials.Expiry")
	}
	cs := dial(t, cust.URL)

	botToken, botID := e.addBot(ch.ContactID)
	bot := e.connect(botToken)
	bs := dial(t, bot.URL)
	if it := cs.next(); it.ContentType != evJoined || it.ParticipantID != botID || it.ParticipantRole != "CUSTOM_BOT" {
		t.Fatalf("customer saw %+v, want the bot's participant.joined", it)
	}

	// The initial message is the customer's first message, after its join event.
	tr := e.transcript(cust.Token)
	if len(tr) != 3 || awsv1.StringValue(tr[0].ContentType) != evJoined || awsv1.StringValue(tr[1].Content) != "hi, I need help" ||
		awsv1.StringValue(tr[1].ParticipantRole) != "CUSTOMER" || awsv1.StringValue(tr[2].ParticipantId) != botID {
		t.Fatalf("transcript at start = %v", tr)
	}

	// One Id everywhere: the SendMessage response, both sockets, the transcript.
	sent := e.send(cust.Token, "where is my order?")
	for _, s := range []*socket{cs, bs} {
		it := s.next()
		if it.ID != awsv1.StringValue(sent.Id) || it.Content != "where is my order?" || it.ContactID != ch.ContactID ||
			it.InitialContactID != ch.ContactID || it.AbsoluteTime != awsv1.StringValue(sent.AbsoluteTime) {
			t.Fatalf("socket item %+v does not match SendMessage response %v", it, sent)
		}
	}

	reply := e.send(bot.Token, "on its way")
	if it := cs.next(); it.ID != awsv1.StringValue(reply.Id) || it.ParticipantRole != "CUSTOM_BOT" || it.DisplayName != "Bot" {
		t.Fatalf("customer got %+v", it)
	}
	bs.next()

	// Typing is pushed live but never part of the transcript.
	if _, err := e.pc.SendEventWithContext(ctx(t), &connectparticipant.SendEventInput{ConnectionToken: awsv1.String(bot.Token),
		ContentType: awsv1.String(evTyping)}); err != nil {
		t.Fatal(err)
	}
	if it := cs.next(); it.ContentType != evTyping || it.ParticipantID != botID || it.Type != "EVENT" {
		t.Fatalf("want typing, got %+v", it)
	}
	bs.next()

	// A second bot message, then the customer reads the latest: the read covers both bot messages.
	reply2 := e.send(bot.Token, "arrives tomorrow")
	cs.next()
	bs.next()
	readOut, err := e.pc.SendEventWithContext(ctx(t), &connectparticipant.SendEventInput{ConnectionToken: awsv1.String(cust.Token),
		ContentType: awsv1.String(evRead), Content: awsv1.String(fmt.Sprintf(`{"messageId":%q,"disableThrottle":true}`, *reply2.Id)),
		ClientToken: awsv1.String("INCOMING_READ_RECEIPT")})
	if err != nil {
		t.Fatal(err)
	}
	md := bs.next()
	if md.Type != "MESSAGEMETADATA" || md.ID != awsv1.StringValue(readOut.Id) || md.MessageMetadata == nil ||
		md.MessageMetadata.MessageID != *reply2.Id || len(md.MessageMetadata.Receipts) != 1 ||
		md.MessageMetadata.Receipts[0].RecipientParticipantID != ch.ParticipantID || md.MessageMetadata.Receipts[0].ReadTimestamp == "" {
		t.Fatalf("bot got %+v, want MESSAGEMETADATA read receipt", md)
	}
	cs.next()
	// ChatJS sends every read receipt with the same constant ClientToken: a second one must not be swallowed.
	if _, err := e.pc.SendEventWithContext(ctx(t), &connectparticipant.SendEventInput{ConnectionToken: awsv1.String(bot.Token),
		ContentType: awsv1.String(evDeliver), Content: awsv1.String(fmt.Sprintf(`{"messageId":%q}`, *sent.Id)),
		ClientToken: awsv1.String("INCOMING_READ_RECEIPT")}); err != nil {
		t.Fatal(err)
	}
	if it := cs.next(); it.Type != "MESSAGEMETADATA" || it.MessageMetadata.Receipts[0].DeliveredTimestamp == "" {
		t.Fatalf("customer got %+v, want delivered receipt", it)
	}
	bs.next()

	tr = e.transcript(bot.Token)
	byID := map[string]*connectparticipant.Item{}
	for _, it := range tr {
		if awsv1.StringValue(it.ContentType) == evTyping || awsv1.StringValue(it.ContentType) == evMetadata {
			t.Fatalf("transcript contains %s", awsv1.StringValue(it.ContentType))
		}
		byID[awsv1.StringValue(it.Id)] = it
	}
	for _, id := range []string{*reply.Id, *reply2.Id} {
		it := byID[id]
		if it == nil || it.MessageMetadata == nil || len(it.MessageMetadata.Receipts) != 1 ||
			awsv1.StringValue(it.MessageMetadata.Receipts[0].RecipientParticipantId) != ch.ParticipantID ||
			awsv1.StringValue(it.MessageMetadata.Receipts[0].ReadTimestamp) == "" ||
			awsv1.StringValue(it.MessageMetadata.Receipts[0].DeliveredTimestamp) == "" {
			t.Fatalf("bot message %s: receipts = %v", id, it)
		}
	}
	if it := byID[*sent.Id]; it.MessageMetadata == nil || awsv1.StringValue(it.MessageMetadata.Receipts[0].DeliveredTimestamp) == "" ||
		it.MessageMetadata.Receipts[0].ReadTimestamp != nil {
		t.Fatalf("customer message receipts = %v, want delivered only", it.MessageMetadata)
	}

	// The customer leaves: participant.left then chat.ended, on both sockets.
	if _, err := e.pc.DisconnectParticipantWithContext(ctx(t), &connectparticipant.DisconnectParticipantInput{
		ConnectionToken: awsv1.String(cust.Token)}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*socket{cs, bs} {
		left, ended := s.next(), s.next()
		if left.ContentType != evLeft || left.ParticipantID != ch.ParticipantID || ended.ContentType != evEnded ||
			ended.ParticipantRole != "SYSTEM" || ended.InitialContactID != ch.ContactID {
			t.Fatalf("got %+v then %+v, want participant.left then chat.ended", left, ended)
		}
	}

	// Once the chat has ended: 403 for a new connection (ChatJS reads it as "ended") and for sending.
	_, err = e.pc.CreateParticipantConnectionWithContext(ctx(t), &connectparticipant.CreateParticipantConnectionInput{
		ParticipantToken: awsv1.String(ch.ParticipantToken), Type: awsv1.StringSlice([]string{"WEBSOCKET"})})
	wantCode(t, err, "AccessDeniedException", 403)
	_, err = e.pc.SendMessageWithContext(ctx(t), &connectparticipant.SendMessageInput{ConnectionToken: awsv1.String(bot.Token),
		ContentType: awsv1.String("text/plain"), Content: awsv1.String("still there?")})
	wantCode(t, err, "AccessDeniedException", 403)

	d, err := e.cc.DescribeContact(ctx(t), &connect.DescribeContactInput{InstanceId: aws.String(e.srv.InstanceID),
		ContactId: aws.String(ch.ContactID)})
	if err != nil {
		t.Fatal(err)
	}
	if d.Contact.DisconnectTimestamp == nil || aws.ToString(d.Contact.DisconnectReason) != "CUSTOMER_DISCONNECT" ||
		d.Contact.Channel != ctypes.ChannelChat || d.Contact.Attributes["order"] != "42" {
		t.Fatalf("DescribeContact after end = %+v", d.Contact)
	}
}

// TestBotLeaves: a non-customer participant leaving does not end the chat; only it gets a chat.ended.
func TestBotLeaves(t *testing.T) {
	e := newEnv(t)
	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	cs := dial(t, cust.URL)
	botToken, botID := e.addBot(ch.ContactID)
	bot := e.connect(botToken)
	bs := dial(t, bot.URL)
	cs.next() // bot joined

	if _, err := e.pc.DisconnectParticipantWithContext(ctx(t), &connectparticipant.DisconnectParticipantInput{
		ConnectionToken: awsv1.String(bot.Token), ClientToken: awsv1.String("bye-1")}); err != nil {
		t.Fatal(err)
	}
	if l, en := bs.next(), bs.next(); l.ContentType != evLeft || en.ContentType != evEnded {
		t.Fatalf("bot got %v, %v", l, en)
	}
	if l := cs.next(); l.ContentType != evLeft || l.ParticipantID != botID {
		t.Fatalf("customer got %+v", l)
	}
	// A retried disconnect (same ClientToken) succeeds; the chat goes on for the customer.
	if _, err := e.pc.DisconnectParticipantWithContext(ctx(t), &connectparticipant.DisconnectParticipantInput{
		ConnectionToken: awsv1.String(bot.Token), ClientToken: awsv1.String("bye-1")}); err != nil {
		t.Fatalf("retried disconnect: %v", err)
	}
	m := e.send(cust.Token, "anyone?")
	if it := cs.next(); it.ID != *m.Id {
		t.Fatalf("customer got %+v, want its message (no chat.ended)", it)
	}
	_, err := e.pc.SendMessageWithContext(ctx(t), &connectparticipant.SendMessageInput{ConnectionToken: awsv1.String(bot.Token),
		ContentType: awsv1.String("text/plain"), Content: awsv1.String("x")})
	wantCode(t, err, "AccessDeniedException", 403)
	for _, it := range e.transcript(cust.Token) {
		if awsv1.StringValue(it.ContentType) == evEnded {
			t.Fatal("the bot's chat.ended is visible in the customer's transcript")
		}
	}
	// A second bot may join now that the first left.
	e.addBot(ch.ContactID)
}

// TestStopContact: StopContact ends the chat for everyone.
func TestStopContact(t *testing.T) {
	e := newEnv(t)
	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	cs := dial(t, cust.URL)
	if _, err := e.cc.StopContact(ctx(t), &connect.StopContactInput{InstanceId: aws.String(e.srv.InstanceID),
		ContactId: aws.String(ch.ContactID)}); err != nil {
		t.Fatal(err)
	}
	if it := cs.next(); it.ContentType != evEnded {
		t.Fatalf("got %+v, want chat.ended", it)
	}
	// Stopping again is harmless.
	if _, err := e.cc.StopContact(ctx(t), &connect.StopContactInput{InstanceId: aws.String(e.srv.InstanceID),
		ContactId: aws.String(ch.ContactID)}); err != nil {
		t.Fatal(err)
	}
	_, err := e.pc.GetTranscriptWithContext(ctx(t), &connectparticipant.GetTranscriptInput{ConnectionToken: awsv1.String(cust.Token)})
	wantCode(t, err, "AccessDeniedException", 403)
	d, err := e.cc.DescribeContact(ctx(t), &connect.DescribeContactInput{InstanceId: aws.String(e.srv.InstanceID),
		ContactId: aws.String(ch.ContactID)})
	if err != nil || aws.ToString(d.Contact.DisconnectReason) != "API" {
		t.Fatalf("DescribeContact = %+v, %v", d, err)
	}
}

// TestIdempotentSendMessage: invariant 5 — a retried SendMessage with the same ClientToken returns the same Id
// and stores one item, also when the retries race.
func TestIdempotentSendMessage(t *testing.T) {
	e := newEnv(t)
	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := e.pc.SendMessageWithContext(ctx(t), &connectparticipant.SendMessageInput{
				ConnectionToken: awsv1.String(cust.Token), ContentType: awsv1.String("text/plain"),
				Content: awsv1.String("once"), ClientToken: awsv1.String("token-1")})
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = *out.Id
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("retries returned different Ids: %v", ids)
		}
	}
	n := 0
	for _, it := range e.transcript(cust.Token) {
		if awsv1.StringValue(it.Content) == "once" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d items stored for one ClientToken, want 1", n)
	}
	// The same token from another participant is another request.
	botToken, _ := e.addBot(ch.ContactID)
	bot := e.connect(botToken)
	out, err := e.pc.SendMessageWithContext(ctx(t), &connectparticipant.SendMessageInput{ConnectionToken: awsv1.String(bot.Token),
		ContentType: awsv1.String("text/plain"), Content: awsv1.String("bot once"), ClientToken: awsv1.String("token-1")})
	if err != nil || *out.Id == ids[0] {
		t.Fatalf("bot message with the customer's token: %v, %v", out, err)
	}
}

// TestIdempotentStartChat: StartChatContact and CreateParticipant retried with one ClientToken answer the same.
func TestIdempotentStartChat(t *testing.T) {
	e := newEnv(t)
	a := e.startChat(func(in *connect.StartChatContactInput) { in.ClientToken = aws.String("start-1") })
	b := e.startChat(func(in *connect.StartChatContactInput) { in.ClientToken = aws.String("start-1") })
	if a != b {
		t.Fatalf("retry answered %+v, first %+v", b, a)
	}
	c := e.startChat(func(in *connect.StartChatContactInput) { in.ClientToken = aws.String("start-2") })
	if c.ContactID == a.ContactID {
		t.Fatal("another ClientToken gave the same contact")
	}
	in := &connect.CreateParticipantInput{InstanceId: aws.String(e.srv.InstanceID), ContactId: aws.String(a.ContactID),
		ClientToken: aws.String("bot-1"), ParticipantDetails: &ctypes.ParticipantDetailsToAdd{
			ParticipantRole: ctypes.ParticipantRoleCustomBot, DisplayName: aws.String("Bot")}}
	p1, err := e.cc.CreateParticipant(ctx(t), in)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := e.cc.CreateParticipant(ctx(t), in)
	if err != nil {
		t.Fatal(err)
	}
	if *p1.ParticipantId != *p2.ParticipantId || *p1.ParticipantCredentials.ParticipantToken != *p2.ParticipantCredentials.ParticipantToken {
		t.Fatal("CreateParticipant retry answered differently")
	}
	// A different token is a second bot: over the limit of one.
	in.ClientToken = aws.String("bot-2")
	_, err = e.cc.CreateParticipant(ctx(t), in)
	wantCode(t, err, "ServiceQuotaExceededException", 402)
	// The retried start still works as a chat: its token connects.
	e.connect(b.ParticipantToken)
}

// TestDurableBeforeAcknowledged: invariant 1 — what a 2xx acknowledged is on disk: a server reopened on the same
// data directory serves it (and the same tokens still work).
func TestDurableBeforeAcknowledged(t *testing.T) {
	dir := t.TempDir()
	withDir := func(c *server.Config) { c.DataDir = dir }
	srv := testserver.Start(t, withDir)
	cc, pc := connectClient(srv), participantClient(srv.URL, srv.Region)
	out, err := cc.StartChatContact(ctx(t), &connect.StartChatContactInput{InstanceId: aws.String(srv.InstanceID),
		ContactFlowId: aws.String(srv.ContactFlowID), ParticipantDetails: &ctypes.ParticipantDetails{DisplayName: aws.String("C")}})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, srv: srv, cc: cc, pc: pc}
	cust := e.connect(*out.ParticipantToken)
	var ids []string
	for i := range 20 {
		ids = append(ids, *e.send(cust.Token, fmt.Sprint("m", i)).Id)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	srv2 := testserver.Start(t, withDir)
	if srv2.InstanceID != srv.InstanceID || srv2.ContactFlowID != srv.ContactFlowID {
		t.Fatal("the default instance changed across a restart")
	}
	e2 := &env{t: t, srv: srv2, cc: connectClient(srv2), pc: participantClient(srv2.URL, srv2.Region)}
	var got []string
	for _, it := range e2.transcript(cust.Token) {
		if awsv1.StringValue(it.Type) == "MESSAGE" {
			got = append(got, *it.Id)
		}
	}
	if !slices.Equal(got, ids) {
		t.Fatalf("after restart the transcript has %v, want %v", got, ids)
	}
	e2.connect(*out.ParticipantToken) // the ParticipantToken survives too
}

// TestOrderOnEverySocket: invariant 3 — concurrent senders; every socket (two of the customer's, one of the
// bot's) delivers the same items in the same order as the transcript, each once.
func TestOrderOnEverySocket(t *testing.T) {
	e := newEnv(t)
	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	botToken, _ := e.addBot(ch.ContactID)
	bot := e.connect(botToken)
	sockets := []*socket{dial(t, cust.URL), dial(t, e.connect(ch.ParticipantToken).URL), dial(t, bot.URL)}

	const perSender = 40
	var wg sync.WaitGroup
	for _, tok := range []string{cust.Token, bot.Token} {
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range perSender / 2 {
					if _, err := e.pc.SendMessageWithContext(ctx(t), &connectparticipant.SendMessageInput{
						ConnectionToken: awsv1.String(tok), ContentType: awsv1.String("text/plain"),
						Content: awsv1.String(fmt.Sprintf("w%d-%d", w, i))}); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	var want []string
	for _, it := range e.transcript(cust.Token) {
		if awsv1.StringValue(it.Type) == "MESSAGE" {
			want = append(want, *it.Id)
		}
	}
	if len(want) != 2*perSender {
		t.Fatalf("transcript has %d messages, want %d", len(want), 2*perSender)
	}
	for i, s := range sockets {
		var got []string
		for len(got) < len(want) {
			it := s.next()
			if it.Type == "MESSAGE" {
				got = append(got, it.ID)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("socket %d delivered %v\nwant (transcript order) %v", i, got, want)
		}
	}
}

// TestGapFreeResume: invariant 4 — a client whose socket is cut reconnects, reads the transcript from the last
// item it saw, and so sees every item it missed exactly once, then live items again.
func TestGapFreeResume(t *testing.T) {
	e := newEnv(t)
	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	cs := dial(t, cust.URL)
	botToken, _ := e.addBot(ch.ContactID)
	bot := e.connect(botToken)
	last := cs.next() // bot joined
	for i := range 3 {
		e.send(bot.Token, fmt.Sprint("before ", i))
		last = cs.next()
	}

	e.srv.DropSockets()
	var missed []string
	for i := range 7 {
		missed = append(missed, *e.send(bot.Token, fmt.Sprint("while away ", i)).Id)
	}

	again := e.connect(ch.ParticipantToken)
	cs2 := dial(t, again.URL)
	var got []string
	var next *string
	for {
		out, err := e.pc.GetTranscriptWithContext(ctx(t), &connectparticipant.GetTranscriptInput{
			ConnectionToken: awsv1.String(again.Token), MaxResults: awsv1.Int64(2), NextToken: next,
			StartPosition: &connectparticipant.StartPosition{Id: awsv1.String(last.ID)},
			ScanDirection: awsv1.String("FORWARD"), SortOrder: awsv1.String("ASCENDING")})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Transcript {
			if *it.Id != last.ID {
				got = append(got, *it.Id)
			}
		}
		if out.NextToken == nil {
			break
		}
		next = out.NextToken
	}
	if !slices.Equal(got, missed) {
		t.Fatalf("resumed with %v, missed %v", got, missed)
	}
	live := e.send(bot.Token, "back")
	if it := cs2.next(); it.ID != *live.Id {
		t.Fatalf("new socket got %+v, want the live message", it)
	}
}

// TestTimers: the connect window and the chat duration end chats (invariant 8, nothing stuck), with a fake clock.
func TestTimers(t *testing.T) {
	clk := &fakeClock{t: time.Now()}
	e := newEnv(t, func(c *server.Config) { c.Clock = clk; c.Chat.TimerInterval = time.Hour })
	svc := e.srv.Service()

	never := e.startChat()
	short := e.startChat(func(in *connect.StartChatContactInput) { in.ChatDurationInMinutes = aws.Int32(60) })
	cust := e.connect(short.ParticipantToken)
	cs := dial(t, cust.URL)

	clk.add(5*time.Minute + time.Second)
	// A genuine WebSocket URL past its 100 s is not refused at the handshake (ChatJS would retry it without
	// backoff): the upgrade succeeds and the server closes the socket with 1008, so the client fetches a new URL.
	old, _, err := websocket.DefaultDialer.Dial(cust.URL, nil)
	if err != nil {
		t.Fatalf("expired URL refused at the handshake: %v", err)
	}
	_ = old.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, _, err := old.ReadMessage(); !websocket.IsCloseError(err, websocket.ClosePolicyViolation) {
		t.Fatalf("expired URL: read error %v, want close 1008", err)
	}
	old.Close()

	if n, err := svc.ExpireDue(ctx(t)); err != nil || n != 1 {
		t.Fatalf("ExpireDue after the connect window = %d, %v; want 1 (the never-connected chat)", n, err)
	}
	_, err = e.pc.CreateParticipantConnectionWithContext(ctx(t), &connectparticipant.CreateParticipantConnectionInput{
		ParticipantToken: awsv1.String(never.ParticipantToken), Type: awsv1.StringSlice([]string{"WEBSOCKET"})})
	wantCode(t, err, "AccessDeniedException", 403)

	clk.add(55 * time.Minute)
	if n, _ := svc.ExpireDue(ctx(t)); n != 1 {
		t.Fatalf("ExpireDue after 60 minutes = %d, want 1", n)
	}
	if it := cs.next(); it.ContentType != evEnded {
		t.Fatalf("got %+v, want chat.ended", it)
	}
	for id, reason := range map[string]string{never.ContactID: "CUSTOMER_NEVER_CONNECTED", short.ContactID: "EXPIRED"} {
		d, err := e.cc.DescribeContact(ctx(t), &connect.DescribeContactInput{InstanceId: aws.String(e.srv.InstanceID),
			ContactId: aws.String(id)})
		if err != nil || aws.ToString(d.Contact.DisconnectReason) != reason {
			t.Fatalf("contact %s: %+v, %v; want reason %s", id, d, err, reason)
		}
	}
}

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
