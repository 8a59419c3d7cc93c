package e2e

import (
	"bytes"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"
	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/connectparticipant"

	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/throttle"
	"github.com/parley-chat/parley/wire"
)

// TestConnectQuotas: with `limits: connect`, a burst beyond Connect's quota gets 429 ThrottlingException, as
// the official SDKs (retries off) read it: StartChatContact per account (burst 8), SendMessage per instance
// (burst 15), and an operation given its own rate; past the concurrent-chats quota StartChatContact gets
// LimitExceededException. The server's clock is fake, so the buckets refill only when the test moves it: the
// counts are exact.
func TestConnectQuotas(t *testing.T) {
	clk := &fakeClock{t: time.Now()}
	e := newEnv(t, func(c *server.Config) {
		c.Clock = clk
		c.Chat.TimerInterval = time.Hour
		c.Limits = throttle.Config{Profile: throttle.ProfileConnect, ConcurrentChats: 16,
			Operations: map[string]throttle.Rate{"GetTranscript": {Rate: 1, Burst: 2}}}
	})
	cc := connect.NewFromConfig(aws.Config{Region: e.srv.Region, Credentials: aws.AnonymousCredentials{}},
		func(o *connect.Options) { o.BaseEndpoint = aws.String(e.srv.URL); o.RetryMaxAttempts = 1 })
	var token string
	burst := func(n int) (ok, throttled, limited int) {
		for range n {
			out, err := cc.StartChatContact(ctx(t), &connect.StartChatContactInput{InstanceId: aws.String(e.srv.InstanceID),
				ContactFlowId: aws.String(e.srv.ContactFlowID), ParticipantDetails: &ctypes.ParticipantDetails{DisplayName: aws.String("C")}})
			switch {
			case err == nil:
				ok, token = ok+1, aws.ToString(out.ParticipantToken)
			case awsCode(err) == "ThrottlingException" && statusCode(err) == 429:
				throttled++
			case awsCode(err) == "LimitExceededException" && statusCode(err) == 429:
				limited++
			default:
				t.Fatalf("StartChatContact: %v", err)
			}
		}
		return ok, throttled, limited
	}
	if ok, throttled, _ := burst(12); ok != 8 || throttled != 4 {
		t.Errorf("StartChatContact: %d accepted, %d throttled; want Connect's burst of 8, then 4 throttled", ok, throttled)
	}
	clk.add(time.Second) // refills Connect's rate of 5 a second
	if ok, throttled, _ := burst(7); ok != 5 || throttled != 2 {
		t.Errorf("StartChatContact a second later: %d accepted, %d throttled; want 5 and 2", ok, throttled)
	}
	clk.add(2 * time.Second) // 13 chats are active; the quota (set to 16 here; Connect's is 500) admits 3 more
	if ok, _, limited := burst(5); ok != 3 || limited != 2 {
		t.Errorf("StartChatContact at the concurrent-chats quota: %d accepted, %d LimitExceededException; want 3 and 2", ok, limited)
	}

	cust := e.connect(token)
	sent, refused := 0, 0
	for range 25 {
		_, err := e.pc.SendMessageWithContext(ctx(t), &connectparticipant.SendMessageInput{
			ConnectionToken: awsv1.String(cust.Token), ContentType: awsv1.String("text/plain"), Content: awsv1.String("hi")})
		switch {
		case err == nil:
			sent++
		case awsCode(err) == "ThrottlingException" && statusCode(err) == 429:
			refused++
		default:
			t.Fatalf("SendMessage: %v", err)
		}
	}
	if sent != 15 || refused != 10 {
		t.Errorf("SendMessage: %d sent, %d throttled; want Connect's burst of 15, then 10 throttled", sent, refused)
	}
	for i := range 3 {
		_, err := e.pc.GetTranscriptWithContext(ctx(t), &connectparticipant.GetTranscriptInput{ConnectionToken: awsv1.String(cust.Token)})
		if throttledErr := err != nil && awsCode(err) == "ThrottlingException"; throttledErr != (i == 2) {
			t.Errorf("GetTranscript %d (burst 2 configured): %v", i+1, err)
		}
	}
}

