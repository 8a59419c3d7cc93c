package channels

import (
	"context"
	"fmt"
	"sort"

	"github.com/parley-chat/parley"
)

// Chats the business starts (StartOutboundChatContact): the chat is created first, then the bridge takes it as
// the conversation of the customer's number on the channel, exactly as if the customer had written first: its
// items are streamed to the bridge and sent to the customer, and the customer's replies from that number go
// into it.

// Numbered is a channel that sends from a phone number of the business (SMS, WhatsApp), so that a chat can
// start from it to a customer's number.
type Numbered interface {
	Channel
	// Number is the business's number (E.164); "" when it is not configured.
	Number() string
	// UserID is the channel's id of the customer at an E.164 number (Inbound.UserID of their messages).
	UserID(number string) string
}

// PhoneNumber is a phone number the business sends from on one channel.
type PhoneNumber struct {
	Channel string // Channel.Name()
	Kind    string // Channel.Kind(): SMS or WHATSAPP
	Number  string // E.164
}

// Numbers returns the phone numbers of the bridge's channels, in channel name order.
func (b *Bridge) Numbers() []PhoneNumber {
	var out []PhoneNumber
	for _, c := range b.chans {
		if n, ok := c.(Numbered); ok && parley.E164(n.Number()) { // not a Twilio alphanumeric sender id
			out = append(out, PhoneNumber{Channel: c.Name(), Kind: c.Kind(), Number: n.Number()})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Channel < out[j].Channel })
	return out
}

// OutboundChat is a chat the business starts with a customer on a channel.
type OutboundChat struct {
	// Channel is the Channel.Name() of the number the chat starts from; To the customer's number (E.164).
	Channel, To string
	// ClientToken makes the start idempotent: a retry with the same token answers the same contact. Empty:
	// every call is a new chat.
	ClientToken string
	// Start creates the chat (with the same ClientToken, idempotently) and returns its contact id and its
	// customer's ParticipantToken.
	Start func(ctx context.Context) (contactID, participantToken string, err error)
	// Abandon ends a chat Start created that the bridge could not take, because another chat with the
	// customer began meanwhile. Optional.
	Abandon func(ctx context.Context, contactID string)
}

// StartOutbound starts a chat with the customer at o.To on channel o.Channel and makes it their conversation:
// it streams the chat's items to the bridge (the flow's messages, then the agent's, go to the customer) and
// connects the customer, so that the flow runs. It returns the contact id. Errors: EREQUEST when the channel is
// not one of the bridge's numbered channels; ECONFLICT when the customer already has an open conversation on
// the channel (a chat started by them or by another request); Start's errors as they are.
func (b *Bridge) StartOutbound(ctx context.Context, o OutboundChat) (string, error) {
	ch, ok := b.chans[o.Channel].(Numbered)
	if !ok || !parley.E164(ch.Number()) {
		return "", parley.Errorf(parley.EREQUEST, "channel %q has no phone number to start chats from", o.Channel)
	}
	k := userKey{o.Channel, ch.UserID(o.To)}
	tag := nonce()
	if o.ClientToken != "" {
		tag = digest("outbound", o.ClientToken)
	}
	prev, err := b.st.byNonce(ctx, k, tag)
	if err != nil {
		return "", err
	}
	if prev != nil { // a retry: finish what the first attempt began
		return prev.ContactID, b.resume(ctx, prev)
	}
	c, err := b.st.current(ctx, k)
	if err != nil {
		return "", err
	}
	if c != nil && c.State != stateEnded {
		return "", parley.Errorf(parley.ECONFLICT, "%s already has an open chat on channel %s (contact %s)",
			o.To, o.Channel, c.ContactID)
	}
	contactID, participantToken, err := o.Start(ctx)
	if err != nil {
		return "", err
	}
	gen := 1
	if c != nil {
		gen = c.Generation + 1
	}
	now := b.opt.Now()
	stored, err := b.st.createStarted(ctx, &conversation{Channel: k.Channel, UserID: k.UserID, Generation: gen,
		Nonce: tag, ContactID: contactID, ParticipantToken: participantToken, State: stateStarting,
		StartedAt: now, UpdatedAt: now})
	if err != nil {
		return "", err
	}
	if stored.Nonce != tag { // the customer wrote, or another request started a chat, in between
		if o.Abandon != nil {
			o.Abandon(ctx, contactID)
		}
		return "", parley.Errorf(parley.ECONFLICT, "%s already has an open chat on channel %s (contact %s)",
			o.To, o.Channel, stored.ContactID)
	}
	b.log.Info("outbound chat started", "channel", k.Channel, "contact_id", contactID)
	return contactID, b.resume(ctx, stored)
}

// resume finishes the setup of an outbound conversation: streaming to the bridge, then the customer's
// connection. Both calls are idempotent, so a retry after a failure completes it.
func (b *Bridge) resume(ctx context.Context, c *conversation) error {
	if c.State != stateStarting {
		return nil
	}
	if err := b.setup(ctx, c, ""); err != nil {
		return fmt.Errorf("channels: outbound chat %s: %w", c.ContactID, err)
	}
	return nil
}
