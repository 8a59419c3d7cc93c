package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/connectparticipant"
	"github.com/gorilla/websocket"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/parley-chat/parley/blob/s3"
	"github.com/parley-chat/parley/scanner"
	"github.com/parley-chat/parley/server"
	"github.com/parley-chat/parley/wire"
)

// upload is a started attachment upload.
type upload struct {
	ID      string
	URL     string
	Headers map[string]string
	Expiry  string
}

func (e *env) startUpload(token, name, contentType string, size int64, clientToken ...string) upload {
	e.t.Helper()
	in := &connectparticipant.StartAttachmentUploadInput{ConnectionToken: awsv1.String(token),
		AttachmentName: awsv1.String(name), ContentType: awsv1.String(contentType),
		AttachmentSizeInBytes: awsv1.Int64(size)}
	if len(clientToken) > 0 {
		in.ClientToken = awsv1.String(clientToken[0])
	}
	out, err := e.pc.StartAttachmentUploadWithContext(ctx(e.t), in)
	if err != nil {
		e.t.Fatalf("StartAttachmentUpload %s: %v", name, err)
	}
	return upload{ID: awsv1.StringValue(out.AttachmentId), URL: awsv1.StringValue(out.UploadMetadata.Url),
		Headers: awsv1.StringValueMap(out.UploadMetadata.HeadersToInclude), Expiry: awsv1.StringValue(out.UploadMetadata.UrlExpiry)}
}

// put PUTs body to an upload URL with the headers, as a browser's fetch does; it returns the status.
func put(t *testing.T, u string, headers map[string]string, body io.Reader, size int64) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx(t), http.MethodPut, u, body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = size
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("PUT %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (e *env) complete(token, id string, clientToken ...string) error {
	e.t.Helper()
	in := &connectparticipant.CompleteAttachmentUploadInput{ConnectionToken: awsv1.String(token),
		AttachmentIds: awsv1.StringSlice([]string{id})}
	if len(clientToken) > 0 {
		in.ClientToken = awsv1.String(clientToken[0])
	}
	_, err := e.pc.CompleteAttachmentUploadWithContext(ctx(e.t), in)
	return err
}

// send uploads data as a new attachment and completes it.
func (e *env) sendFile(token, name, contentType string, data []byte) upload {
	e.t.Helper()
	up := e.startUpload(token, name, contentType, int64(len(data)))
	if status, body := put(e.t, up.URL, up.Headers, bytes.NewReader(data), int64(len(data))); status != http.StatusOK {
		e.t.Fatalf("PUT %s: %d %s", name, status, body)
	}
	if err := e.complete(token, up.ID); err != nil {
		e.t.Fatalf("CompleteAttachmentUpload %s: %v", name, err)
	}
	return up
}

func (e *env) getAttachment(token, id string) (*connectparticipant.GetAttachmentOutput, error) {
	return e.pc.GetAttachmentWithContext(ctx(e.t), &connectparticipant.GetAttachmentInput{
		ConnectionToken: awsv1.String(token), AttachmentId: awsv1.String(id)})
}

// rawGetAttachment calls GetAttachment with plain HTTP and decodes every member of the current model (aws-sdk-go
// v1 predates UrlExpiryInSeconds and AttachmentSizeInBytes).
func rawGetAttachment(t *testing.T, endpoint, token, body string) (status int, errType string, out struct {
	URL                   string `json:"Url"`
	URLExpiry             string `json:"UrlExpiry"`
	AttachmentSizeInBytes int64
}) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx(t), http.MethodPost, endpoint+"/participant/attachment", strings.NewReader(body))
	req.Header.Set("X-Amz-Bearer", token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("GetAttachment: %s, %v", resp.Status, err)
	}
	return resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), out
}

