package channels

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSNS signs SNS messages with its own key and serves the certificate over TLS.
type fakeSNS struct {
	key     *rsa.PrivateKey
	certURL string
	client  *http.Client
}

func newFakeSNS(t *testing.T) *fakeSNS {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sns.us-west-2.amazonaws.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pemCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(pemCert) }))
	t.Cleanup(srv.Close)
	return &fakeSNS{key: key, certURL: srv.URL + "/SimpleNotificationService-1.pem", client: srv.Client()}
}

// verifier returns a verifier that trusts the fake's host.
func (f *fakeSNS) verifier() *SNSVerifier {
	v := NewSNSVerifier(f.client)
	v.allowHost = func(h string) bool { return h == "127.0.0.1" }
	return v
}

// sign fills in e's signature fields (version "1" or "2") and returns its JSON.
func (f *fakeSNS) sign(t *testing.T, e snsEnvelope, version string) []byte {
	e.SignatureVersion, e.SigningCertURL = version, f.certURL
	s, err := e.stringToSign()
	if err != nil {
		t.Fatal(err)
	}
	var sig []byte
	if version == "1" {
		d := sha1.Sum([]byte(s))
		sig, err = rsa.SignPKCS1v15(rand.Reader, f.key, crypto.SHA1, d[:])
	} else {
		d := sha256.Sum256([]byte(s))
		sig, err = rsa.SignPKCS1v15(rand.Reader, f.key, crypto.SHA256, d[:])
	}
	if err != nil {
		t.Fatal(err)
	}
	e.Signature = base64.StdEncoding.EncodeToString(sig)
	b, _ := json.Marshal(e)
	return b
}

func smsNotification(from, id, text string) snsEnvelope {
	msg, _ := json.Marshal(map[string]string{"originationNumber": from, "destinationNumber": "+12065550100",
		"messageKeyword": "KEYWORD", "messageBody": text, "inboundMessageId": id})
	return snsEnvelope{Type: "Notification", MessageID: "sns-" + id, TopicArn: "arn:aws:sns:us-west-2:123456789012:sms",
		Message: string(msg), Timestamp: "2026-12-04T02:00:00.000Z"}
}

func TestSNSVerifier(t *testing.T) {
	f := newFakeSNS(t)
	v := f.verifier()
	ctx := context.Background()
	for _, version := range []string{"1", "2"} {
		body := f.sign(t, smsNotification("+1555", "m1", "hi"), version)
		if err := v.Verify(ctx, body); err != nil {
			t.Errorf("version %s: %v", version, err)
		}
		tampered := strings.Replace(string(body), `hi`, `ho`, 1)
		if err := v.Verify(ctx, []byte(tampered)); err == nil {
			t.Errorf("version %s: a tampered message verified", version)
		}
	}
	conf := snsEnvelope{Type: "SubscriptionConfirmation", MessageID: "c1", Token: "tok", TopicArn: "arn:aws:sns:us-west-2:1:t",
		Message: "confirm", SubscribeURL: "https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription", Timestamp: "2026-12-04T02:00:00.000Z"}
	if err := v.Verify(ctx, f.sign(t, conf, "2")); err != nil {
		t.Errorf("confirmation: %v", err)
	}
	// The certificate must come from SNS's host over HTTPS.
	strict := NewSNSVerifier(f.client)
	if err := strict.Verify(ctx, f.sign(t, smsNotification("+1555", "m1", "hi"), "2")); err == nil {
		t.Error("a certificate from another host was accepted")
	}
	for _, bad := range []string{`{`, `{"Type":"Notification","SignatureVersion":"3"}`, `{"Type":"Notification","SignatureVersion":"1","Signature":"!!"}`} {
		if err := v.Verify(ctx, []byte(bad)); err == nil {
			t.Errorf("%s verified", bad)
		}
	}
}

// recordingInbox is an Inbox that records what it accepts.
type recordingInbox struct {
	mu  sync.Mutex
	got []Inbound
}

func (r *recordingInbox) Accept(_ context.Context, msgs ...Inbound) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, msgs...)
	return nil
}

func (r *recordingInbox) Health(context.Context, string) Health { return Health{Status: "ok"} }

