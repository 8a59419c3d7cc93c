package channels

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/parley-chat/parley"
)

// numberedChannel is fakeChannel with a business number; its user ids are numbers without "+".
type numberedChannel struct{ fakeChannel }

func (*numberedChannel) Number() string              { return "+12065550100" }
func (*numberedChannel) UserID(number string) string { return number[1:] }

func startNumberedBridge(t *testing.T, be Backend) (*Bridge, *numberedChannel) {
	t.Helper()
	ch := &numberedChannel{}
	return runBridge(t, be, Options{}, ch, &fakeOther{}), ch
}

// fakeOther is a channel without a number (as Messenger).
type fakeOther struct{ fakeChannel }

func (*fakeOther) Name() string { return "other" }

// outbound is an OutboundChat whose Start starts a chat on be with the ClientToken, counting the starts.
func outbound(be *fakeBackend, to, token string, starts *int) OutboundChat {
	return OutboundChat{Channel: "test", To: to, ClientToken: token,
		Start: func(ctx context.Context) (string, string, error) {
			*starts++
			return be.StartChat(ctx, ChatStart{ClientToken: token})
		}}
}

// TestStartOutbound: an outbound chat is streamed to the bridge and connected; the customer's reply from the
// number goes into it; a retry with the same ClientToken answers the same contact without starting another;
// another chat to the customer while this one is open is a conflict; a channel without a number is refused.
func TestStartOutbound(t *testing.T) {
	be := newFakeBackend()
	b, _ := startNumberedBridge(t, be)
	ctx := context.Background()
	if got := b.Numbers(); !slices.Equal(got, []PhoneNumber{{Channel: "test", Kind: "TEST", Number: "+12065550100"}}) {
		t.Errorf("Numbers() = %+v", got)
	}
	var starts int
	id, err := b.StartOutbound(ctx, outbound(be, "+14255550182", "t1", &starts))
	if err != nil || id != "contact-1" {
		t.Fatalf("StartOutbound = %q, %v", id, err)
	}
	if !slices.Contains(be.streams, id) {
		t.Errorf("the chat is not streamed to the bridge: %v", be.streams)
	}
	if again, err := b.StartOutbound(ctx, outbound(be, "+14255550182", "t1", &starts)); err != nil || again != id || starts != 1 {
		t.Errorf("retry = %q, %v after %d starts; want %s after 1", again, err, starts, id)
	}
	b.Accept(ctx, in("14255550182", "m1", "a reply"))
	waitFor(t, "the reply in the outbound chat", func() bool { return len(be.got(id)) == 1 })
	if be.starts != 1 {
		t.Errorf("%d chats started, want the outbound one only", be.starts)
	}
	if _, err := b.StartOutbound(ctx, outbound(be, "+14255550182", "t2", &starts)); !parley.IsCode(err, parley.ECONFLICT) || starts != 1 {
		t.Errorf("second chat to the customer = %v after %d starts, want ECONFLICT before starting", err, starts)
	}
	o := outbound(be, "+14255550182", "t3", &starts)
	o.Channel = "other"
	if _, err := b.StartOutbound(ctx, o); !parley.IsCode(err, parley.EREQUEST) {
		t.Errorf("a channel without a number = %v, want EREQUEST", err)
	}
}

// TestStartOutboundRace: when the customer's own conversation is stored while the outbound chat starts, the
// outbound chat is abandoned and the answer is a conflict.
func TestStartOutboundRace(t *testing.T) {
	be := newFakeBackend()
	b, _ := startNumberedBridge(t, be)
	ctx := context.Background()
	var abandoned string
	o := OutboundChat{Channel: "test", To: "+14255550182", ClientToken: "t1",
		Start: func(ctx context.Context) (string, string, error) {
			now := time.Now()
			if _, err := b.st.create(ctx, &conversation{Channel: "test", UserID: "14255550182", Generation: 1,
				Nonce: "theirs", State: stateStarting, StartedAt: now, UpdatedAt: now}); err != nil {
				t.Fatal(err)
			}
			return be.StartChat(ctx, ChatStart{ClientToken: "t1"})
		},
		Abandon: func(_ context.Context, contactID string) { abandoned = contactID }}
	if _, err := b.StartOutbound(ctx, o); !parley.IsCode(err, parley.ECONFLICT) || abandoned != "contact-1" {
		t.Errorf("StartOutbound = %v, abandoned %q; want ECONFLICT and contact-1 abandoned", err, abandoned)
	}
}
