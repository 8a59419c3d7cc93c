package channels

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"
)

// MessengerConfig configures Facebook Messenger (channels.facebook, PARLEY_FACEBOOK_*).
type MessengerConfig struct {
	// AppSecret verifies X-Hub-Signature-256 and makes appsecret_proof.
	AppSecret string `yaml:"app_secret"`
	// VerifyToken is the token of the webhook's verification handshake.
	VerifyToken string `yaml:"verify_token"`
	// PageToken is the page access token of the Send API.
	PageToken string `yaml:"page_token"`
	// APIURL is the Graph API base, version included. Default https://graph.facebook.com/v21.0.
	APIURL string `yaml:"api_url"`
}

// Enabled reports whether any setting is given: the channel is on.
func (c MessengerConfig) Enabled() bool {
	return c.AppSecret != "" || c.VerifyToken != "" || c.PageToken != "" || c.APIURL != ""
}

// Validate checks that an enabled channel has everything it needs.
func (c MessengerConfig) Validate() error {
	return required("facebook", map[string]string{"app_secret": c.AppSecret, "verify_token": c.VerifyToken,
		"page_token": c.PageToken}, c.APIURL)
}

// DefaultGraphURL is the Graph API base used when none is configured.
const DefaultGraphURL = "https://graph.facebook.com/v21.0"

// Messenger is the Facebook Messenger channel: the Messenger Platform webhook in, the Send API out.
type Messenger struct {
	cfg MessengerConfig
	hc  *http.Client
}

// NewMessenger returns the Messenger channel; hc makes the Send API calls (nil: http.DefaultClient).
func NewMessenger(cfg MessengerConfig, hc *http.Client) (*Messenger, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultGraphURL
	}
	cfg.APIURL = strings.TrimSuffix(cfg.APIURL, "/")
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Messenger{cfg: cfg, hc: hc}, nil
}

func (*Messenger) Name() string { return "facebook" }
func (*Messenger) Kind() string { return "FACEBOOK" }
func (*Messenger) MaxText() int { return 2000 }

// Routes mounts /webhook/facebook.
func (m *Messenger) Routes(mux *http.ServeMux, in Inbox) {
	metaWebhook{name: m.Name(), appSecret: m.cfg.AppSecret, verifyToken: m.cfg.VerifyToken}.
		routes(mux, in, DecodeMessenger)
}

// messengerEvent is a webhook body of the Messenger Platform, the parts the bridge reads.
type messengerEvent struct {
	Object string `json:"object"`
	Entry  []struct {
		ID        string `json:"id"`
		Messaging []struct {
			Sender struct {
				ID string `json:"id"`
			} `json:"sender"`
			Message *struct {
				MID        string `json:"mid"`
				Text       string `json:"text"`
				IsEcho     bool   `json:"is_echo"`
				QuickReply *struct {
					Payload string `json:"payload"`
				} `json:"quick_reply"`
				Attachments []struct {
					Type    string `json:"type"`
					Payload *struct {
						URL         string `json:"url"`
						Coordinates *struct {
							Lat  float64 `json:"lat"`
							Long float64 `json:"long"`
						} `json:"coordinates"`
					} `json:"payload"`
				} `json:"attachments"`
			} `json:"message"`
			Postback *struct {
				MID     string `json:"mid"`
				Title   string `json:"title"`
				Payload string `json:"payload"`
			} `json:"postback"`
		} `json:"messaging"`
	} `json:"entry"`
}

