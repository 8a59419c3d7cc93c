package functions_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/flow"
	"github.com/parley-chat/parley/functions"
)

// The chat core's flows call functions through an Invoker.
var _ chat.Functions = (*functions.Invoker)(nil)

var update = flag.Bool("update", false, "rewrite the golden files")

const arn = "arn:aws:lambda:us-east-1:123456789012:function:state-lookup"

// contact is a chat contact as the chat core describes it.
var contact = flow.Contact{
	ContactID: "5ca32fbd-8f92-46af-92a5-6b0f970f0efe", Channel: "CHAT", InitiationMethod: "API",
	InstanceARN:       "arn:aws:connect:us-west-2:000000000000:instance/7f4e6a2c-0000-4000-8000-000000000001",
	Attributes:        map[string]string{"customerName": "Jane"},
	SegmentAttributes: map[string]string{"connect:Subtype": "connect:Chat"},
}

// function serves a fake Lambda function; answer writes its reply, and every request body is kept.
type function struct {
	mu     sync.Mutex
	bodies [][]byte
	answer func(w http.ResponseWriter)
}

func (f *function) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.bodies = append(f.bodies, b)
	f.mu.Unlock()
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "want a JSON POST", http.StatusBadRequest)
		return
	}
	f.answer(w)
}

func (f *function) requests() [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bodies
}

// serve starts a function answering with status and body, and an Invoker that maps arn to it.
func serve(t *testing.T, answer func(w http.ResponseWriter)) (*functions.Invoker, *function) {
	t.Helper()
	fn := &function{answer: answer}
	srv := httptest.NewServer(fn)
	t.Cleanup(srv.Close)
	iv := &functions.Invoker{URLs: map[string]string{arn: srv.URL + "/2015-03-31/functions/function/invocations"}}
	t.Cleanup(func() { _ = iv.Close() })
	return iv, fn
}

