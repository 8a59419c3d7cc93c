package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/parley-chat/parley/server"
)

// devCall makes a request with the given Host and Origin (empty: none) and returns the status, the CORS grant
// and the body.
func devCall(t *testing.T, method, url, host, origin string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(`{"Username":"x","Password":"y"}`))
	if host != "" {
		req.Host = host
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
		if method == http.MethodOptions {
			req.Header.Set("Access-Control-Request-Method", "GET")
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"), string(b)
}

// TestDevModeStaysLocal: without access keys, a page of another site gets no CORS grant and its requests are
// refused, and so is a request naming the server by another host (DNS rebinding), on the Connect API and the
// agent API; loopback hosts and pages work; the Participant API still serves any origin (ChatJS on customers'
// pages).
func TestDevModeStaysLocal(t *testing.T) {
	e := newEnv(t)
	base := e.srv.URL
	for _, c := range []struct {
		name, method, path, host, origin string
		status                           int
		grant                            bool
	}{
		{"a foreign page on the Connect API", "GET", "/instance", "", "https://evil.example", 403, false},
		{"its preflight", "OPTIONS", "/instance", "", "https://evil.example", 403, false},
		{"a foreign page on the agent API", "POST", "/agent/v1/login", "", "https://evil.example", 403, false},
		{"DNS rebinding (a foreign Host)", "GET", "/instance", "evil.example:8080", "", 403, false},
		{"DNS rebinding, same-origin page", "GET", "/instance", "evil.example:8080", "http://evil.example:8080", 403, false},
		{"an opaque origin", "GET", "/instance", "", "null", 403, false},
		{"localhost", "GET", "/instance", "localhost", "", 200, false},
		{"a loopback page", "GET", "/instance", "", "http://localhost:3000", 200, true},
		{"a loopback page, [::1]", "GET", "/instance", "[::1]:8080", "http://[::1]:3000", 200, true},
		{"the Participant API from any page", "OPTIONS", "/participant/connection", "", "https://shop.example.com", 204, true},
	} {
		status, grant, body := devCall(t, c.method, base+c.path, c.host, c.origin)
		if status != c.status || (grant != "") != c.grant {
			t.Errorf("%s: %d, CORS grant %q; want %d, grant %v (%s)", c.name, status, grant, c.status, c.grant, body)
		}
		if status == 403 && c.status == 403 && !strings.Contains(body, "AccessDeniedException") {
			t.Errorf("%s: body %s", c.name, body)
		}
	}
}

// TestKeysLiftDevGuard: with access keys the server may face the network: Host and Origin are not checked
// (SigV4 is the gate).
func TestKeysLiftDevGuard(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.AccessKeys = map[string]string{"AKIDPARLEYTEST": "secret"} })
	status, _, body := devCall(t, "GET", e.srv.URL+"/instance", "chat.example.com", "https://console.example.com")
	if strings.Contains(body, "development server") {
		t.Errorf("with access keys the dev guard answered: %d %s", status, body)
	}
}
