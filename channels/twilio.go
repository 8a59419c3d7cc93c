package channels

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// DefaultTwilioURL is Twilio's REST API base.
const DefaultTwilioURL = "https://api.twilio.com"

// Validate checks an enabled Twilio channel's settings.
func (c TwilioConfig) Validate() error {
	if err := required("twilio", map[string]string{"account_sid": c.AccountSID, "auth_token": c.AuthToken, "from": c.From},
		c.APIURL); err != nil {
		return err
	}
	if c.WebhookURL != "" && !strings.HasPrefix(c.WebhookURL, "http://") && !strings.HasPrefix(c.WebhookURL, "https://") {
		return fmt.Errorf("channels.twilio: webhook_url %q is not an http(s) URL", c.WebhookURL)
	}
	return nil
}

// Twilio is SMS through Twilio: its "a message comes in" webhook at /webhook/twilio, replies with the Messages
// REST API.
type Twilio struct {
	cfg TwilioConfig
	hc  *http.Client
}

// NewTwilio returns the Twilio channel. publicURL is the base URL Twilio reaches the server at; the webhook's
// signature covers the full URL, so WebhookURL defaults to publicURL + /webhook/twilio.
func NewTwilio(cfg TwilioConfig, publicURL string, hc *http.Client) (*Twilio, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultTwilioURL
	}
	cfg.APIURL = strings.TrimSuffix(cfg.APIURL, "/")
	if cfg.WebhookURL == "" {
		cfg.WebhookURL = strings.TrimSuffix(publicURL, "/") + "/webhook/twilio"
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Twilio{cfg: cfg, hc: hc}, nil
}

func (*Twilio) Name() string { return "twilio" }
func (*Twilio) Kind() string { return "SMS" }
func (*Twilio) MaxText() int { return 1600 }

// Number is the Twilio number messages are sent from.
func (t *Twilio) Number() string { return t.cfg.From }

// UserID is a customer on Twilio: their number as Twilio's From gives it (E.164).
func (*Twilio) UserID(number string) string { return number }

// Routes mounts /webhook/twilio.
func (t *Twilio) Routes(mux *http.ServeMux, in Inbox) {
	mux.HandleFunc("GET /webhook/twilio", func(w http.ResponseWriter, r *http.Request) { serveHealth(w, r, in, t.Name()) })
	mux.HandleFunc("POST /webhook/twilio", func(w http.ResponseWriter, r *http.Request) {
		body, ok := readBody(w, r)
		if !ok {
			return
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			http.Error(w, "not a form", http.StatusBadRequest)
			return
		}
		if !equal(r.Header.Get("X-Twilio-Signature"), TwilioSignature(t.cfg.AuthToken, t.cfg.WebhookURL, form)) {
			http.Error(w, "bad or missing X-Twilio-Signature", http.StatusForbidden)
			return
		}
		m, err := DecodeTwilio(form)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := in.Accept(r.Context(), m); err != nil {
			http.Error(w, "not stored; retry", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`)
	})
}

// TwilioSignature is the X-Twilio-Signature of a POST to u with the form params: base64 of HMAC-SHA1 keyed
// with the auth token over the URL followed by every parameter's name and value, sorted by name.
func TwilioSignature(authToken, u string, params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(u)
	for _, k := range keys {
		for _, v := range params[k] {
			b.WriteString(k + v)
		}
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// DecodeTwilio reads an incoming message's form: From is the customer, MessageSid the message's id, Body its
// text, MediaUrl0… its media.
func DecodeTwilio(form url.Values) (Inbound, error) {
	m := Inbound{Channel: "twilio", UserID: form.Get("From"), MessageID: form.Get("MessageSid"), Text: form.Get("Body")}
	if m.UserID == "" || m.MessageID == "" {
		return Inbound{}, fmt.Errorf("not a Twilio message: From and MessageSid are required")
	}
	n, _ := strconv.Atoi(form.Get("NumMedia"))
	for i := range min(n, 10) {
		if u := form.Get(fmt.Sprintf("MediaUrl%d", i)); u != "" {
			kind, _, _ := strings.Cut(form.Get(fmt.Sprintf("MediaContentType%d", i)), "/")
			if kind == "" {
				kind = "file"
			}
			m.Attachments = append(m.Attachments, Media{Type: kind, URL: u})
		}
	}
	return m, nil
}

// Send calls the Messages API: the text, or the attachment as media.
func (t *Twilio) Send(ctx context.Context, to string, o Outbound) error {
	form := url.Values{"To": {to}, "From": {t.cfg.From}}
	if o.AttachmentURL != "" {
		form.Set("MediaUrl", o.AttachmentURL)
		form.Set("Body", o.AttachmentName)
	} else {
		form.Set("Body", o.Text)
	}
	u := t.cfg.APIURL + "/2010-04-01/Accounts/" + url.PathEscape(t.cfg.AccountSID) + "/Messages.json"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return Permanent(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(t.cfg.AccountSID, t.cfg.AuthToken)
	resp, err := t.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	err = fmt.Errorf("twilio: %s: %s", resp.Status, strings.TrimSpace(string(b)))
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return err
	}
	return Permanent(err)
}