// postParticipant sends a Participant API request by hand, for the headers the SDKs hide (Retry-After).
func postParticipant(t *testing.T, e *env, path, token, body string) (status int, errType, retryAfter string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx(t), http.MethodPost, e.srv.URL+path, bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(wire.HeaderBearer, token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), resp.Header.Get("Retry-After")
}

// TestDefaultLimits: the limits that are on by default. One participant sending past its burst gets 429
// ThrottlingException with Retry-After, while the other party of the chat is not affected; GetTranscript has
// its own bucket; a client address that keeps presenting tokens that authenticate nobody is throttled, while a
// valid token from the same address still works. The clock is fake: the counts are exact.
func TestDefaultLimits(t *testing.T) {
	clk := &fakeClock{t: time.Now()}
	e := newEnv(t, func(c *server.Config) { c.Clock = clk; c.Chat.TimerInterval = time.Hour })
	d := throttle.Defaults
	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	botToken, _ := e.addBot(ch.ContactID)
	bot := e.connect(botToken)

	msg := `{"ContentType":"text/plain","Content":"hi"}`
	for i := range d.Participant.Messages.Burst {
		if status, typ, _ := postParticipant(t, e, wire.PathSendMessage, cust.Token, msg); status != http.StatusOK {
			t.Fatalf("message %d of the burst: %d %s", i+1, status, typ)
		}
	}
	status, typ, after := postParticipant(t, e, wire.PathSendMessage, cust.Token, msg)
	if status != http.StatusTooManyRequests || typ != "ThrottlingException" || after == "" {
		t.Fatalf("past the burst: %d %s Retry-After %q; want 429 ThrottlingException with Retry-After", status, typ, after)
	}
	if n, err := strconv.Atoi(after); err != nil || n < 1 {
		t.Errorf("Retry-After %q is not a number of seconds", after)
	}
	typing := `{"ContentType":"application/vnd.amazonaws.connect.event.typing"}`
	if status, typ, _ := postParticipant(t, e, wire.PathSendEvent, cust.Token, typing); status != http.StatusTooManyRequests {
		t.Errorf("SendEvent shares the message bucket: %d %s, want 429", status, typ)
	}
	e.send(bot.Token, "the other participant is not throttled")
	clk.add(time.Second)
	for i := range int(d.Participant.Messages.Rate) {
		if status, typ, _ := postParticipant(t, e, wire.PathSendMessage, cust.Token, msg); status != http.StatusOK {
			t.Fatalf("a second later, message %d: %d %s", i+1, status, typ)
		}
	}

	for i := range d.Participant.Transcripts.Burst + 1 {
		status, typ, _ := postParticipant(t, e, wire.PathGetTranscript, cust.Token, `{"MaxResults":1}`)
		if want := http.StatusOK; i == d.Participant.Transcripts.Burst {
			if status != http.StatusTooManyRequests || typ != "ThrottlingException" {
				t.Errorf("GetTranscript past its burst: %d %s", status, typ)
			}
		} else if status != want {
			t.Fatalf("GetTranscript %d: %d %s", i+1, status, typ)
		}
	}

	for i := range d.Unauthenticated.Burst {
		if status, typ, _ := postParticipant(t, e, wire.PathSendMessage, "C-forged-"+strconv.Itoa(i), msg); status != http.StatusForbidden {
			t.Fatalf("forged token %d: %d %s, want 403", i+1, status, typ)
		}
	}
	for _, path := range []string{wire.PathSendMessage, wire.PathCreateParticipantConnection} {
		status, typ, after := postParticipant(t, e, path, "P-forged", `{"Type":["WEBSOCKET"]}`)
		if status != http.StatusTooManyRequests || typ != "ThrottlingException" || after == "" {
			t.Errorf("%s with a forged token past the address's budget: %d %s Retry-After %q", path, status, typ, after)
		}
	}
	e.send(bot.Token, "a valid token from the same address still works")
	clk.add(time.Hour)
	if status, typ, _ := postParticipant(t, e, wire.PathSendMessage, "C-forged", msg); status != http.StatusForbidden {
		t.Errorf("forged token after the bucket refilled: %d %s, want 403", status, typ)
	}
}