func TestSMSWebhook(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKID")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	f := newFakeSNS(t)
	confirmed := make(chan string, 1)
	confirmSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { confirmed <- r.URL.RawQuery }))
	t.Cleanup(confirmSrv.Close)

	s, err := NewSMS(context.Background(), SMSConfig{PinpointAppID: "app", Number: "+12065550100",
		PinpointEndpoint: "http://127.0.0.1:1"}, "us-west-2", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.verify = f.verifier()
	in := &recordingInbox{}
	mux := http.NewServeMux()
	s.Routes(mux, in)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	post := func(body []byte) int {
		resp, err := http.Post(srv.URL+"/webhook/sms", "text/plain", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(f.sign(t, smsNotification("+14255550182", "in-1", "hello"), "1")); code != 200 {
		t.Fatalf("signed notification = %d", code)
	}
	unsigned, _ := json.Marshal(smsNotification("+14255550182", "in-2", "forged"))
	if code := post(unsigned); code != 403 {
		t.Errorf("unsigned notification = %d, want 403", code)
	}
	bad := smsNotification("+1", "x", "y")
	bad.Message = `{"messageBody":"no sender"}`
	if code := post(f.sign(t, bad, "2")); code != 400 {
		t.Errorf("a notification without originationNumber = %d, want 400", code)
	}
	if code := post([]byte("{")); code != 400 {
		t.Errorf("not JSON = %d, want 400", code)
	}
	if len(in.got) != 1 || jsonOf(in.got[0]) != jsonOf(Inbound{Channel: "sms", UserID: "+14255550182", MessageID: "in-1", Text: "hello"}) {
		t.Errorf("accepted %+v", in.got)
	}

	// A confirmation whose SubscribeURL is not SNS's is refused even when signed; with verification off (a
	// local fake) it is followed.
	conf := snsEnvelope{Type: "SubscriptionConfirmation", MessageID: "c1", Token: "tok", TopicArn: "arn:aws:sns:us-west-2:1:t",
		Message: "confirm", SubscribeURL: confirmSrv.URL + "/?Action=ConfirmSubscription&Token=tok", Timestamp: "2026-12-04T02:00:00.000Z"}
	if code := post(f.sign(t, conf, "2")); code != http.StatusBadGateway {
		t.Errorf("confirmation to a non-SNS URL = %d, want 502", code)
	}
	s.cfg.InsecureSkipVerify = true
	if code := post(f.sign(t, conf, "2")); code != 200 {
		t.Errorf("confirmation = %d", code)
	}
	select {
	case q := <-confirmed:
		if !strings.Contains(q, "Token=tok") {
			t.Errorf("confirmed with %q", q)
		}
	case <-time.After(5 * time.Second):
		t.Error("SubscribeURL not followed")
	}
}

// fakePinpoint is Pinpoint's SendMessages, answering each address with status.
func fakePinpoint(t *testing.T, status string) (*httptest.Server, *[]map[string]any) {
	return fakePinpointCode(t, status, 200)
}

// fakePinpointCode is fakePinpoint with the address's StatusCode given too.
func fakePinpointCode(t *testing.T, status string, code int) (*httptest.Server, *[]map[string]any) {
	var reqs []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/apps/app-1/messages" || !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256") {
			t.Errorf("pinpoint: %s %s auth %q", r.Method, r.URL.Path, r.Header.Get("Authorization"))
		}
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		json.Unmarshal(b, &m)
		reqs = append(reqs, m)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ApplicationId":"app-1","RequestId":"r","Result":{"+14255550182":{"DeliveryStatus":"`+status+`","StatusCode":`+strconv.Itoa(code)+`,"StatusMessage":"m"}}}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &reqs
}

func TestSMSSend(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKID")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	for _, c := range []struct {
		status        string
		code          int
		ok, permanent bool
	}{
		{"SUCCESSFUL", 200, true, false}, {"DUPLICATE", 200, true, false},
		{"THROTTLED", 429, false, false}, {"TEMPORARY_FAILURE", 500, false, false},
		{"PERMANENT_FAILURE", 400, false, true}, {"OPT_OUT", 400, false, true},
		{"UNKNOWN_FAILURE", 400, false, true}, {"UNKNOWN_FAILURE", 503, false, false},
	} {
		srv, reqs := fakePinpointCode(t, c.status, c.code)
		s, err := NewSMS(context.Background(), SMSConfig{PinpointAppID: "app-1", Number: "+12065550100", PinpointEndpoint: srv.URL},
			"us-west-2", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = s.Send(context.Background(), "+14255550182", Outbound{Text: "Hi there"})
		if (err == nil) != c.ok || IsPermanent(err) != c.permanent {
			t.Errorf("%s: err %v (permanent %v)", c.status, err, IsPermanent(err))
		}
		want := `{"Addresses":{"+14255550182":{"ChannelType":"SMS"}},"MessageConfiguration":{"SMSMessage":{"Body":"Hi there","MessageType":"TRANSACTIONAL","OriginationNumber":"+12065550100"}}}`
		if len(*reqs) != 1 || jsonOf((*reqs)[0]) != want {
			t.Errorf("%s: request %v\nwant %s", c.status, *reqs, want)
		}
	}
}

func TestTwilio(t *testing.T) {
	var sent []url.Values
	var auth []string
	status := 201
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/2010-04-01/Accounts/AC123/Messages.json" {
			t.Errorf("twilio: %s", r.URL.Path)
		}
		r.ParseForm()
		sent = append(sent, r.PostForm)
		u, p, _ := r.BasicAuth()
		auth = append(auth, u+":"+p)
		w.WriteHeader(status)
		io.WriteString(w, `{}`)
	}))
	t.Cleanup(api.Close)
	tw, err := NewTwilio(TwilioConfig{AccountSID: "AC123", AuthToken: "tok", From: "+12065550101", APIURL: api.URL},
		"https://chat.example.com/", nil)
	if err != nil {
		t.Fatal(err)
	}
	in := &recordingInbox{}
	mux := http.NewServeMux()
	tw.Routes(mux, in)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	form := url.Values{"From": {"+14255550182"}, "To": {"+12065550101"}, "Body": {"hello"}, "MessageSid": {"SM1"},
		"NumMedia": {"1"}, "MediaUrl0": {"https://media/1"}, "MediaContentType0": {"image/jpeg"}}
	post := func(f url.Values, sig string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhook/twilio", strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	good := TwilioSignature("tok", "https://chat.example.com/webhook/twilio", form)
	if code, body := post(form, good); code != 200 || !strings.Contains(body, "<Response></Response>") {
		t.Fatalf("signed webhook = %d %s", code, body)
	}
	for name, sig := range map[string]string{"missing": "", "other token": TwilioSignature("x", "https://chat.example.com/webhook/twilio", form),
		"other URL": TwilioSignature("tok", "https://evil.example/webhook/twilio", form)} {
		if code, _ := post(form, sig); code != 403 {
			t.Errorf("%s signature = %d, want 403", name, code)
		}
	}
	noSid := url.Values{"From": {"+1"}, "Body": {"x"}}
	if code, _ := post(noSid, TwilioSignature("tok", "https://chat.example.com/webhook/twilio", noSid)); code != 400 {
		t.Errorf("no MessageSid = %d, want 400", code)
	}
	want := Inbound{Channel: "twilio", UserID: "+14255550182", MessageID: "SM1", Text: "hello",
		Attachments: []Media{{Type: "image", URL: "https://media/1"}}}
	if len(in.got) != 1 || jsonOf(in.got[0]) != jsonOf(want) {
		t.Errorf("accepted %+v", in.got)
	}

	if err := tw.Send(context.Background(), "+14255550182", Outbound{Text: "Hi"}); err != nil {
		t.Fatal(err)
	}
	if f := sent[0]; f.Get("To") != "+14255550182" || f.Get("From") != "+12065550101" || f.Get("Body") != "Hi" || auth[0] != "AC123:tok" {
		t.Errorf("sent %v auth %v", f, auth)
	}
	for code, permanent := range map[int]bool{500: false, 429: false, 400: true, 401: true} {
		status = code
		err := tw.Send(context.Background(), "+1", Outbound{Text: "x"})
		if err == nil || IsPermanent(err) != permanent {
			t.Errorf("status %d: %v (permanent %v)", code, err, IsPermanent(err))
		}
	}
}
