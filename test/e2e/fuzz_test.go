package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/testserver"
)

// FuzzParticipantAPI sends arbitrary bodies to every Participant Service operation of a live chat: whatever
// arrives, the answer is never a server error, always JSON in the AWS error shape when it is an error, and the
// server keeps serving. (Run with -fuzz=FuzzParticipantAPI; the seeds run in every test run.)
func FuzzParticipantAPI(f *testing.F) {
	for _, s := range []string{
		`{}`, ``, `{"ContentType":"text/plain","Content":"hi"}`, `{"ContentType":"text/plain","Content":""}`,
		`{"Type":["WEBSOCKET"]}`, `{"Type":[]}`, `{"Type":"WEBSOCKET"}`, `{"MaxResults":-1}`,
		`{"StartPosition":{"Id":"x","MostRecent":3}}`, `{"NextToken":"F1.AAAA"}`, `{"ContentType":null}`,
		`{"ContentType":"application/vnd.amazonaws.connect.event.message.read","Content":"{\"messageId\":{}}"}`,
		"{\"Content\":\"\xff\xfe\"}", `{"a":` + strings.Repeat("[", 10000), `[]`, `"x"`, `null`, `{"ClientToken":7}`,
	} {
		for op := range 5 {
			f.Add(uint8(op), s)
		}
	}
	srv := testserver.Start(f)
	e := &env{srv: srv, cc: connectClient(srv), pc: participantClient(srv.URL, srv.Region)}
	paths := []string{"/participant/connection", "/participant/message", "/participant/event", "/participant/transcript",
		"/participant/disconnect"}
	var ptoken, ctoken string
	f.Fuzz(func(t *testing.T, op uint8, body string) {
		if ptoken == "" { // the first input starts the chat whose tokens every input uses
			e.t = t
			ch := e.startChat()
			ptoken, ctoken = ch.ParticipantToken, e.connect(ch.ParticipantToken).Token
		}
		path := paths[int(op)%len(paths)]
		if strings.HasSuffix(path, "/disconnect") {
			return // would end the chat the other inputs use
		}
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if path == paths[0] {
			req.Header.Set("X-Amz-Bearer", ptoken)
		} else {
			req.Header.Set("X-Amz-Bearer", ctoken)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %q: %d %s", path, body, resp.StatusCode, b)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s %q: answer is not a JSON object: %q", path, body, b)
		}
		if resp.StatusCode != 200 && (m["__type"] == nil || resp.Header.Get("X-Amzn-Errortype") == "") {
			t.Fatalf("%s %q: error %d without its type: %s", path, body, resp.StatusCode, b)
		}
	})
}
