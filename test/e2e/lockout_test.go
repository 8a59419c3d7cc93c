package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/parley-chat/parley/wire"
)

// TestLoginLockout: wrong passwords are refused, and past five in a row the agent's login answers 429
// ThrottlingException with Retry-After, even for the right password, until the wait is over.
func TestLoginLockout(t *testing.T) {
	e := newEnv(t)
	user, password, _ := e.srv.DemoAgent()
	login := func(pw string) (int, string, string) {
		b, _ := json.Marshal(wire.LoginRequest{Username: user, Password: pw})
		resp, err := http.Post(e.srv.URL+"/agent/v1/login", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), resp.Header.Get("Retry-After")
	}
	for i := range 6 {
		if code, typ, _ := login("wrong"); code != 401 || typ != "UnauthorizedException" {
			t.Fatalf("wrong password %d: %d %s", i+1, code, typ)
		}
	}
	code, typ, after := login(password)
	if n, _ := strconv.Atoi(after); code != 429 || typ != "ThrottlingException" || n < 1 {
		t.Errorf("after six failures: %d %s Retry-After %q, want 429 ThrottlingException with Retry-After", code, typ, after)
	}
}
