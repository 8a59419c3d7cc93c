package channels

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/parley-chat/parley"
)

// WhatsAppConfig configures the WhatsApp Cloud API (channels.whatsapp, PARLEY_WHATSAPP_*).
type WhatsAppConfig struct {
	// AppSecret verifies X-Hub-Signature-256.
	AppSecret string `yaml:"app_secret"`
	// VerifyToken is the token of the webhook's verification handshake.
	VerifyToken string `yaml:"verify_token"`
	// AccessToken authorizes the Cloud API's messages endpoint.
	AccessToken string `yaml:"access_token"`
	// PhoneNumberID is the business phone number's id messages are sent from.
	PhoneNumberID string `yaml:"phone_number_id"`
	// APIURL is the Graph API base, version included. Default https://graph.facebook.com/v21.0.
	APIURL string `yaml:"api_url"`
	// Number is the business phone number (E.164) of PhoneNumberID. Optional: with it, the number is listed
	// by ListPhoneNumbersV2 and StartOutboundChatContact can start WhatsApp chats from it.
	Number string `yaml:"number"`
}

// Enabled reports whether any setting is given: the channel is on.
func (c WhatsAppConfig) Enabled() bool {
	return c.AppSecret != "" || c.VerifyToken != "" || c.AccessToken != "" || c.PhoneNumberID != "" || c.APIURL != "" ||
		c.Number != ""
}

// Validate checks that an enabled channel has everything it needs.
func (c WhatsAppConfig) Validate() error {
	if c.Number != "" && !parley.E164(c.Number) {
		return fmt.Errorf("channels.whatsapp: number %q is not an E.164 number such as +12065550102", c.Number)
	}
	return required("whatsapp", map[string]string{"app_secret": c.AppSecret, "verify_token": c.VerifyToken,
		"access_token": c.AccessToken, "phone_number_id": c.PhoneNumberID}, c.APIURL)
}

// WhatsApp is the WhatsApp Cloud API channel.
type WhatsApp struct {
	cfg WhatsAppConfig
	hc  *http.Client
}

// NewWhatsApp returns the WhatsApp channel; hc makes the API calls (nil: http.DefaultClient).
func NewWhatsApp(cfg WhatsAppConfig, hc *http.Client) (*WhatsApp, error) {
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
	return &WhatsApp{cfg: cfg, hc: hc}, nil
}

func (*WhatsApp) Name() string { return "whatsapp" }
func (*WhatsApp) Kind() string { return "WHATSAPP" }
func (*WhatsApp) MaxText() int { return 4096 }

// Number is the business's phone number, "" when not configured.
func (w *WhatsApp) Number() string { return w.cfg.Number }

// UserID is a customer's WhatsApp id: their number's digits, without the "+".
func (*WhatsApp) UserID(number string) string { return strings.TrimPrefix(number, "+") }

// Routes mounts /webhook/whatsapp.
func (w *WhatsApp) Routes(mux *http.ServeMux, in Inbox) {
	metaWebhook{name: w.Name(), appSecret: w.cfg.AppSecret, verifyToken: w.cfg.VerifyToken}.
		routes(mux, in, DecodeWhatsApp)
}

