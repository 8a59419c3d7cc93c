package channels

import (
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/wire"
)

// Options tune a Bridge. The zero value of a field means its default.
type Options struct {
	// Workers is how many users' inbound messages are delivered in parallel. Default 16.
	Workers int
	// RetryBase and RetryCap bound the exponential backoff of a failed inbound message: the first retry within
	// RetryBase, later ones within RetryCap. Defaults 1s and 30s.
	RetryBase, RetryCap time.Duration
	// MaxAttempts is how many times an inbound message is tried before it is dead (visible in the channel's
	// health, replayable). Default 20 (about eight minutes at the default backoff).
	MaxAttempts int
	// EndedTTL is how long a conversation is kept after its chat ended, for outbound items that arrive late.
	// Default 1h. IdleTTL removes conversations not touched for longer than any chat lasts. Default 8 days.
	EndedTTL, IdleTTL time.Duration
	// DedupeTTL is how long provider message ids and sent item ids are remembered. Default 24h.
	DedupeTTL time.Duration
	// EndedMessage, when set, is sent to the customer when their chat ends. Default none.
	EndedMessage string
	// Log receives the bridge's events. Default: discarded.
	Log *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

func (o *Options) defaults() {
	if o.Workers <= 0 {
		o.Workers = 16
	}
	if o.RetryBase <= 0 {
		o.RetryBase = time.Second
	}
	if o.RetryCap <= 0 {
		o.RetryCap = 30 * time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 20
	}
	if o.EndedTTL <= 0 {
		o.EndedTTL = time.Hour
	}
	if o.IdleTTL <= 0 {
		o.IdleTTL = 8 * 24 * time.Hour
	}
	if o.DedupeTTL <= 0 {
		o.DedupeTTL = 24 * time.Hour
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Bridge carries chats between channels and a chat backend: inbound messages from the channels' webhooks into
// chats, and the chats' streamed items (Notify) out to the channels.
type Bridge struct {
	be    Backend
	st    *store
	chans map[string]Channel
	opt   Options
	log   *slog.Logger

	wake chan struct{}
	mu   sync.Mutex
	busy map[userKey]bool
}

// New opens (or creates) the bridge's database at dbPath and returns a bridge for chans. Run delivers the
// inbound queue; Handler serves the webhooks; Notify takes the streamed items.
func New(dbPath string, be Backend, chans []Channel, o Options) (*Bridge, error) {
	o.defaults()
	b := &Bridge{be: be, chans: map[string]Channel{}, opt: o, log: o.Log, wake: make(chan struct{}, 1),
		busy: map[userKey]bool{}}
	for _, c := range chans {
		if _, dup := b.chans[c.Name()]; dup {
			return nil, fmt.Errorf("channels: %s configured twice", c.Name())
		}
		b.chans[c.Name()] = c
	}
	st, err := openStore(dbPath)
	if err != nil {
		return nil, err
	}
	b.st = st
	return b, nil
}

// Close closes the database; call it after Run returned.
func (b *Bridge) Close() error { return b.st.Close() }

// Channels returns the names of the bridge's channels, sorted.
func (b *Bridge) Channels() []string {
	var out []string
	for n := range b.chans {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Handler serves every channel's webhook under /webhook/.
func (b *Bridge) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, c := range b.chans {
		c.Routes(mux, b)
	}
	return mux
}

// Accept stores inbound messages (a provider's retry of a stored one is skipped) and wakes the worker.
func (b *Bridge) Accept(ctx context.Context, msgs ...Inbound) error {
	if len(msgs) == 0 {
		return nil
	}
	for _, m := range msgs {
		if m.Channel == "" || m.UserID == "" || m.MessageID == "" {
			return fmt.Errorf("channels: inbound message without channel, user or id: %+v", m)
		}
	}
	n, err := b.st.enqueue(ctx, msgs, b.opt.Now())
	if err != nil {
		return err
	}
	if n < len(msgs) {
		b.log.Debug("provider retry skipped", "channel", msgs[0].Channel, "duplicates", len(msgs)-n)
	}
	b.poke()
	return nil
}

// Health reports a channel's queue and conversations.
func (b *Bridge) Health(ctx context.Context, channel string) Health {
	h, err := b.st.health(ctx, channel, b.opt.Now())
	if err != nil {
		h.Status, h.LastError = "down", err.Error()
	}
	return h
}

// Replay makes dead inbound messages of a channel ("" for all) pending again.
func (b *Bridge) Replay(ctx context.Context, channel string) (int, error) {
	n, err := b.st.replay(ctx, channel, b.opt.Now())
	b.poke()
	return n, err
}

func (b *Bridge) poke() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// Run delivers the inbound queue and sweeps expired records until ctx ends; it returns after its goroutines
// stopped.
func (b *Bridge) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	sem := make(chan struct{}, b.opt.Workers)
	sweep := time.NewTicker(time.Minute)
	defer sweep.Stop()
	b.sweep(ctx)
	for {
		users, err := b.st.readyUsers(ctx, b.opt.Now(), 4*b.opt.Workers)
		if err != nil && ctx.Err() == nil {
			b.log.Error("inbound queue", "err", err)
		}
		for _, k := range users {
			b.mu.Lock()
			if b.busy[k] {
				b.mu.Unlock()
				continue
			}
			b.busy[k] = true
			b.mu.Unlock()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				b.drain(ctx, k)
				b.mu.Lock()
				delete(b.busy, k)
				b.mu.Unlock()
				<-sem
				b.poke()
			}()
		}
		wait := time.Second
		if next, err := b.st.nextWait(ctx); err == nil && !next.IsZero() {
			if d := next.Sub(b.opt.Now()); d < wait {
				wait = max(d, 10*time.Millisecond)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-b.wake:
		case <-t.C:
		case <-sweep.C:
			b.sweep(ctx)
		}
		t.Stop()
	}
}

func (b *Bridge) sweep(ctx context.Context) {
	now := b.opt.Now()
	n, err := b.st.sweep(ctx, now.Add(-b.opt.EndedTTL), now.Add(-b.opt.IdleTTL), now.Add(-b.opt.DedupeTTL))
	if err != nil && ctx.Err() == nil {
		b.log.Error("sweep", "err", err)
	} else if n > 0 {
		b.log.Debug("conversations expired", "count", n)
	}
}

// drain delivers a user's pending messages in the order they arrived, until none is due or one fails.
func (b *Bridge) drain(ctx context.Context, k userKey) {
	for ctx.Err() == nil {
		q, err := b.st.head(ctx, k)
		if err != nil || q == nil || q.NextAt.After(b.opt.Now()) {
			if err != nil && ctx.Err() == nil {
				b.log.Error("inbound queue", "err", err)
			}
			return
		}
		err = b.deliver(ctx, q.Msg)
		now := b.opt.Now()
		if err == nil {
			if err := b.st.done(ctx, q.ID, now); err != nil && ctx.Err() == nil {
				b.log.Error("inbound queue", "err", err)
			}
			continue
		}
		if ctx.Err() != nil {
			return // shutting down: the attempt does not count
		}
		attempts := q.Attempts + 1
		dead := IsPermanent(err) || attempts >= b.opt.MaxAttempts
		next := now.Add(backoff(attempts, b.opt.RetryBase, b.opt.RetryCap))
		if dead {
			b.log.Error("inbound message dead-lettered", "channel", k.Channel, "message_id", q.Msg.MessageID,
				"attempts", attempts, "err", err)
		} else {
			b.log.Warn("inbound message failed; retrying", "channel", k.Channel, "message_id", q.Msg.MessageID,
				"attempts", attempts, "retry_in", next.Sub(now), "err", err)
		}
		if err := b.st.failed(ctx, q.ID, attempts, next, err.Error(), dead, now); err != nil {
			b.log.Error("inbound queue", "err", err)
		}
		if !dead {
			return // later messages wait: per-user order
		}
	}
}

// backoff is the delay before attempt n+1: exponential from base, capped, with full jitter.
func backoff(n int, base, cap time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < cap; i++ {
		d *= 2
	}
	d = min(d, cap)
	return d/2 + rand.N(d/2+1)
}

// deliver puts one inbound message into the user's chat, starting a chat when the user has none open.
func (b *Bridge) deliver(ctx context.Context, m Inbound) error {
	k := userKey{m.Channel, m.UserID}
	for range 3 {
		c, err := b.ensure(ctx, k, m.Name)
		if err != nil {
			return err
		}
		content := m.content()
		if len(c.Choices) > 0 {
			content = chosen(content, c.Choices)
			c.Choices = nil
			c.UpdatedAt = b.opt.Now()
			if err := b.st.save(ctx, c); err != nil {
				return err
			}
		}
		if strings.TrimSpace(content) == "" {
			return nil // nothing a chat can show (a provider event without content)
		}
		err = b.send(ctx, c, m, content)
		if err == nil || !client.IsAccessDenied(err) {
			return classify(err)
		}
		// The ConnectionToken is refused: renew it, and if the participant is refused too the chat is
		// over: the next round starts a new one.
		conn, cerr := b.be.Connect(ctx, c.ParticipantToken)
		now := b.opt.Now()
		if cerr == nil {
			c.ConnectionToken, c.ConnectionExpiry, c.UpdatedAt = conn.Token, conn.Expiry, now
		} else if client.IsAccessDenied(cerr) {
			b.log.Info("chat over; starting a new one", "channel", k.Channel, "contact_id", c.ContactID)
			c.State, c.EndedAt, c.UpdatedAt = stateEnded, now, now
		} else {
			return classify(cerr)
		}
		if err := b.st.save(ctx, c); err != nil {
			return err
		}
	}
	return errors.New("channels: the chat refused the message three times")
}

// send sends a message's content in pieces the chat accepts; each piece's ClientToken is derived from the
// provider's message id and the chat, so a retry stores it once.
func (b *Bridge) send(ctx context.Context, c *conversation, m Inbound, content string) error {
	for i, part := range split(content, maxChatText) {
		token := digest(m.Channel, m.MessageID, fmt.Sprint(i), c.ContactID)
		if err := b.be.SendMessage(ctx, c.ConnectionToken, part, token); err != nil {
			return err
		}
	}
	return nil
}

// classify marks errors retrying cannot fix as permanent: the chat refuses the message itself.
func classify(err error) error {
	if err != nil && client.IsValidation(err) {
		return Permanent(err)
	}
	return err
}

// ensure returns the user's open conversation, starting a chat (or finishing the setup of one a crash
// interrupted) when there is none. Only one goroutine of this process handles a user at a time (drain); two
// processes sharing the database agree through the conversation's key and StartChatContact's ClientToken.
func (b *Bridge) ensure(ctx context.Context, k userKey, name string) (*conversation, error) {
	c, err := b.st.current(ctx, k)
	if err != nil {
		return nil, err
	}
	now := b.opt.Now()
	if c == nil || c.State == stateEnded {
		gen := 1
		if c != nil {
			gen = c.Generation + 1
		}
		c, err = b.st.create(ctx, &conversation{Channel: k.Channel, UserID: k.UserID, Generation: gen,
			Nonce: nonce(), State: stateStarting, StartedAt: now, UpdatedAt: now})
		if err != nil {
			return nil, err
		}
	}
	if c.State == stateStarting {
		if err := b.setup(ctx, c, name); err != nil {
			return nil, err
		}
	}
	if !c.ConnectionExpiry.IsZero() && c.ConnectionExpiry.Sub(now) < time.Minute {
		conn, err := b.be.Connect(ctx, c.ParticipantToken)
		if err != nil && !client.IsAccessDenied(err) {
			return nil, err
		}
		if err == nil {
			c.ConnectionToken, c.ConnectionExpiry, c.UpdatedAt = conn.Token, conn.Expiry, now
			if err := b.st.save(ctx, c); err != nil {
				return nil, err
			}
		} // refused: deliver finds out and starts over
	}
	return c, nil
}

// setup starts the chat of a new conversation: StartChatContact, StartContactStreaming, then
// CreateParticipantConnection with ConnectParticipant (the flow starts). Each call is idempotent, so a setup
// a crash interrupted resumes where it stopped.
func (b *Bridge) setup(ctx context.Context, c *conversation, name string) error {
	ch := b.chans[c.Channel]
	if ch == nil {
		return Permanent(fmt.Errorf("channels: channel %q is not configured", c.Channel))
	}
	if c.ContactID == "" {
		if name == "" {
			name = c.UserID
		}
		contactID, pt, err := b.be.StartChat(ctx, ChatStart{DisplayName: name,
			Attributes:  map[string]string{"chatframework_Channel": ch.Kind(), "chatframework_VendorId": c.UserID},
			ClientToken: digest("start", c.Channel, c.UserID, fmt.Sprint(c.Generation), c.Nonce)})
		if err != nil {
			return fmt.Errorf("start chat: %w", classify(err))
		}
		c.ContactID, c.ParticipantToken, c.UpdatedAt = contactID, pt, b.opt.Now()
		if err := b.st.save(ctx, c); err != nil {
			return err
		}
		b.log.Info("chat started", "channel", c.Channel, "contact_id", contactID)
	}
	if err := b.be.StartStreaming(ctx, c.ContactID, digest("stream", c.ContactID)); err != nil {
		return fmt.Errorf("start streaming: %w", err)
	}
	conn, err := b.be.Connect(ctx, c.ParticipantToken)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	c.ConnectionToken, c.ConnectionExpiry, c.State, c.UpdatedAt = conn.Token, conn.Expiry, stateOpen, b.opt.Now()
	return b.st.save(ctx, c)
}

// Notify takes one streamed item of a chat (the SNS Message and its attributes) and sends what the customer
// should see to their channel: messages and attachments of agents, bots and the flow, visible to the customer.
// The customer's own messages and events are skipped; chat.ended ends the conversation. An error asks the
// sender to retry (or, wrapped with Permanent, to dead-letter the item).
func (b *Bridge) Notify(ctx context.Context, message string, attrs map[string]string) error {
	var it wire.Item
	if err := json.Unmarshal([]byte(message), &it); err != nil {
		return Permanent(fmt.Errorf("channels: the notification is not an item: %w", err))
	}
	if v := attrs["MessageVisibility"]; v != "" && v != "CUSTOMER" && v != "ALL" {
		return nil
	}
	initial := attrs["InitialContactId"]
	if initial == "" {
		initial = it.InitialContactID
	}
	c, err := b.st.byContact(ctx, initial)
	if err != nil {
		return err
	}
	if c == nil {
		b.log.Debug("item of a chat the bridge does not know", "initial_contact_id", initial, "id", it.ID)
		return nil
	}
	ch := b.chans[c.Channel]
	if ch == nil {
		return Permanent(fmt.Errorf("channels: channel %q is not configured", c.Channel))
	}
	if it.ContentType == contentChatEnded {
		return b.ended(ctx, c, ch, it.ID)
	}
	role := attrs["ParticipantRole"]
	if role == "" {
		role = it.ParticipantRole
	}
	if role == "CUSTOMER" || (it.Type != string(parley.ItemMessage) && it.Type != string(parley.ItemAttachment)) {
		return nil
	}
	if done, err := b.st.sentBefore(ctx, it.ID); err != nil || done {
		return err
	}
	out := Outbound{ItemID: it.ID, Text: it.Content}
	switch {
	case it.Type == string(parley.ItemAttachment):
		if err := b.attachment(ctx, c, &it, &out); err != nil {
			return err
		}
	case it.ContentType == contentInteractive:
		if title, choices, text, ok := interactive(it.Content); ok {
			out.Title, out.Choices, out.Text = title, choices, text
		}
	}
	if err := b.deliverOut(ctx, ch, c.UserID, out); err != nil {
		return err
	}
	now := b.opt.Now()
	if len(out.Choices) > 0 {
		c.Choices, c.UpdatedAt = out.Choices, now
		if err := b.st.save(ctx, c); err != nil {
			return err
		}
	}
	return b.st.markSent(ctx, it.ID, c.ContactID, now)
}

// deliverOut sends out, split to the channel's text limit unless it is interactive or an attachment.
func (b *Bridge) deliverOut(ctx context.Context, ch Channel, userID string, out Outbound) error {
	if len(out.Choices) > 0 || out.AttachmentURL != "" {
		return ch.Send(ctx, userID, out)
	}
	for _, part := range split(out.Text, ch.MaxText()) {
		o := out
		o.Text = part
		if err := ch.Send(ctx, userID, o); err != nil {
			return err
		}
	}
	return nil
}

// attachment fills out with a URL of the item's attachment, read with the customer's ConnectionToken.
func (b *Bridge) attachment(ctx context.Context, c *conversation, it *wire.Item, out *Outbound) error {
	if len(it.Attachments) == 0 {
		return nil
	}
	a := it.Attachments[0]
	url, err := b.be.AttachmentURL(ctx, c.ConnectionToken, a.AttachmentID)
	if client.IsAccessDenied(err) { // the token expired, or the chat ended meanwhile
		var conn client.Connection
		if conn, err = b.be.Connect(ctx, c.ParticipantToken); err == nil {
			c.ConnectionToken, c.ConnectionExpiry, c.UpdatedAt = conn.Token, conn.Expiry, b.opt.Now()
			if err := b.st.save(ctx, c); err != nil {
				return err
			}
			url, err = b.be.AttachmentURL(ctx, c.ConnectionToken, a.AttachmentID)
		}
	}
	if err != nil {
		if client.IsAccessDenied(err) || client.IsValidation(err) || client.IsNotFound(err) {
			// Gone for good: tell the customer a file was sent rather than block the chat's later items.
			out.Text = fmt.Sprintf("[file: %s]", a.AttachmentName)
			return nil
		}
		return err
	}
	out.AttachmentURL, out.AttachmentName, out.AttachmentType = url, a.AttachmentName, a.ContentType
	out.Text = a.AttachmentName + ": " + url
	return nil
}

// ended closes a conversation when its chat.ended item arrives. Items are delivered in order per chat, so the
// agent's last messages were sent before; the conversation is kept EndedTTL for any that are replayed.
func (b *Bridge) ended(ctx context.Context, c *conversation, ch Channel, itemID string) error {
	if c.State != stateEnded && b.opt.EndedMessage != "" {
		if done, err := b.st.sentBefore(ctx, itemID); err != nil {
			return err
		} else if !done {
			if err := ch.Send(ctx, c.UserID, Outbound{ItemID: itemID, Text: b.opt.EndedMessage}); err != nil {
				return err
			}
			if err := b.st.markSent(ctx, itemID, c.ContactID, b.opt.Now()); err != nil {
				return err
			}
		}
	}
	if c.State == stateEnded {
		return nil
	}
	now := b.opt.Now()
	c.State, c.EndedAt, c.UpdatedAt = stateEnded, now, now
	b.log.Info("chat ended", "channel", c.Channel, "contact_id", c.ContactID)
	return b.st.save(ctx, c)
}

// digest is a ClientToken derived from parts: the same parts give the same token.
func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return "parley-bridge-" + hex.EncodeToString(h.Sum(nil))[:40]
}

func nonce() string {
	b := make([]byte, 8)
	crand.Read(b)
	return hex.EncodeToString(b)
}
