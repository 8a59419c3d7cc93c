package e2e

import (
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/wire"
)

const (
	evIdle       = "application/vnd.amazonaws.connect.event.participant.idle"
	evReturned   = "application/vnd.amazonaws.connect.event.participant.returned"
	evAutoDiscon = "application/vnd.amazonaws.connect.event.participant.autodisconnection"
)

// TestParticipantTimers: timers set with the official SDK's UpdateParticipantRoleConfig start when a custom bot
// joins; the customer's socket gets participant.idle, participant.returned before the customer's next message,
// and participant.autodisconnection and chat.ended (a customer and a bot alone), each item as ChatJS reads it;
// the timer events stay out of the transcript.
func TestParticipantTimers(t *testing.T) {
	clk := &fakeClock{t: time.Now()}
	e := newEnv(t, func(c *server.Config) { c.Clock = clk; c.Chat.TimerInterval = time.Hour })
	svc := e.srv.Service()
	ch := e.startChat()
	_, err := e.cc.UpdateParticipantRoleConfig(ctx(t), &connect.UpdateParticipantRoleConfigInput{
		InstanceId: aws.String(e.srv.InstanceID), ContactId: aws.String(ch.ContactID),
		ChannelConfiguration: &ctypes.UpdateParticipantRoleConfigChannelInfoMemberChat{Value: ctypes.ChatParticipantRoleConfig{
			ParticipantTimerConfigList: []ctypes.ParticipantTimerConfiguration{
				{ParticipantRole: ctypes.TimerEligibleParticipantRolesCustomer, TimerType: ctypes.ParticipantTimerTypeIdle,
					TimerValue: &ctypes.ParticipantTimerValueMemberParticipantTimerDurationInMinutes{Value: 2}},
				{ParticipantRole: ctypes.TimerEligibleParticipantRolesCustomer, TimerType: ctypes.ParticipantTimerTypeDisconnectNoncustomer,
					TimerValue: &ctypes.ParticipantTimerValueMemberParticipantTimerDurationInMinutes{Value: 3}},
			}}},
	})
	if err != nil {
		t.Fatalf("UpdateParticipantRoleConfig: %v", err)
	}
	cust := e.connect(ch.ParticipantToken)
	cs := dial(t, cust.URL)
	e.addBot(ch.ContactID)
	cs.until(evJoined) // the bot's

	fire := func(want int) {
		t.Helper()
		if n, err := svc.FireParticipantTimers(ctx(t)); err != nil || n != want {
			t.Fatalf("FireParticipantTimers = %d, %v; want %d", n, err, want)
		}
	}
	stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	wantEvent := func(it wire.Item, contentType string) {
		t.Helper()
		if it.ContentType != contentType || it.Type != "EVENT" || it.ID == "" || it.ParticipantID != ch.ParticipantID ||
			it.ParticipantRole != "CUSTOMER" || it.DisplayName != "Customer" || it.ContactID != ch.ContactID ||
			it.InitialContactID != ch.ContactID || !stamp.MatchString(it.AbsoluteTime) {
			t.Fatalf("item %+v, want a %s event from the customer", it, contentType)
		}
	}

	clk.add(2 * time.Minute)
	fire(1)
	wantEvent(cs.next(), evIdle)
	e.send(cust.Token, "still here")
	wantEvent(cs.next(), evReturned)
	if it := cs.next(); it.Content != "still here" {
		t.Fatalf("got %+v, want the customer's message after participant.returned", it)
	}
	clk.add(2*time.Minute + 8*time.Second) // the reset idle timer, with its slack
	fire(1)
	wantEvent(cs.next(), evIdle)
	for _, it := range e.transcript(cust.Token) {
		if ct := *it.ContentType; ct == evIdle || ct == evReturned {
			t.Errorf("the transcript holds %s; Connect keeps timer events out of it", ct)
		}
	}
	clk.add(3 * time.Minute)
	fire(1)
	wantEvent(cs.next(), evAutoDiscon)
	if it := cs.next(); it.ContentType != evEnded {
		t.Fatalf("got %+v, want chat.ended", it)
	}
}