// whatsAppEvent is a Cloud API webhook body, the parts the bridge reads.
type whatsAppEvent struct {
	Object string `json:"object"`
	Entry  []struct {
		Changes []struct {
			Field string `json:"field"`
			Value struct {
				Contacts []struct {
					WaID    string `json:"wa_id"`
					Profile struct {
						Name string `json:"name"`
					} `json:"profile"`
				} `json:"contacts"`
				Messages []waMessage `json:"messages"`
			} `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type waMessage struct {
	From string `json:"from"`
	ID   string `json:"id"`
	Type string `json:"type"`
	Text *struct {
		Body string `json:"body"`
	} `json:"text"`
	Interactive *struct {
		ButtonReply *struct{ Title string } `json:"button_reply"`
		ListReply   *struct{ Title string } `json:"list_reply"`
	} `json:"interactive"`
	Button *struct {
		Text string `json:"text"`
	} `json:"button"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name"`
	} `json:"location"`
	Reaction *struct {
		Emoji string `json:"emoji"`
	} `json:"reaction"`
	Image    *waMedia `json:"image"`
	Video    *waMedia `json:"video"`
	Audio    *waMedia `json:"audio"`
	Document *waMedia `json:"document"`
	Sticker  *waMedia `json:"sticker"`
}

type waMedia struct {
	ID       string `json:"id"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
}

// DecodeWhatsApp decodes a Cloud API webhook body into the customers' messages: text, replies to interactive
// messages and buttons (their titles), locations and reactions as text, media as their caption and Cloud API
// media id, anything else as a note that the message type is not supported. Status updates are skipped.
func DecodeWhatsApp(body []byte) ([]Inbound, error) {
	var ev whatsAppEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, fmt.Errorf("not a WhatsApp webhook event: %v", err)
	}
	if ev.Object != "whatsapp_business_account" {
		return nil, fmt.Errorf("not a WhatsApp webhook event: object %q", ev.Object)
	}
	var out []Inbound
	for _, e := range ev.Entry {
		for _, ch := range e.Changes {
			names := map[string]string{}
			for _, c := range ch.Value.Contacts {
				names[c.WaID] = c.Profile.Name
			}
			for _, m := range ch.Value.Messages {
				if m.From == "" || m.ID == "" {
					continue
				}
				out = append(out, Inbound{Channel: "whatsapp", UserID: m.From, MessageID: m.ID,
					Name: names[m.From], Text: waText(m)})
			}
		}
	}
	return out, nil
}

func waText(m waMessage) string {
	media := func(kind string, md *waMedia) string {
		s := "[" + kind + "]"
		if md.Filename != "" {
			s += " " + md.Filename
		}
		if md.Caption != "" {
			s += " " + md.Caption
		}
		return s + " (media " + md.ID + ")"
	}
	switch {
	case m.Text != nil:
		return m.Text.Body
	case m.Interactive != nil && m.Interactive.ButtonReply != nil:
		return m.Interactive.ButtonReply.Title
	case m.Interactive != nil && m.Interactive.ListReply != nil:
		return m.Interactive.ListReply.Title
	case m.Button != nil:
		return m.Button.Text
	case m.Location != nil:
		return strings.TrimSpace(fmt.Sprintf("[location] %g,%g %s", m.Location.Latitude, m.Location.Longitude, m.Location.Name))
	case m.Reaction != nil:
		return "[reaction] " + m.Reaction.Emoji
	case m.Image != nil:
		return media("image", m.Image)
	case m.Video != nil:
		return media("video", m.Video)
	case m.Audio != nil:
		return media("audio", m.Audio)
	case m.Document != nil:
		return media("document", m.Document)
	case m.Sticker != nil:
		return media("sticker", m.Sticker)
	}
	return "[a " + m.Type + " message, which this chat cannot show]"
}

// Send calls the Cloud API's messages endpoint: a text, reply buttons (at most 3 options of at most 20
// characters) or a list (at most 10 of at most 24) for an interactive message, or a document or image by link.
func (w *WhatsApp) Send(ctx context.Context, to string, o Outbound) error {
	body := map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
		"type": "text", "text": map[string]any{"preview_url": false, "body": o.Text}}
	prompt := firstNonEmpty(o.Title, "Please choose")
	switch {
	case o.AttachmentURL != "":
		kind := "document"
		media := map[string]any{"link": o.AttachmentURL, "filename": o.AttachmentName}
		if strings.HasPrefix(o.AttachmentType, "image/") {
			kind, media = "image", map[string]any{"link": o.AttachmentURL}
		}
		body["type"], body[kind] = kind, media
		delete(body, "text")
	case fits(o.Choices, 3, 20):
		var buttons []map[string]any
		for i, c := range o.Choices {
			buttons = append(buttons, map[string]any{"type": "reply",
				"reply": map[string]string{"id": strconv.Itoa(i + 1), "title": c}})
		}
		body["type"], body["interactive"] = "interactive", map[string]any{"type": "button",
			"body": map[string]string{"text": prompt}, "action": map[string]any{"buttons": buttons}}
		delete(body, "text")
	case fits(o.Choices, 10, 24):
		var rows []map[string]string
		for i, c := range o.Choices {
			rows = append(rows, map[string]string{"id": strconv.Itoa(i + 1), "title": c})
		}
		body["type"], body["interactive"] = "interactive", map[string]any{"type": "list",
			"body":   map[string]string{"text": prompt},
			"action": map[string]any{"button": "Choose", "sections": []map[string]any{{"title": "Options", "rows": rows}}}}
		delete(body, "text")
	}
	return postGraph(ctx, w.hc, w.cfg.APIURL+"/"+w.cfg.PhoneNumberID+"/messages", w.cfg.AccessToken, body)
}
