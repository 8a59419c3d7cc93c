package scanner

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/chat"
)

func scanFile(content string) chat.ScanFile {
	f := &parley.File{ID: "f-1", InstanceID: "i-1", ContactID: "c-1", ChainID: "c-0", ParticipantID: "p-1",
		Name: "x.txt", ContentType: "text/plain", Size: int64(len(content)), CreatedAt: time.UnixMilli(1714557600123)}
	return chat.ScanFile{File: f, URL: "http://files.example/f-1",
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(content)), nil }}
}

func TestWebhook(t *testing.T) {
	var got Request
	answer := ""
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			t.Errorf("scan request: %v", err)
		}
		if answer == "500" {
			http.Error(w, "down", 500)
			return
		}
		io.WriteString(w, answer)
	}))
	defer hs.Close()
	w := &Webhook{URL: hs.URL}
	for _, c := range []struct {
		answer   string
		approved bool
		err      bool
	}{
		{`{"Status":"APPROVED"}`, true, false},
		{`{"Status":"REJECTED"}`, false, false},
		{`{"Status":"MAYBE"}`, false, true},
		{`not json`, false, true},
		{"500", false, true},
	} {
		answer = c.answer
		approved, err := w.Scan(t.Context(), scanFile("hello"))
		if approved != c.approved || (err != nil) != c.err {
			t.Errorf("answer %s: approved %v, err %v", c.answer, approved, err)
		}
	}
	want := Request{Version: "1.0", InstanceID: "i-1", ContactID: "c-1", InitialContactID: "c-0", ParticipantID: "p-1",
		File: FileJSON{FileID: "f-1", FileCreationTime: 1714557600123, FileName: "x.txt", FileSizeInBytes: 5, ContentType: "text/plain"}}
	want.File.FileLocation.URL = "http://files.example/f-1"
	if got != want {
		t.Errorf("scan request = %+v, want %+v", got, want)
	}
}

func TestCommand(t *testing.T) {
	c := &Command{Args: []string{"sh", "-c", `test "$PARLEY_ATTACHMENT_NAME" = x.txt || exit 3; ` +
		`case "$(cat)" in *virus*) exit 1;; *broken*) exit 2;; esac`}}
	for content, want := range map[string]string{"clean": "approved", "a virus": "rejected", "broken": "error"} {
		approved, err := c.Scan(t.Context(), scanFile(content))
		got := "rejected"
		if err != nil {
			got = "error"
		} else if approved {
			got = "approved"
		}
		if got != want {
			t.Errorf("%q: %s (%v), want %s", content, got, err, want)
		}
	}
	if _, err := (&Command{}).Scan(t.Context(), scanFile("x")); err == nil {
		t.Error("an empty command approved or rejected")
	}
}