// download GETs a URL and returns the response and its body.
func download(t *testing.T, u string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// nextAttachment reads items until an ATTACHMENT item.
func (s *socket) nextAttachment() wire.Item {
	s.t.Helper()
	for {
		if it := s.next(); it.Type == "ATTACHMENT" {
			return it
		}
	}
}

// uncheckedClient is a participant client that sends whatever it is given: the v1 SDK checks lengths and
// ranges itself, and the server's checks are what is tested.
func (e *env) uncheckedClient() *connectparticipant.ConnectParticipant {
	sess := session.Must(session.NewSession(&awsv1.Config{Region: awsv1.String(e.srv.Region),
		Endpoint: awsv1.String(e.srv.URL), Credentials: credentials.AnonymousCredentials,
		MaxRetries: awsv1.Int(0), DisableParamValidation: awsv1.Bool(true)}))
	return connectparticipant.New(sess)
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// TestAttachmentFlow: StartAttachmentUpload → PUT with HeadersToInclude → CompleteAttachmentUpload → the
// ATTACHMENT item on every socket and in the transcript → GetAttachment → download, with the official client.
func TestAttachmentFlow(t *testing.T) {
	e := newEnv(t)
	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	cs := dial(t, cust.URL)
	botToken, _ := e.addBot(ch.ContactID)
	bot := e.connect(botToken)
	bs := dial(t, bot.URL)

	data := pattern(300_000)
	before := time.Now()
	up := e.startUpload(cust.Token, "invoice 2025.pdf", "application/pdf", int64(len(data)), "start-1")
	if !strings.HasPrefix(up.URL, e.srv.URL+"/attachments/upload/"+up.ID+"?") {
		t.Errorf("upload URL %s is not parley's upload endpoint for %s", up.URL, up.ID)
	}
	if len(up.Headers) != 1 || up.Headers["Content-Type"] != "application/pdf" {
		t.Errorf("HeadersToInclude = %v, want exactly Content-Type: application/pdf", up.Headers)
	}
	if exp, err := wire.ParseTime(up.Expiry); err != nil || exp.Before(before.Add(4*time.Minute)) {
		t.Errorf("UrlExpiry = %q (%v), want about 5 minutes ahead", up.Expiry, err)
	}
	// A retry with the same ClientToken is the same attachment, with the same upload URL.
	if again := e.startUpload(cust.Token, "invoice 2025.pdf", "application/pdf", int64(len(data)), "start-1"); fmt.Sprint(again) != fmt.Sprint(up) {
		t.Errorf("retried StartAttachmentUpload = %+v, want %+v", again, up)
	}

	if err := e.complete(cust.Token, up.ID, "complete-1"); err == nil {
		t.Fatal("CompleteAttachmentUpload before the upload succeeded")
	} else {
		wantCode(t, err, "ConflictException", 409)
	}
	// The preflight a browser sends before the PUT (Chromium's shape; the full browser test is test/js).
	pre, _ := http.NewRequestWithContext(ctx(t), http.MethodOptions, up.URL, nil)
	pre.Header.Set("Origin", "https://shop.example.com")
	pre.Header.Set("Access-Control-Request-Method", "PUT")
	pre.Header.Set("Access-Control-Request-Headers", "content-type")
	if resp, err := http.DefaultClient.Do(pre); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
		h := resp.Header
		if resp.StatusCode/100 != 2 || h.Get("Access-Control-Allow-Origin") != "https://shop.example.com" ||
			!strings.Contains(h.Get("Access-Control-Allow-Methods"), "PUT") ||
			!strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "content-type") {
			t.Errorf("upload preflight: %s %v", resp.Status, h)
		}
	}
	if status, body := put(t, up.URL, up.Headers, bytes.NewReader(data), int64(len(data))); status != http.StatusOK {
		t.Fatalf("PUT: %d %s", status, body)
	}
	if err := e.complete(cust.Token, up.ID, "complete-1"); err != nil {
		t.Fatalf("CompleteAttachmentUpload: %v", err)
	}

	for who, s := range map[string]*socket{"customer": cs, "bot": bs} {
		it := s.nextAttachment()
		want := []wire.AttachmentItem{{ContentType: "application/pdf", AttachmentID: up.ID,
			AttachmentName: "invoice 2025.pdf", Status: "APPROVED"}}
		if fmt.Sprint(it.Attachments) != fmt.Sprint(want) || it.ParticipantID != ch.ParticipantID ||
			it.ParticipantRole != "CUSTOMER" || it.DisplayName != "Customer" || it.ContactID != ch.ContactID ||
			it.InitialContactID != ch.ContactID || it.ID == "" || it.AbsoluteTime == "" {
			t.Errorf("%s's socket got %+v, want the customer's APPROVED attachment", who, it)
		}
	}

	// Retrying the completion with its ClientToken succeeds and stores nothing more; completing again does not.
	if err := e.complete(cust.Token, up.ID, "complete-1"); err != nil {
		t.Errorf("retried CompleteAttachmentUpload: %v", err)
	}
	wantCode(t, e.complete(cust.Token, up.ID, "complete-2"), "ConflictException", 409)
	var atts []*connectparticipant.Item
	for _, it := range e.transcript(cust.Token) {
		if awsv1.StringValue(it.Type) == "ATTACHMENT" {
			atts = append(atts, it)
		}
	}
	if len(atts) != 1 || awsv1.StringValue(atts[0].Attachments[0].AttachmentId) != up.ID ||
		awsv1.StringValue(atts[0].Attachments[0].Status) != "APPROVED" {
		t.Fatalf("transcript attachments = %v, want the one APPROVED attachment", atts)
	}

	out, err := e.getAttachment(cust.Token, up.ID)
	if err != nil {
		t.Fatalf("GetAttachment: %v", err)
	}
	// aws-sdk-go v1 predates AttachmentSizeInBytes (required in the current model): read it from the wire.
	if status, _, raw := rawGetAttachment(t, e.srv.URL, cust.Token, `{"AttachmentId":"`+up.ID+`"}`); status != 200 ||
		raw.AttachmentSizeInBytes != int64(len(data)) || raw.URL == "" || raw.URLExpiry == "" {
		t.Errorf("GetAttachment on the wire = %d %+v, want AttachmentSizeInBytes %d", status, raw, len(data))
	}
	if exp, err := wire.ParseTime(awsv1.StringValue(out.UrlExpiry)); err != nil || exp.After(time.Now().Add(301*time.Second)) {
		t.Errorf("UrlExpiry = %q, want at most 300 s ahead", awsv1.StringValue(out.UrlExpiry))
	}
	dl, _ := http.NewRequestWithContext(ctx(t), http.MethodGet, awsv1.StringValue(out.Url), nil)
	dl.Header.Set("Origin", "https://shop.example.com")
	resp, err := http.DefaultClient.Do(dl)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, data) {
		t.Fatalf("download: %s, %d bytes; want the %d bytes uploaded", resp.Status, len(got), len(data))
	}
	if o := resp.Header.Get("Access-Control-Allow-Origin"); o != "https://shop.example.com" {
		t.Errorf("download Access-Control-Allow-Origin = %q", o)
	}
	if ct, cd := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"); ct != "application/pdf" ||
		cd != `attachment; filename="invoice 2025.pdf"` {
		t.Errorf("download headers: Content-Type %q, Content-Disposition %q", ct, cd)
	}
	_, _, short := rawGetAttachment(t, e.srv.URL, cust.Token, `{"AttachmentId":"`+up.ID+`","UrlExpiryInSeconds":5}`)
	if exp, err := wire.ParseTime(short.URLExpiry); err != nil || exp.After(time.Now().Add(6*time.Second)) {
		t.Errorf("UrlExpiry with UrlExpiryInSeconds 5 = %s", short.URLExpiry)
	}

	// The model: a CUSTOM_BOT may not access attachments.
	_, err = e.getAttachment(bot.Token, up.ID)
	wantCode(t, err, "AccessDeniedException", 403)
}