// TestHumanAndBotNeverThrottled: a person at human speed (a message, typing and receipts every few seconds) and a
// bot at 10 messages a second, the rate docs/security.md promises, for a minute of the fake clock: nothing is
// throttled under the default limits.
func TestHumanAndBotNeverThrottled(t *testing.T) {
	clk := &fakeClock{t: time.Now()}
	e := newEnv(t, func(c *server.Config) { c.Clock = clk; c.Chat.TimerInterval = time.Hour })
	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	botToken, _ := e.addBot(ch.ContactID)
	bot := e.connect(botToken)
	event := func(token, contentType, content string) {
		t.Helper()
		in := &connectparticipant.SendEventInput{ConnectionToken: awsv1.String(token), ContentType: awsv1.String(contentType)}
		if content != "" {
			in.Content = awsv1.String(content)
		}
		_, err := e.pc.SendEventWithContext(ctx(t), in)
		if err != nil {
			t.Fatalf("SendEvent %s at %v: %v", contentType, clk.Now(), err)
		}
	}
	for tick := range 600 { // 100 ms apart: one minute
		out := e.send(bot.Token, "bot "+strconv.Itoa(tick))
		if tick%30 == 0 { // every 3 s the person reads, types and answers
			id := awsv1.StringValue(out.Id)
			event(cust.Token, "application/vnd.amazonaws.connect.event.message.delivered", `{"messageId":"`+id+`"}`)
			event(cust.Token, "application/vnd.amazonaws.connect.event.message.read", `{"messageId":"`+id+`"}`)
			event(cust.Token, "application/vnd.amazonaws.connect.event.typing", "")
			e.send(cust.Token, "person "+strconv.Itoa(tick))
			if _, err := e.pc.GetTranscriptWithContext(ctx(t), &connectparticipant.GetTranscriptInput{
				ConnectionToken: awsv1.String(cust.Token), MaxResults: awsv1.Int64(15)}); err != nil {
				t.Fatalf("GetTranscript: %v", err)
			}
		}
		clk.add(100 * time.Millisecond)
	}
}

// TestChatItemCap: past limits.chat_items, a participant's SendMessage answers ServiceQuotaExceededException
// and stores nothing; the chat can still be ended, and its transcript holds exactly the cap's items before
// the end. Under the off profile nothing is limited.
func TestChatItemCap(t *testing.T) {
	const cap = 12
	e := newEnv(t, func(c *server.Config) { c.Limits = throttle.Config{ChatItems: cap} })
	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	sent := 0
	for {
		_, err := e.pc.SendMessageWithContext(ctx(t), &connectparticipant.SendMessageInput{ConnectionToken: awsv1.String(cust.Token),
			ContentType: awsv1.String("text/plain"), Content: awsv1.String("m" + strconv.Itoa(sent))})
		if err != nil {
			wantCode(t, err, "ServiceQuotaExceededException", 402)
			break
		}
		if sent++; sent > cap {
			t.Fatalf("%d messages stored in a chat capped at %d items", sent, cap)
		}
	}
	before := e.transcript(cust.Token)
	if len(before) > cap {
		t.Errorf("transcript holds %d items, cap %d", len(before), cap)
	}
	if _, err := e.pc.DisconnectParticipantWithContext(ctx(t), &connectparticipant.DisconnectParticipantInput{
		ConnectionToken: awsv1.String(cust.Token)}); err != nil {
		t.Fatalf("DisconnectParticipant on a full chat: %v", err)
	}
	out, err := e.cc.DescribeContact(ctx(t), &connect.DescribeContactInput{InstanceId: aws.String(e.srv.InstanceID),
		ContactId: aws.String(ch.ContactID)})
	if err != nil || out.Contact.DisconnectTimestamp == nil {
		t.Fatalf("DescribeContact after disconnecting a full chat: %+v, %v", out, err)
	}

	off := newEnv(t, func(c *server.Config) { c.Limits = throttle.Config{Profile: throttle.ProfileOff} })
	ch = off.startChat()
	cust = off.connect(ch.ParticipantToken)
	for i := range 2 * throttle.Defaults.Participant.Messages.Burst {
		off.send(cust.Token, "fast "+strconv.Itoa(i))
	}
}
