// Package scanner holds the attachment scanners parley ships: Webhook asks an HTTP endpoint in Amazon Connect's
// scanner format, Command runs a program (clamdscan, say) with the file on its standard input. They implement
// chat.Scanner; the chat core only knows that interface, so it never does network or process I/O itself.
//
// Scanners are safe for concurrent use: the chat core runs several scans at once.
package scanner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/chat"
)

var (
	_ chat.Scanner = (*Webhook)(nil)
	_ chat.Scanner = (*Command)(nil)
)

// Webhook asks an HTTP endpoint. It POSTs JSON shaped like Amazon Connect's scanner request
// ({"Version":"1.0","InstanceId":…,"File":{"FileId","FileCreationTime","FileName","FileSizeInBytes",
// "ContentType","FileLocation":{"Url":…}},"ContactId","InitialContactId","ParticipantId"}) and expects a 2xx
// answer {"Status":"APPROVED"} or {"Status":"REJECTED"}. Any other answer is an error (the scan is retried).
type Webhook struct {
	URL string
	// Client defaults to http.DefaultClient; each attempt is bounded by AttachmentConfig.ScanTimeout.
	Client *http.Client
}

// Request is the JSON body a Webhook sends.
type Request struct {
	Version          string   `json:"Version"`
	InstanceID       string   `json:"InstanceId"`
	File             FileJSON `json:"File"`
	ContactID        string   `json:"ContactId"`
	InitialContactID string   `json:"InitialContactId"`
	ParticipantID    string   `json:"ParticipantId"`
}

// FileJSON describes the file in a Request.
type FileJSON struct {
	FileID           string `json:"FileId"`
	FileCreationTime int64  `json:"FileCreationTime"` // unix milliseconds
	FileName         string `json:"FileName"`
	FileSizeInBytes  int64  `json:"FileSizeInBytes"`
	ContentType      string `json:"ContentType"`
	FileLocation     struct {
		URL string `json:"Url"`
	} `json:"FileLocation"`
}

// Scan implements chat.Scanner.
func (w *Webhook) Scan(ctx context.Context, f chat.ScanFile) (bool, error) {
	req := Request{Version: "1.0", InstanceID: f.InstanceID, ContactID: f.ContactID,
		InitialContactID: f.ChainID, ParticipantID: f.ParticipantID,
		File: FileJSON{FileID: f.ID, FileCreationTime: f.CreatedAt.UnixMilli(), FileName: f.Name,
			FileSizeInBytes: f.Size, ContentType: f.ContentType}}
	req.File.FileLocation.URL = f.URL
	body, err := json.Marshal(req)
	if err != nil {
		return false, err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	hr.Header.Set("Content-Type", "application/json")
	client := w.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(hr)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return false, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return false, fmt.Errorf("scanner answered %s", resp.Status)
	}
	var out struct{ Status string }
	if err := json.Unmarshal(b, &out); err != nil {
		return false, fmt.Errorf("scanner answer is not JSON: %w", err)
	}
	switch strings.ToUpper(out.Status) {
	case parley.AttachmentApproved:
		return true, nil
	case parley.AttachmentRejected:
		return false, nil
	}
	return false, fmt.Errorf("scanner answered Status %q, want APPROVED or REJECTED", out.Status)
}

// Command runs a command for each attachment, with the file on its standard input and its description in
// the environment (PARLEY_ATTACHMENT_ID, PARLEY_ATTACHMENT_NAME, PARLEY_ATTACHMENT_CONTENT_TYPE,
// PARLEY_ATTACHMENT_SIZE, PARLEY_CONTACT_ID). Exit status 0 approves, 1 rejects, anything else is an error; that
// is how `clamdscan -` and `clamscan -` answer.
type Command struct {
	// Args is the command and its arguments, run without a shell.
	Args []string
}

// Scan implements chat.Scanner.
func (c *Command) Scan(ctx context.Context, f chat.ScanFile) (bool, error) {
	if len(c.Args) == 0 {
		return false, errors.New("no scan command configured")
	}
	rc, err := f.Open(ctx)
	if err != nil {
		return false, err
	}
	defer rc.Close()
	cmd := exec.CommandContext(ctx, c.Args[0], c.Args[1:]...)
	cmd.Stdin = rc
	cmd.Env = append(os.Environ(),
		"PARLEY_ATTACHMENT_ID="+f.ID,
		"PARLEY_ATTACHMENT_NAME="+f.Name,
		"PARLEY_ATTACHMENT_CONTENT_TYPE="+f.ContentType,
		"PARLEY_ATTACHMENT_SIZE="+strconv.FormatInt(f.Size, 10),
		"PARLEY_CONTACT_ID="+f.ContactID,
	)
	var out limitedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		return false, nil
	}
	return false, fmt.Errorf("scan command: %w: %s", err, strings.TrimSpace(out.String()))
}

// limitedBuffer keeps the first 4 KB written to it, for error messages.
type limitedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := 4096 - l.buf.Len(); room > 0 {
		l.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
