package js_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ctypes "github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/parley-chat/parley/internal/testserver"
)

// chromiumPath is Debian's chromium, which scripts/test.sh installs; playwright-core drives it.
const chromiumPath = "/usr/bin/chromium"

// attachmentPage loads ChatJS; attachments.browser.js drives it.
const attachmentPage = `<!doctype html>
<html><head><meta charset="utf-8"><title>parley attachments</title>
<script src="/amazon-connect-chat.js"></script></head>
<body>ChatJS attachment test page</body></html>`

// TestChatJSAttachmentsInChromium runs the unmodified ChatJS sendAttachment and downloadAttachment in headless
// Chromium against a parley server. The page is served from another origin (another port) than parley, so the
// browser enforces CORS on every call, the upload PUT and the download GET included.
func TestChatJSAttachmentsInChromium(t *testing.T) {
	node, dir := browserPrereqs(t)
	chatjs := filepath.Join(dir, "node_modules", "amazon-connect-chatjs", "dist", "amazon-connect-chat.js")
	if _, err := os.Stat(chatjs); err != nil {
		t.Skipf("%s missing: run scripts/test.sh or npm ci in test/js", chatjs)
	}

	srv := testserver.Start(t)
	cc := connect.NewFromConfig(aws.Config{Region: srv.Region, Credentials: aws.AnonymousCredentials{}},
		func(o *connect.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	ctx, cancel := context.WithTimeout(context.Background(), nodeTimeout)
	defer cancel()
	start, err := cc.StartChatContact(ctx, &connect.StartChatContactInput{InstanceId: aws.String(srv.InstanceID),
		ContactFlowId:      aws.String(srv.ContactFlowID),
		ParticipantDetails: &ctypes.ParticipantDetails{DisplayName: aws.String("Browser customer")}})
	if err != nil {
		t.Fatalf("StartChatContact: %v", err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(attachmentPage))
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /amazon-connect-chat.js", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, chatjs)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("page server: %v", err)
		}
	}()
	t.Cleanup(func() {
		hs.Close()
		<-done
	})

	runBrowser(t, ctx, node, dir, "attachments.browser.js",
		"PAGE_URL=http://"+ln.Addr().String()+"/",
		"PARLEY_ENDPOINT="+srv.URL,
		"PARLEY_REGION="+srv.Region,
		"CONTACT_ID="+aws.ToString(start.ContactId),
		"PARTICIPANT_ID="+aws.ToString(start.ParticipantId),
		"PARTICIPANT_TOKEN="+aws.ToString(start.ParticipantToken))
}
