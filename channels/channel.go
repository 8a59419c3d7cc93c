package channels

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// A Channel is one messaging provider: it verifies and decodes the provider's webhooks into Inbound messages and
// sends Outbound ones. Implementations are safe for concurrent use.
type Channel interface {
	// Name is the channel's key in configuration, URLs and the mapping: "facebook", "whatsapp", "sms", "twilio".
	Name() string
	// Kind is the chatframework_Channel attribute of its chats: FACEBOOK, WHATSAPP or SMS.
	Kind() string
	// Routes mounts the channel's webhook on mux ("/webhook/" + Name(), GET and POST). A webhook answers 2xx
	// only after every message it carries was accepted by in (stored durably), 403 to a bad signature or
	// verify token and 400 to a malformed body; in both of those cases nothing is accepted. A GET without the
	// provider's verification parameters answers the channel's health (see Bridge.Health).
	Routes(mux *http.ServeMux, in Inbox)
	// Send delivers one message to a user of the channel. An error wrapped with Permanent is not retried.
	Send(ctx context.Context, userID string, m Outbound) error
	// MaxText is the longest text, in characters, one outbound message may carry; longer texts are split.
	MaxText() int
}

// Inbox takes the messages a webhook decoded; Accept returns once they are stored (or found already stored, for
// a provider's retry), so that the webhook may answer 200.
type Inbox interface {
	Accept(ctx context.Context, msgs ...Inbound) error
	// Health reports the channel's state for its health endpoint.
	Health(ctx context.Context, channel string) Health
}

// Inbound is a message a customer sent on a channel.
type Inbound struct {
	// Channel is the Channel.Name() it came from.
	Channel string `json:"channel"`
	// UserID is the customer on the channel: a phone number, a Messenger PSID, a WhatsApp id.
	UserID string `json:"user"`
	// MessageID is the provider's id of the message (Messenger mid, WhatsApp id, inboundMessageId, Twilio
	// MessageSid): a provider's retry carries the same one and is stored once.
	MessageID string `json:"id"`
	// Name is the customer's name when the provider gives one (WhatsApp profile name); the chat's display
	// name falls back to UserID.
	Name string `json:"name,omitempty"`
	// Text is the message's text; a reply to an interactive message carries the chosen option's title.
	Text string `json:"text,omitempty"`
	// Attachments are media the customer sent, as URLs the provider serves.
	Attachments []Media `json:"attachments,omitempty"`
}

// Media is an attachment on a channel: its kind (image, video, audio, file, location, …) and where it is.
type Media struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// content returns the chat message text of an inbound message: its text, then one line per attachment.
func (in Inbound) content() string {
	var b strings.Builder
	b.WriteString(in.Text)
	for _, m := range in.Attachments {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "[%s] %s", m.Type, m.URL)
	}
	return b.String()
}

// Outbound is a message for the customer: an agent's, a bot's or the flow's.
type Outbound struct {
	// ItemID is the chat item's Id (receivers of a retried delivery dedupe by it).
	ItemID string
	// Text is the message as plain text (interactive messages as their title and numbered options).
	Text string
	// Title and Choices are set for an interactive message (ListPicker, QuickReply, …): its title and the
	// options' titles, for channels that render them natively.
	Title   string
	Choices []string
	// AttachmentURL and AttachmentName are set for an attachment the agent sent.
	AttachmentURL  string
	AttachmentName string
	// AttachmentType is the attachment's content type (image/png, application/pdf, …).
	AttachmentType string
}

// Health is a channel's state, served by its health endpoint as JSON.
type Health struct {
	Channel string `json:"channel"`
	Status  string `json:"status"` // "ok", or "degraded" while inbound messages wait on failures
	// Pending inbound messages not yet in their chat, Failing of them retrying after an error, Dead given up on.
	Pending int `json:"pending"`
	Failing int `json:"failing"`
	Dead    int `json:"dead"`
	// Conversations open on the channel.
	Conversations int `json:"conversations"`
	// LastError is the latest inbound failure, if any.
	LastError string    `json:"lastError,omitempty"`
	CheckedAt time.Time `json:"checkedAt"`
}

// serveHealth writes h as the answer to a health check.
func serveHealth(w http.ResponseWriter, r *http.Request, in Inbox, channel string) {
	h := in.Health(r.Context(), channel)
	w.Header().Set("Content-Type", "application/json")
	if h.Status != "ok" {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	json.NewEncoder(w).Encode(h)
}

// The chat's limits on what a customer's message may hold.
const (
	maxChatText = 1024 // SendMessage's text/plain limit
)

// split cuts s into pieces of at most n characters, at a line break or a space where it can.
func split(s string, n int) []string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return []string{s}
	}
	var out []string
	for utf8.RuneCountInString(s) > n {
		cut := byteIndexOfRune(s, n)
		if i := strings.LastIndexAny(s[:cut], "\n "); i > cut/2 {
			cut = i + 1
		}
		out = append(out, strings.TrimRight(s[:cut], " \n"))
		s = strings.TrimLeft(s[cut:], " \n")
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// byteIndexOfRune returns the byte offset of the n-th rune of s.
func byteIndexOfRune(s string, n int) int {
	i := 0
	for j := range s {
		if i == n {
			return j
		}
		i++
	}
	return len(s)
}

// permanent is an error retrying cannot fix. The streaming worker and the inbound queue both recognize it by
// its Permanent method.
type permanent struct{ err error }

func (p *permanent) Error() string   { return p.err.Error() }
func (p *permanent) Unwrap() error   { return p.err }
func (p *permanent) Permanent() bool { return true }

// Permanent marks err as not worth retrying: a provider that refuses the request for good. Permanent(nil) is
// nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanent{err}
}

// IsPermanent reports whether err, or an error it wraps, is permanent.
func IsPermanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}