func reply(status int, body string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func invocation(responseType string) flow.Invocation {
	return flow.Invocation{FunctionARN: arn, Parameters: map[string]string{"areaCode": "206"},
		Timeout: 3 * time.Second, ResponseType: responseType}
}

// TestEvent: the request body is the event Connect sends for a chat contact, member for member (golden file).
func TestEvent(t *testing.T) {
	iv, fn := serve(t, reply(200, `{"Fact":"Octopuses have three hearts."}`))
	if _, err := iv.Invoke(t.Context(), invocation("STRING_MAP"), contact); err != nil {
		t.Fatal(err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, fn.requests()[0], "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	golden := filepath.Join("testdata", "chat-event.json")
	if *update {
		if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := pretty.String(); got != string(want) {
		t.Errorf("event:\n%s\nwant (%s):\n%s", got, golden, want)
	}
}

// TestEventQueueAndEndpoints: a working queue, endpoints and contact data appear when the contact has them.
func TestEventQueueAndEndpoints(t *testing.T) {
	c := contact
	c.Queue = flow.Queue{ID: "q1", ARN: "arn:aws:connect:us-west-2:000000000000:instance/i/queue/q1", Name: "BasicQueue"}
	c.CustomerEndpoint = flow.Endpoint{Address: "Jane", Type: "CONNECT_CHAT"}
	c.PreviousContactID, c.LanguageCode = "prev-1", "en-US"
	b, err := json.Marshal(functions.NewEvent(nil, c))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"Queue":{"ARN":"arn:aws:connect:us-west-2:000000000000:instance/i/queue/q1","Name":"BasicQueue","OutboundCallerId":null}`,
		`"CustomerEndpoint":{"Address":"Jane","Type":"CONNECT_CHAT"}`,
		`"PreviousContactId":"prev-1"`, `"LanguageCode":"en-US"`, `"Parameters":{}`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("event %s\nlacks %s", b, want)
		}
	}
}

func TestAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, responseType string
		status             int
		body               string
		want               map[string]any
		wantErr            string
	}{
		{"flat", "STRING_MAP", 200, `{"Fact":"Octopuses have three hearts.","State":"WA"}`,
			map[string]any{"Fact": "Octopuses have three hearts.", "State": "WA"}, ""},
		{"numbers, booleans and null become strings", "", 200, `{"n":12345678901234567890,"f":1.5,"ok":true,"none":null}`,
			map[string]any{"n": "12345678901234567890", "f": "1.5", "ok": "true", "none": ""}, ""},
		{"the default response type is STRING_MAP", "", 200, `{"a":"b"}`, map[string]any{"a": "b"}, ""},
		{"nested refused for STRING_MAP", "STRING_MAP", 200, `{"customer":{"name":"Jane"}}`, nil, `"customer" is not a string`},
		{"array refused for STRING_MAP", "STRING_MAP", 200, `{"list":[1,2]}`, nil, `"list" is not a string`},
		{"nested kept for JSON", "JSON", 200, `{"customer":{"name":"Jane","age":41}}`,
			map[string]any{"customer": map[string]any{"name": "Jane", "age": json.Number("41")}}, ""},
		{"empty object", "STRING_MAP", 200, `{}`, map[string]any{}, ""},
		{"failing", "STRING_MAP", 500, `{"errorMessage":"boom"}`, nil, "500"},
		{"not found", "STRING_MAP", 404, `not here`, nil, "404"},
		{"malformed", "STRING_MAP", 200, `{"Fact":`, nil, "not a JSON object"},
		{"not JSON", "STRING_MAP", 200, `<html>hello</html>`, nil, "not a JSON object"},
		{"an array", "JSON", 200, `[{"a":"b"}]`, nil, "not a JSON object"},
		{"a string", "JSON", 200, `"hello"`, nil, "not a JSON object"},
		{"null", "JSON", 200, `null`, nil, "not a JSON object"},
		{"two objects", "JSON", 200, `{"a":"b"}{"c":"d"}`, nil, "not a single JSON object"},
		{"oversized", "STRING_MAP", 200, `{"big":"` + strings.Repeat("x", functions.MaxResponse) + `"}`, nil, "over 32768 bytes"},
		{"just under the limit", "STRING_MAP", 200, `{"big":"` + strings.Repeat("x", functions.MaxResponse-10) + `"}`,
			map[string]any{"big": strings.Repeat("x", functions.MaxResponse-10)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			iv, _ := serve(t, reply(tc.status, tc.body))
			got, err := iv.Invoke(t.Context(), invocation(tc.responseType), contact)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(tc.want)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("answer = %s, want %s", gotJSON, wantJSON)
			}
			if tc.responseType != "JSON" {
				for k, v := range got {
					if _, ok := v.(string); !ok {
						t.Errorf("%s = %#v, want a string", k, v)
					}
				}
			}
		})
	}
}

// TestFunctionError: a Lambda-compatible endpoint reports the handler's error with X-Amz-Function-Error and 200.
func TestFunctionError(t *testing.T) {
	iv, _ := serve(t, func(w http.ResponseWriter) {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		_, _ = io.WriteString(w, `{"errorMessage":"boom","errorType":"Error"}`)
	})
	if _, err := iv.Invoke(t.Context(), invocation("JSON"), contact); err == nil || !strings.Contains(err.Error(), "Unhandled") {
		t.Fatalf("err = %v, want the function's error", err)
	}
}

// TestTimeout: a function that does not answer within the invocation's time limit fails the call. The server
// waits until the test lets it go; nothing here measures time.
func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	iv, _ := serve(t, func(w http.ResponseWriter) {
		<-release
		_, _ = io.WriteString(w, `{"late":"yes"}`)
	})
	t.Cleanup(func() { close(release) }) // runs before the server's Close (cleanups run last first)
	inv := invocation("STRING_MAP")
	inv.Timeout = 50 * time.Millisecond
	_, err := iv.Invoke(t.Context(), inv, contact)
	if err == nil || !strings.Contains(err.Error(), "no answer within") {
		t.Fatalf("err = %v, want a timeout", err)
	}
}

func TestUnconfigured(t *testing.T) {
	iv, fn := serve(t, reply(200, `{}`))
	inv := invocation("STRING_MAP")
	inv.FunctionARN = "arn:aws:lambda:us-east-1:123456789012:function:other"
	if iv.Configured(inv.FunctionARN) || !iv.Configured(arn) {
		t.Error("Configured answers wrong")
	}
	if _, err := iv.Invoke(t.Context(), inv, contact); !errors.Is(err, functions.ErrNotConfigured) {
		t.Fatalf("err = %v, want ErrNotConfigured", err)
	}
	if n := len(fn.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// TestRedirectNotFollowed: a redirect is an answer that is not 2xx (following it would drop the POST's body).
func TestRedirectNotFollowed(t *testing.T) {
	iv, _ := serve(t, func(w http.ResponseWriter) {
		w.Header().Set("Location", "/elsewhere")
		w.WriteHeader(http.StatusFound)
	})
	if _, err := iv.Invoke(t.Context(), invocation("STRING_MAP"), contact); err == nil || !strings.Contains(err.Error(), "302") {
		t.Fatalf("err = %v, want a 302 refused", err)
	}
}

// TestAsync: an asynchronous invocation returns at once; the request is made on the Invoker's goroutine, which
// Close waits for; more than MaxAsync in flight are refused, and so is any after Close.
func TestAsync(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 4)
	fn := &function{answer: func(w http.ResponseWriter) {
		arrived <- struct{}{}
		<-release
		_, _ = io.WriteString(w, `{"ignored":{"nested":true}}`)
	}}
	srv := httptest.NewServer(fn)
	defer srv.Close()
	iv := &functions.Invoker{URLs: map[string]string{arn: srv.URL}, MaxAsync: 1}
	inv := invocation("STRING_MAP")
	inv.Async = true
	ctx, cancel := context.WithCancel(t.Context())
	got, err := iv.Invoke(ctx, inv, contact)
	cancel() // the flow's step is over; the request goes on
	if err != nil || got != nil {
		t.Fatalf("Invoke = %v, %v; want nil, nil", got, err)
	}
	<-arrived
	if _, err := iv.Invoke(t.Context(), inv, contact); !errors.Is(err, functions.ErrBusy) {
		t.Errorf("second call in flight: err = %v, want ErrBusy", err)
	}
	closed := make(chan error)
	go func() { closed <- iv.Close() }()
	close(release)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if n := len(fn.requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	if _, err := iv.Invoke(t.Context(), inv, contact); !errors.Is(err, functions.ErrClosed) {
		t.Errorf("after Close: err = %v, want ErrClosed", err)
	}
}
