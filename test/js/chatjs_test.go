// Package js_test runs the unmodified amazon-connect-chatjs and the AWS SDK for JavaScript v3 under Node against an
// in-process parley server: chatjs.test.js (a whole chat) and views.test.js (a ShowView form) are the tests, the Go
// tests start the server and run `node --test`.
//
// It needs node and test/js/node_modules (scripts/test.sh installs them with npm ci); without them it skips.
package js_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/testserver"
)

// nodeTimeout bounds the whole node run; every wait inside the JS test has its own, much shorter, deadline.
const nodeTimeout = 120 * time.Second

func TestChatJS(t *testing.T) {
	node, dir := nodeAndModules(t)
	srv := testserver.Start(t)
	control := startControl(t, srv)
	runNode(t, node, dir, "chatjs.test.js",
		"PARLEY_ENDPOINT="+srv.URL,
		"PARLEY_REGION="+srv.Region,
		"PARLEY_INSTANCE_ID="+srv.InstanceID,
		"PARLEY_FLOW_ID="+srv.ContactFlowID,
		"PARLEY_CONTROL_URL="+control)
}

// nodeAndModules returns node's path and this directory, or skips the test when node or node_modules is missing.
func nodeAndModules(t *testing.T) (node, dir string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found on PATH: install Node.js >= 20 (scripts/test.sh expects it preinstalled)")
	}
	dir, err = filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "amazon-connect-chatjs")); err != nil {
		t.Skip("node_modules missing: run scripts/test.sh or npm ci in test/js")
	}
	return node, dir
}

// runNode runs `node --test file` in dir with env added to the environment, logging its output, and fails the
// test when node fails or does not finish within nodeTimeout.
func runNode(t *testing.T, node, dir, file string, env ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), nodeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "--test-force-exit", "--test-reporter=spec", file)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), env...),
		// The SDK must not pick up a developer's real AWS configuration.
		"AWS_CONFIG_FILE="+os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
		"NO_COLOR=1",
		"AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true",
	)
	killGroupOnCancel(cmd)
	cmd.WaitDelay = 5 * time.Second
	out := &lineLogger{t: t}
	cmd.Stdout = out
	cmd.Stderr = out
	err := cmd.Run()
	out.flush()
	if ctx.Err() != nil {
		t.Fatalf("node --test %s did not finish within %v (killed)", file, nodeTimeout)
	}
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("node --test %s failed (exit code %d); see the output above", file, exit.ExitCode())
		}
		t.Fatalf("node --test %s: %v", file, err)
	}
}

// startControl serves the endpoints the JS test uses to act on the server (POST /drop-sockets) and returns its URL.
func startControl(t *testing.T, srv *testserver.Server) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /drop-sockets", func(w http.ResponseWriter, r *http.Request) {
		t.Log("control: dropping every WebSocket")
		srv.DropSockets()
		w.WriteHeader(http.StatusNoContent)
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
			t.Errorf("control server: %v", err)
		}
	}()
	t.Cleanup(func() {
		hs.Close()
		<-done
	})
	return "http://" + ln.Addr().String()
}

// lineLogger passes node's output to t.Log line by line as it arrives.
type lineLogger struct {
	t   *testing.T
	mu  sync.Mutex
	buf []byte
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		l.t.Log(string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
	return len(p), nil
}

func (l *lineLogger) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.t.Log(string(l.buf))
		l.buf = nil
	}
}
