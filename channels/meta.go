package channels

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxWebhookBody bounds a webhook's body. Meta batches events but each is small; a body larger than this is
// refused with 413 rather than read.
const maxWebhookBody = 1 << 20

// metaWebhook is what Messenger and WhatsApp share: the GET verification handshake, X-Hub-Signature-256 over
// the raw body, and the health check.
type metaWebhook struct {
	name        string
	appSecret   string
	verifyToken string
}

// routes mounts GET (verification or health) and POST (events, decoded by decode) at /webhook/{name}.
func (m metaWebhook) routes(mux *http.ServeMux, in Inbox, decode func([]byte) ([]Inbound, error)) {
	path := "/webhook/" + m.name
	mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if !q.Has("hub.mode") && !q.Has("hub.verify_token") && !q.Has("hub.challenge") {
			serveHealth(w, r, in, m.name)
			return
		}
		if q.Get("hub.mode") != "subscribe" || !equal(q.Get("hub.verify_token"), m.verifyToken) {
			http.Error(w, "verification refused", http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, q.Get("hub.challenge"))
	})
	mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
		body, ok := readBody(w, r)
		if !ok {
			return
		}
		if !validSignature(r.Header.Get("X-Hub-Signature-256"), body, m.appSecret) {
			http.Error(w, "bad or missing X-Hub-Signature-256", http.StatusForbidden)
			return
		}
		msgs, err := decode(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := in.Accept(r.Context(), msgs...); err != nil {
			http.Error(w, "not stored; retry", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// readBody reads a webhook's raw body, answering 413 when it is too large.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return nil, false
	case err != nil:
		http.Error(w, "cannot read the body", http.StatusBadRequest)
		return nil, false
	}
	return body, true
}

// validSignature checks "sha256=<hex HMAC-SHA256 of body keyed with secret>" in constant time.
func validSignature(header string, body []byte, secret string) bool {
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok || secret == "" {
		return false
	}
	sig, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(sig, mac.Sum(nil))
}

// SignMeta returns the X-Hub-Signature-256 value Meta sends with body (for tests and local fakes).
func SignMeta(body []byte, appSecret string) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// equal compares secrets in constant time; an empty expected value never matches.
func equal(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// graphError is the error object of a Graph API answer.
type graphError struct {
	Error struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Code    int    `json:"code"`
	} `json:"error"`
}

// postGraph POSTs a JSON body to a Graph API URL with a bearer token. Network errors, 429, 5xx and Graph's
// rate-limit codes are retriable; other refusals are permanent.
func postGraph(ctx context.Context, hc *http.Client, url, token string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return Permanent(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	var ge graphError
	json.Unmarshal(rb, &ge)
	err = fmt.Errorf("graph API: %s: %d %s (code %d)", url, resp.StatusCode, ge.Error.Message, ge.Error.Code)
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return err
	case ge.Error.Code == 4 || ge.Error.Code == 17 || ge.Error.Code == 32 || ge.Error.Code == 613 ||
		ge.Error.Code == 80007 || ge.Error.Code == 130429 || ge.Error.Code == 131056:
		return err // rate limits
	}
	return Permanent(err)
}
