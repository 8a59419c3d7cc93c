package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestRealIP: behind a trusted proxy the client is the right-most untrusted X-Forwarded-For hop; a client's own
// X-Forwarded-For, or one from an untrusted peer, is not believed.
func TestRealIP(t *testing.T) {
	trusted, err := parseProxies([]string{"10.0.0.0/8", "192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	var got string
	h := realIP(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = r.RemoteAddr }), trusted)
	for _, c := range []struct {
		peer string
		xff  []string
		want string
	}{
		{"10.1.2.3:5000", []string{"203.0.113.9"}, "203.0.113.9:5000"},
		{"10.1.2.3:5000", []string{"1.1.1.1, 203.0.113.9, 10.9.9.9"}, "203.0.113.9:5000"}, // the client wrote 1.1.1.1
		{"10.1.2.3:5000", []string{"1.1.1.1", "203.0.113.9"}, "203.0.113.9:5000"},
		{"192.0.2.7:80", []string{"2001:db8::1"}, "[2001:db8::1]:80"},
		{"198.51.100.1:5000", []string{"203.0.113.9"}, "198.51.100.1:5000"}, // not a trusted peer
		{"10.1.2.3:5000", nil, "10.1.2.3:5000"},
		{"10.1.2.3:5000", []string{"garbage, 10.0.0.2"}, "10.1.2.3:5000"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = c.peer
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		if got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: client %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
	if _, err := parseProxies([]string{"not-an-ip"}); err == nil {
		t.Error("a bad entry was accepted")
	}
}