// TestAttachmentRefusals: every model constraint and every limit is refused with the model's error, by the
// server (the client's own checks are off).
func TestAttachmentRefusals(t *testing.T) {
	e := newEnv(t)
	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	pc := e.uncheckedClient()
	tok := awsv1.String(cust.Token)
	s := awsv1.String
	long := func(n int) *string { return s(strings.Repeat("a", n-4) + ".txt") }

	for _, c := range []struct {
		name string
		in   connectparticipant.StartAttachmentUploadInput
		code string
	}{
		{"empty ContentType", connectparticipant.StartAttachmentUploadInput{ContentType: s(""), AttachmentSizeInBytes: awsv1.Int64(1), AttachmentName: s("a.txt")}, "ValidationException"},
		{"long ContentType", connectparticipant.StartAttachmentUploadInput{ContentType: s("text/" + strings.Repeat("x", 251)), AttachmentSizeInBytes: awsv1.Int64(1), AttachmentName: s("a.txt")}, "ValidationException"},
		{"no size", connectparticipant.StartAttachmentUploadInput{ContentType: s("text/plain"), AttachmentName: s("a.txt")}, "ValidationException"},
		{"size 0", connectparticipant.StartAttachmentUploadInput{ContentType: s("text/plain"), AttachmentSizeInBytes: awsv1.Int64(0), AttachmentName: s("a.txt")}, "ValidationException"},
		{"negative size", connectparticipant.StartAttachmentUploadInput{ContentType: s("text/plain"), AttachmentSizeInBytes: awsv1.Int64(-5), AttachmentName: s("a.txt")}, "ValidationException"},
		{"over 20 MB", connectparticipant.StartAttachmentUploadInput{ContentType: s("text/plain"), AttachmentSizeInBytes: awsv1.Int64(20<<20 + 1), AttachmentName: s("a.txt")}, "ValidationException"},
		{"empty name", connectparticipant.StartAttachmentUploadInput{ContentType: s("text/plain"), AttachmentSizeInBytes: awsv1.Int64(1), AttachmentName: s("")}, "ValidationException"},
		{"257-character name", connectparticipant.StartAttachmentUploadInput{ContentType: s("text/plain"), AttachmentSizeInBytes: awsv1.Int64(1), AttachmentName: long(257)}, "ValidationException"},
		{"control character in name", connectparticipant.StartAttachmentUploadInput{ContentType: s("text/plain"), AttachmentSizeInBytes: awsv1.Int64(1), AttachmentName: s("a\x00b.txt")}, "ValidationException"},
		{"file type not allowed", connectparticipant.StartAttachmentUploadInput{ContentType: s("application/x-msdownload"), AttachmentSizeInBytes: awsv1.Int64(1), AttachmentName: s("setup.exe")}, "ValidationException"},
		{"no extension", connectparticipant.StartAttachmentUploadInput{ContentType: s("text/plain"), AttachmentSizeInBytes: awsv1.Int64(1), AttachmentName: s("README")}, "ValidationException"},
		{"content type of another type", connectparticipant.StartAttachmentUploadInput{ContentType: s("text/html"), AttachmentSizeInBytes: awsv1.Int64(1), AttachmentName: s("photo.png")}, "ValidationException"},
		{"not a MIME type", connectparticipant.StartAttachmentUploadInput{ContentType: s("png"), AttachmentSizeInBytes: awsv1.Int64(1), AttachmentName: s("photo.png")}, "ValidationException"},
		{"empty ClientToken", connectparticipant.StartAttachmentUploadInput{ContentType: s("text/plain"), AttachmentSizeInBytes: awsv1.Int64(1), AttachmentName: s("a.txt"), ClientToken: s("")}, "ValidationException"},
		{"501-character ClientToken", connectparticipant.StartAttachmentUploadInput{ContentType: s("text/plain"), AttachmentSizeInBytes: awsv1.Int64(1), AttachmentName: s("a.txt"), ClientToken: s(strings.Repeat("t", 501))}, "ValidationException"},
	} {
		t.Run("Start/"+c.name, func(t *testing.T) {
			in := c.in
			in.ConnectionToken = tok
			_, err := pc.StartAttachmentUploadWithContext(ctx(t), &in)
			wantCode(t, err, c.code, 400)
		})
	}
	// A name of exactly 256 characters, upper-case extensions and a content type with parameters are fine.
	if _, err := pc.StartAttachmentUploadWithContext(ctx(t), &connectparticipant.StartAttachmentUploadInput{
		ConnectionToken: tok, ContentType: s("text/plain; charset=utf-8"), AttachmentSizeInBytes: awsv1.Int64(20 << 20),
		AttachmentName: s(strings.Repeat("é", 252) + ".TXT")}); err != nil {
		t.Errorf("a 256-character name of 20 MB: %v", err)
	}

	up := e.startUpload(cust.Token, "a.txt", "text/plain", 3)
	for _, c := range []struct {
		name string
		in   connectparticipant.CompleteAttachmentUploadInput
		code string
	}{
		{"no ids", connectparticipant.CompleteAttachmentUploadInput{AttachmentIds: []*string{}}, "ValidationException"},
		{"two ids", connectparticipant.CompleteAttachmentUploadInput{AttachmentIds: awsv1.StringSlice([]string{up.ID, up.ID})}, "ValidationException"},
		{"unknown id", connectparticipant.CompleteAttachmentUploadInput{AttachmentIds: awsv1.StringSlice([]string{"nope"})}, "ValidationException"},
		{"empty ClientToken", connectparticipant.CompleteAttachmentUploadInput{AttachmentIds: awsv1.StringSlice([]string{up.ID}), ClientToken: s("")}, "ValidationException"},
		{"not uploaded yet", connectparticipant.CompleteAttachmentUploadInput{AttachmentIds: awsv1.StringSlice([]string{up.ID})}, "ConflictException"},
	} {
		t.Run("Complete/"+c.name, func(t *testing.T) {
			in := c.in
			in.ConnectionToken = tok
			_, err := pc.CompleteAttachmentUploadWithContext(ctx(t), &in)
			status := 400
			if c.code == "ConflictException" {
				status = 409
			}
			wantCode(t, err, c.code, status)
		})
	}
	for _, secs := range []int{4, 301} {
		status, typ, _ := rawGetAttachment(t, e.srv.URL, cust.Token, fmt.Sprintf(`{"AttachmentId":%q,"UrlExpiryInSeconds":%d}`, up.ID, secs))
		if status != 400 || typ != "ValidationException" {
			t.Errorf("UrlExpiryInSeconds %d: %d %s, want 400 ValidationException", secs, status, typ)
		}
	}
	_, err := e.getAttachment(cust.Token, up.ID)
	wantCode(t, err, "ValidationException", 400) // not completed
	_, err = e.getAttachment(cust.Token, "no-such-attachment")
	wantCode(t, err, "AccessDeniedException", 403)
	// A ClientToken reused for another file.
	e.startUpload(cust.Token, "b.txt", "text/plain", 3, "tok-b")
	_, err = e.pc.StartAttachmentUploadWithContext(ctx(t), &connectparticipant.StartAttachmentUploadInput{ConnectionToken: tok,
		AttachmentName: s("c.txt"), ContentType: s("text/plain"), AttachmentSizeInBytes: awsv1.Int64(3), ClientToken: s("tok-b")})
	wantCode(t, err, "ValidationException", 400)

	// 35 attachments per contact (3 started so far): the 36th is ServiceQuotaExceededException.
	for i := 3; i < 35; i++ {
		e.startUpload(cust.Token, fmt.Sprintf("f%d.txt", i), "text/plain", 1)
	}
	_, err = e.pc.StartAttachmentUploadWithContext(ctx(t), &connectparticipant.StartAttachmentUploadInput{ConnectionToken: tok,
		AttachmentName: s("36th.txt"), ContentType: s("text/plain"), AttachmentSizeInBytes: awsv1.Int64(1)})
	wantCode(t, err, "ServiceQuotaExceededException", 402)

	// After the chat ended, nothing goes.
	if _, err := e.pc.DisconnectParticipantWithContext(ctx(t), &connectparticipant.DisconnectParticipantInput{ConnectionToken: tok}); err != nil {
		t.Fatal(err)
	}
	_, err = e.pc.StartAttachmentUploadWithContext(ctx(t), &connectparticipant.StartAttachmentUploadInput{ConnectionToken: tok,
		AttachmentName: s("late.txt"), ContentType: s("text/plain"), AttachmentSizeInBytes: awsv1.Int64(1)})
	wantCode(t, err, "AccessDeniedException", 403)
}