// DecodeMessenger decodes a Messenger webhook body into the customers' messages. Echoes of the page's own
// messages, deliveries, reads, standby (handover) events and anything without a message are skipped; a
// quick reply or a postback becomes its title's text. An error means the body is not a Messenger event.
func DecodeMessenger(body []byte) ([]Inbound, error) {
	var ev messengerEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, fmt.Errorf("not a Messenger webhook event: %v", err)
	}
	if ev.Object != "page" {
		return nil, fmt.Errorf("not a Messenger webhook event: object %q", ev.Object)
	}
	var out []Inbound
	for _, e := range ev.Entry {
		for _, m := range e.Messaging {
			psid := m.Sender.ID
			if psid == "" || psid == e.ID {
				continue // from the page itself
			}
			switch {
			case m.Message != nil && !m.Message.IsEcho && m.Message.MID != "":
				in := Inbound{Channel: "facebook", UserID: psid, MessageID: m.Message.MID, Text: m.Message.Text}
				for _, a := range m.Message.Attachments {
					switch {
					case a.Payload == nil:
					case a.Payload.Coordinates != nil:
						in.Attachments = append(in.Attachments, Media{Type: "location",
							URL: fmt.Sprintf("https://maps.google.com/?q=%g,%g", a.Payload.Coordinates.Lat, a.Payload.Coordinates.Long)})
					case a.Payload.URL != "":
						in.Attachments = append(in.Attachments, Media{Type: a.Type, URL: a.Payload.URL})
					}
				}
				out = append(out, in)
			case m.Postback != nil && m.Postback.MID != "":
				text := m.Postback.Title
				if text == "" {
					text = m.Postback.Payload
				}
				out = append(out, Inbound{Channel: "facebook", UserID: psid, MessageID: m.Postback.MID, Text: text})
			}
		}
	}
	return out, nil
}

// Send calls the Send API: a text, quick replies for an interactive message whose options fit (at most 13,
// titles of at most 20 characters), or an attachment by URL.
func (m *Messenger) Send(ctx context.Context, psid string, o Outbound) error {
	msg := map[string]any{"text": o.Text}
	switch {
	case o.AttachmentURL != "":
		kind := "file"
		for _, k := range []string{"image", "video", "audio"} {
			if strings.HasPrefix(o.AttachmentType, k+"/") {
				kind = k
			}
		}
		msg = map[string]any{"attachment": map[string]any{"type": kind,
			"payload": map[string]any{"url": o.AttachmentURL, "is_reusable": false}}}
	case fits(o.Choices, 13, 20):
		var qr []map[string]string
		for _, c := range o.Choices {
			qr = append(qr, map[string]string{"content_type": "text", "title": c, "payload": c})
		}
		msg = map[string]any{"text": firstNonEmpty(o.Title, "Please choose"), "quick_replies": qr}
	}
	mac := hmac.New(sha256.New, []byte(m.cfg.AppSecret))
	mac.Write([]byte(m.cfg.PageToken))
	url := m.cfg.APIURL + "/me/messages?appsecret_proof=" + hex.EncodeToString(mac.Sum(nil))
	return postGraph(ctx, m.hc, url, m.cfg.PageToken, map[string]any{"recipient": map[string]string{"id": psid},
		"messaging_type": "RESPONSE", "message": msg})
}

// fits reports whether choices can be shown natively: at least one, at most n, each at most chars long.
func fits(choices []string, n, chars int) bool {
	if len(choices) == 0 || len(choices) > n {
		return false
	}
	for _, c := range choices {
		if utf8.RuneCountInString(c) > chars || c == "" {
			return false
		}
	}
	return true
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// required checks an enabled channel's settings: each named one must be set, and apiURL (optional) must be
// an http(s) URL.
func required(channel string, settings map[string]string, apiURL string) error {
	var missing []string
	for k, v := range settings {
		if v == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("channels.%s: missing %s (PARLEY_%s_%s)", channel, strings.Join(missing, ", "),
			strings.ToUpper(channel), strings.ToUpper(missing[0]))
	}
	if apiURL != "" && !strings.HasPrefix(apiURL, "http://") && !strings.HasPrefix(apiURL, "https://") {
		return errors.New("channels." + channel + ": api_url " + fmt.Sprintf("%q", apiURL) + " is not an http(s) URL")
	}
	return nil
}