// TestAttachmentSecurity: another chat's attachment with a valid token of a different chat, URLs bound to one
// attachment, replayed upload URLs, a body larger than declared sent mid-stream, wrong headers, and paths in
// names: every one refused, and names never reach the file system.
func TestAttachmentSecurity(t *testing.T) {
	dataDir := t.TempDir()
	e := newEnv(t, func(c *server.Config) { c.DataDir = dataDir })
	a := e.startChat()
	custA := e.connect(a.ParticipantToken)
	b := e.startChat()
	custB := e.connect(b.ParticipantToken)

	secret := []byte("chat A's secret")
	upA := e.sendFile(custA.Token, "secret.txt", "text/plain", secret)
	outA, err := e.getAttachment(custA.Token, upA.ID)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("another chat's attachment", func(t *testing.T) {
		_, err := e.getAttachment(custB.Token, upA.ID)
		wantCode(t, err, "AccessDeniedException", 403)
		pending := e.startUpload(custA.Token, "pending.txt", "text/plain", 3)
		put(t, pending.URL, pending.Headers, strings.NewReader("abc"), 3)
		wantCode(t, e.complete(custB.Token, pending.ID), "ValidationException", 400)
	})

	t.Run("download URL bound to its attachment", func(t *testing.T) {
		upB := e.sendFile(custB.Token, "mine.txt", "text/plain", []byte("chat B"))
		outB, err := e.getAttachment(custB.Token, upB.ID)
		if err != nil {
			t.Fatal(err)
		}
		// B's genuine URL, pointed at A's attachment.
		swapped := strings.Replace(awsv1.StringValue(outB.Url), upB.ID, upA.ID, 1)
		if resp, body := download(t, swapped); resp.StatusCode != 403 || bytes.Contains(body, secret) {
			t.Errorf("B's download URL for A's attachment: %s %s", resp.Status, body)
		}
		u, _ := url.Parse(awsv1.StringValue(outA.Url))
		q := u.Query()
		q.Set("expires", fmt.Sprint(time.Now().Add(time.Hour).UnixMilli()))
		u.RawQuery = q.Encode()
		if resp, _ := download(t, u.String()); resp.StatusCode != 403 {
			t.Errorf("download URL with a longer expiry: %s, want 403", resp.Status)
		}
		q.Del("signature")
		u.RawQuery = q.Encode()
		if resp, _ := download(t, u.String()); resp.StatusCode != 403 {
			t.Errorf("download URL without a signature: %s, want 403", resp.Status)
		}
	})

	t.Run("upload URL replayed", func(t *testing.T) {
		status, _ := put(t, upA.URL, upA.Headers, strings.NewReader("EVIL CONTENT!!!"), int64(len(secret)))
		if status != http.StatusConflict {
			t.Errorf("replayed upload URL after completion: %d, want 409", status)
		}
		other := e.startUpload(custA.Token, "other.txt", "text/plain", int64(len(secret)))
		swapped := strings.Replace(upA.URL, upA.ID, other.ID, 1)
		if status, _ := put(t, swapped, upA.Headers, bytes.NewReader(secret), int64(len(secret))); status != 403 {
			t.Errorf("A's upload URL for another attachment: %d, want 403", status)
		}
		if _, got := download(t, awsv1.StringValue(outA.Url)); !bytes.Equal(got, secret) {
			t.Errorf("the attachment changed after replays: %q", got)
		}
	})

	t.Run("size and headers", func(t *testing.T) {
		up := e.startUpload(custA.Token, "big.txt", "text/plain", 100_000)
		// A body that goes past the declared size mid-stream, without a Content-Length to refuse it early.
		body := io.MultiReader(bytes.NewReader(pattern(100_000)), strings.NewReader(strings.Repeat("x", 50_000)))
		if status, _ := put(t, up.URL, up.Headers, body, -1); status != 400 {
			t.Errorf("chunked body larger than declared: %d, want 400", status)
		}
		wantCode(t, e.complete(custA.Token, up.ID), "ConflictException", 409)
		if status, _ := put(t, up.URL, up.Headers, bytes.NewReader(pattern(100_001)), 100_001); status != 400 {
			t.Errorf("Content-Length larger than declared: %d, want 400", status)
		}
		if status, _ := put(t, up.URL, up.Headers, io.LimitReader(bytes.NewReader(pattern(100_000)), 99_999), -1); status != 400 {
			t.Errorf("chunked body shorter than declared: %d, want 400", status)
		}
		if status, _ := put(t, up.URL, map[string]string{"Content-Type": "text/html"}, bytes.NewReader(pattern(100_000)), 100_000); status != 400 {
			t.Errorf("wrong Content-Type: %d, want 400", status)
		}
		wantCode(t, e.complete(custA.Token, up.ID), "ConflictException", 409)
		if status, body := put(t, up.URL, up.Headers, bytes.NewReader(pattern(100_000)), 100_000); status != 200 {
			t.Fatalf("the right upload after refused ones: %d %s", status, body)
		}
		if err := e.complete(custA.Token, up.ID); err != nil {
			t.Fatalf("complete: %v", err)
		}
	})

	t.Run("paths in names", func(t *testing.T) {
		cs := dial(t, e.connect(a.ParticipantToken).URL)
		for _, name := range []string{"../../../../../../tmp/parley-evil.txt", `..\..\parley-evil2.txt`,
			"/etc/parley-passwd.txt", "attachments/files/" + upA.ID + ".txt", "%2e%2e%2fparley-evil3.txt"} {
			up := e.sendFile(custA.Token, name, "text/plain", []byte("payload"))
			if it := cs.nextAttachment(); it.Attachments[0].AttachmentName != name || it.Attachments[0].AttachmentID != up.ID {
				t.Errorf("item for %q: %+v", name, it.Attachments)
			}
			out, err := e.getAttachment(custA.Token, up.ID)
			if err != nil {
				t.Fatal(err)
			}
			resp, got := download(t, awsv1.StringValue(out.Url))
			cd := resp.Header.Get("Content-Disposition")
			if string(got) != "payload" || strings.Contains(cd, "/") || strings.Contains(cd, `\`) {
				t.Errorf("download of %q: %q, Content-Disposition %q", name, got, cd)
			}
		}
		if _, got := download(t, awsv1.StringValue(outA.Url)); !bytes.Equal(got, secret) {
			t.Errorf("a name that looks like another attachment's path changed it: %q", got)
		}
		for _, p := range []string{"/tmp/parley-evil.txt", "/etc/parley-passwd.txt", filepath.Join(filepath.Dir(dataDir), "parley-evil2.txt")} {
			if _, err := os.Stat(p); err == nil {
				t.Errorf("%s exists: a name reached the file system", p)
			}
		}
		// Every file under the data dir is named by parley: no part of a name appears.
		err := filepath.WalkDir(dataDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if n := d.Name(); strings.Contains(n, "evil") || strings.Contains(n, "passwd") || strings.HasSuffix(n, ".txt") {
				t.Errorf("file named after an attachment name: %s", p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// scanHook is a scanning webhook whose answers the test controls: it fetches the file from the URL it is given
// (so the scan URL works) and answers what the test sends on the attachment's channel.
type scanHook struct {
	t       *testing.T
	mu      sync.Mutex
	answers map[string]chan string // attachment name → answers
	got     map[string][]byte
	calls   map[string]int // attachment name → scan requests
}

func newScanHook(t *testing.T) *scanHook {
	return &scanHook{t: t, answers: map[string]chan string{}, got: map[string][]byte{}, calls: map[string]int{}}
}

func (h *scanHook) answer(name string) chan string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.answers[name] == nil {
		h.answers[name] = make(chan string, 10)
	}
	return h.answers[name]
}

func (h *scanHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req scanner.Request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	h.mu.Lock()
	h.calls[req.File.FileName]++
	h.mu.Unlock()
	resp, err := http.Get(req.File.FileLocation.URL)
	if err != nil {
		http.Error(w, err.Error(), 502)
		return
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	h.mu.Lock()
	h.got[req.File.FileName] = b
	h.mu.Unlock()
	if resp.StatusCode != 200 || req.Version != "1.0" || req.File.FileSizeInBytes != int64(len(b)) {
		http.Error(w, "bad scan request", 400)
		return
	}
	select {
	case a := <-h.answer(req.File.FileName):
		if a == "FAIL" {
			http.Error(w, "scanner unavailable", 503)
			return
		}
		fmt.Fprintf(w, `{"Status":%q}`, a)
	case <-r.Context().Done():
	}
}

// TestAttachmentScanning: with a scanning webhook an attachment is IN_PROGRESS until the scanner decides; the
// decision reaches every socket as the same item (same Id) with the new status, the transcript shows the
// current status, and a REJECTED attachment cannot be downloaded.
func TestAttachmentScanning(t *testing.T) {
	hook := newScanHook(t)
	hs := httptest.NewServer(hook)
	t.Cleanup(hs.Close)
	dataDir := t.TempDir()
	e := newEnv(t, func(c *server.Config) {
		c.DataDir = dataDir
		c.Attachments.ScanURL = hs.URL
		c.Attachments.ScanRetryDelay = 10 * time.Millisecond
	})
	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	cs := dial(t, cust.URL)

	for _, c := range []struct {
		name    string
		answers []string
		want    string
	}{
		{"clean.png", []string{"APPROVED"}, "APPROVED"},
		{"eicar.png", []string{"REJECTED"}, "REJECTED"},
		{"flaky.png", []string{"FAIL", "APPROVED"}, "APPROVED"},
		{"down.png", []string{"FAIL", "FAIL", "FAIL"}, "REJECTED"},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := pattern(5000 + len(c.name))
			up := e.sendFile(cust.Token, c.name, "image/png", data)
			first := cs.nextAttachment()
			if first.Attachments[0].Status != "IN_PROGRESS" || first.Attachments[0].AttachmentID != up.ID {
				t.Fatalf("first item = %+v, want IN_PROGRESS", first)
			}
			_, err := e.getAttachment(cust.Token, up.ID)
			wantCode(t, err, "ValidationException", 400) // being scanned
			for _, a := range c.answers {
				hook.answer(c.name) <- a
			}
			rev := cs.nextAttachment()
			if rev.ID != first.ID || rev.AbsoluteTime != first.AbsoluteTime || rev.Attachments[0].Status != c.want ||
				rev.ParticipantID != first.ParticipantID || rev.ContactID != ch.ContactID || rev.InitialContactID != ch.ContactID {
				t.Fatalf("status change = %+v, want the item %s again with %s", rev, first.ID, c.want)
			}
			hook.mu.Lock()
			scanned := hook.got[c.name]
			hook.mu.Unlock()
			if !bytes.Equal(scanned, data) {
				t.Errorf("the scanner fetched %d bytes, want the %d uploaded", len(scanned), len(data))
			}
			out, err := e.getAttachment(cust.Token, up.ID)
			stored := filepath.Join(dataDir, "attachments", "files", up.ID)
			_, statErr := os.Stat(stored)
			if c.want == "APPROVED" {
				if err != nil {
					t.Fatalf("GetAttachment of an approved attachment: %v", err)
				}
				if _, got := download(t, awsv1.StringValue(out.Url)); !bytes.Equal(got, data) {
					t.Errorf("download after approval: %d bytes", len(got))
				}
			} else {
				wantCode(t, err, "AccessDeniedException", 403)
				if statErr == nil {
					t.Errorf("the bytes of a rejected attachment are still stored")
				}
			}
		})
	}
	// The transcript shows each attachment once, with its final status.
	var statuses []string
	for _, it := range e.transcript(cust.Token) {
		if awsv1.StringValue(it.Type) == "ATTACHMENT" {
			statuses = append(statuses, awsv1.StringValue(it.Attachments[0].AttachmentName)+"="+
				awsv1.StringValue(it.Attachments[0].Status))
		}
	}
	if got, want := strings.Join(statuses, " "), "clean.png=APPROVED eicar.png=REJECTED flaky.png=APPROVED down.png=REJECTED"; got != want {
		t.Errorf("transcript attachments = %s, want %s", got, want)
	}
}

// TestAttachmentScanCommand: a scan command gets the file on stdin and decides by its exit status.
func TestAttachmentScanCommand(t *testing.T) {
	e := newEnv(t, func(c *server.Config) {
		c.Attachments.ScanCommand = []string{"sh", "-c", `if grep -q EICAR-TEST; then exit 1; fi; test "$PARLEY_ATTACHMENT_SIZE" -gt 0`}
	})
	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	cs := dial(t, cust.URL)
	for name, want := range map[string]string{"ok.txt": "APPROVED", "virus.txt": "REJECTED"} {
		content := "hello"
		if name == "virus.txt" {
			content = "X5O EICAR-TEST file"
		}
		e.sendFile(cust.Token, name, "text/plain", []byte(content))
		if it := cs.nextAttachment(); it.Attachments[0].Status != "IN_PROGRESS" {
			t.Fatalf("%s: first status %s", name, it.Attachments[0].Status)
		}
		if it := cs.nextAttachment(); it.Attachments[0].Status != want || it.Attachments[0].AttachmentName != name {
			t.Fatalf("%s: decided %+v, want %s", name, it.Attachments, want)
		}
	}
}

// TestAttachmentOrphans: an upload that is never completed is deleted after OrphanAfter (fake clock), and its
// URL expires.
func TestAttachmentOrphans(t *testing.T) {
	clk := &fakeClock{t: time.Now()}
	dataDir := t.TempDir()
	e := newEnv(t, func(c *server.Config) {
		c.DataDir, c.Clock = dataDir, clk
		c.Chat.TimerInterval = time.Hour
		c.Attachments.SweepInterval = time.Hour
	})
	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	orphan := e.startUpload(cust.Token, "orphan.txt", "text/plain", 3)
	put(t, orphan.URL, orphan.Headers, strings.NewReader("abc"), 3)
	late := e.startUpload(cust.Token, "late.txt", "text/plain", 3)
	done := e.sendFile(cust.Token, "done.txt", "text/plain", []byte("xyz"))

	clk.add(6 * time.Minute)
	if status, _ := put(t, late.URL, late.Headers, strings.NewReader("abc"), 3); status != 403 {
		t.Errorf("PUT after the URL expired: %d, want 403", status)
	}
	att := e.srv.Attachments()
	if n, err := att.Sweep(ctx(t)); err != nil || n != 0 {
		t.Fatalf("Sweep before OrphanAfter = %d, %v; want 0", n, err)
	}
	clk.add(time.Hour)
	if n, err := att.Sweep(ctx(t)); err != nil || n != 2 {
		t.Fatalf("Sweep after OrphanAfter = %d, %v; want 2", n, err)
	}
	wantCode(t, e.complete(cust.Token, orphan.ID), "ValidationException", 400)
	if _, err := os.Stat(filepath.Join(dataDir, "attachments", "uploads", orphan.ID)); !os.IsNotExist(err) {
		t.Errorf("orphaned upload still stored: %v", err)
	}
	if _, err := e.getAttachment(cust.Token, done.ID); err != nil {
		t.Errorf("a completed attachment was swept: %v", err)
	}
}

// TestAttachmentsS3: with the S3 backend, clients upload and download with URLs presigned by the SDK for the
// bucket (an in-process S3-compatible fake here), and parley never sees the bytes.
func TestAttachmentsS3(t *testing.T) {
	backend := s3mem.New()
	fake := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(fake.Close)
	if err := backend.CreateBucket("chat-files"); err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	e := newEnv(t, func(c *server.Config) {
		c.DataDir = dataDir
		c.Attachments.S3 = s3.Config{Bucket: "chat-files", Prefix: "parley/", Endpoint: fake.URL, PathStyle: true,
			AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"}
	})
	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	cs := dial(t, cust.URL)

	data := pattern(1 << 20)
	up := e.startUpload(cust.Token, "screenshot.png", "image/png", int64(len(data)))
	if !strings.HasPrefix(up.URL, fake.URL+"/chat-files/parley/uploads/"+up.ID+"?") || !strings.Contains(up.URL, "X-Amz-Signature=") {
		t.Errorf("upload URL %s is not presigned for the bucket", up.URL)
	}
	if up.Headers["Content-Type"] != "image/png" {
		t.Errorf("HeadersToInclude = %v", up.Headers)
	}
	wantCode(t, e.complete(cust.Token, up.ID), "ConflictException", 409)
	if status, body := put(t, up.URL, up.Headers, bytes.NewReader(data), int64(len(data))); status != 200 {
		t.Fatalf("PUT to the bucket: %d %s", status, body)
	}
	if err := e.complete(cust.Token, up.ID); err != nil {
		t.Fatalf("CompleteAttachmentUpload: %v", err)
	}
	if it := cs.nextAttachment(); it.Attachments[0].Status != "APPROVED" || it.Attachments[0].AttachmentID != up.ID {
		t.Fatalf("item %+v", it)
	}
	out, err := e.getAttachment(cust.Token, up.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(awsv1.StringValue(out.Url), fake.URL+"/chat-files/parley/files/"+up.ID+"?") {
		t.Errorf("download URL %s is not presigned for the bucket", awsv1.StringValue(out.Url))
	}
	resp, got := download(t, awsv1.StringValue(out.Url))
	if resp.StatusCode != 200 || !bytes.Equal(got, data) {
		t.Fatalf("download from the bucket: %s, %d bytes", resp.Status, len(got))
	}
	if _, err := os.Stat(filepath.Join(dataDir, "attachments")); !os.IsNotExist(err) {
		t.Errorf("with S3, files were kept in the data dir too: %v", err)
	}
}

// attachmentURLRE matches parley's own upload and download URLs, whose port, expiry and signature change from run
// to run.
var attachmentURLRE = regexp.MustCompile(`^http://127\.0\.0\.1:\d+(/attachments/(?:upload|download)/)[0-9a-f-]{36}\?(.*)$`)

// maskAttachmentURLs masks the URLs in a response before the golden comparison.
func maskAttachmentURLs(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, vv := range x {
			x[k] = maskAttachmentURLs(vv)
		}
	case string:
		if m := attachmentURLRE.FindStringSubmatch(x); m != nil {
			q, _ := url.ParseQuery(m[2])
			for k := range q {
				q.Set(k, "<"+k+">")
			}
			return "http://127.0.0.1:<port>" + m[1] + "<uuid>?" + q.Encode()
		}
	}
	return v
}

// TestGoldenAttachments records the attachment operations' responses and the ATTACHMENT item frame (see
// TestGolden; run with -update to accept a deliberate change).
func TestGoldenAttachments(t *testing.T) {
	e := newEnv(t)
	g := &golden{t: t, base: e.srv.URL}
	ch := e.startChat()
	conn := e.connect(ch.ParticipantToken)
	ws, _, err := websocket.DefaultDialer.Dial(conn.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}`)); err != nil {
		t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, _, err := ws.ReadMessage(); err != nil {
		t.Fatal(err)
	}

	record := func(name string, resp map[string]any) {
		t.Helper()
		g.compare(name, map[string]any{"status": 200, "body": maskAttachmentURLs(resp)})
	}
	start := g.call("", "POST", "/participant/start-attachment-upload", conn.Token,
		`{"AttachmentName":"invoice.pdf","ContentType":"application/pdf","AttachmentSizeInBytes":5,"ClientToken":"g-1"}`)
	id := start["AttachmentId"].(string)
	uploadURL := start["UploadMetadata"].(map[string]any)["Url"].(string)
	record("StartAttachmentUpload", start) // masks start in place
	g.call("error-CompleteBeforeUpload", "POST", "/participant/complete-attachment-upload", conn.Token,
		fmt.Sprintf(`{"AttachmentIds":[%q],"ClientToken":"g-2"}`, id))
	if status, body := put(t, uploadURL, map[string]string{"Content-Type": "application/pdf"},
		strings.NewReader("%PDF-"), 5); status != 200 {
		t.Fatalf("PUT: %d %s", status, body)
	}
	g.call("CompleteAttachmentUpload", "POST", "/participant/complete-attachment-upload", conn.Token,
		fmt.Sprintf(`{"AttachmentIds":[%q],"ClientToken":"g-2"}`, id))
	g.frame(ws, "ws-attachment", "")
	record("GetAttachment", g.call("", "POST", "/participant/attachment", conn.Token, fmt.Sprintf(`{"AttachmentId":%q}`, id)))
	g.call("error-AttachmentIds", "POST", "/participant/complete-attachment-upload", conn.Token,
		fmt.Sprintf(`{"AttachmentIds":[%q,%q],"ClientToken":"g-3"}`, id, id))
}
