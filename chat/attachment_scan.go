package chat

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
)

// Scanner decides whether a completed attachment may be shared, before anyone can download it: malware
// scanning, content policies. Scan returns approved true or false; an error means no decision, and the scan is
// tried again (AttachmentConfig.ScanAttempts), then the attachment is REJECTED, as Amazon Connect does.
type Scanner interface {
	Scan(ctx context.Context, f ScanFile) (approved bool, err error)
}

// ScanFile is what a Scanner gets: the attachment's record, a URL that downloads its bytes while the attempt
// lasts, and a function that opens them directly.
type ScanFile struct {
	*parley.File
	URL  string
	Open func(ctx context.Context) (io.ReadCloser, error)
}

// WebhookScanner asks an HTTP endpoint. It POSTs JSON shaped like Amazon Connect's scanner request
// ({"Version":"1.0","InstanceId":…,"File":{"FileId","FileCreationTime","FileName","FileSizeInBytes",
// "ContentType","FileLocation":{"Url":…}},"ContactId","InitialContactId","ParticipantId"}) and expects a 2xx
// answer {"Status":"APPROVED"} or {"Status":"REJECTED"}. Any other answer is an error (the scan is retried).
type WebhookScanner struct {
	URL string
	// Client defaults to http.DefaultClient; each attempt is bounded by AttachmentConfig.ScanTimeout.
	Client *http.Client
}

// ScanRequest is the JSON body a WebhookScanner sends.
type ScanRequest struct {
	Version          string       `json:"Version"`
	InstanceID       string       `json:"InstanceId"`
	File             ScanFileJSON `json:"File"`
	ContactID        string       `json:"ContactId"`
	InitialContactID string       `json:"InitialContactId"`
	ParticipantID    string       `json:"ParticipantId"`
}

// ScanFileJSON describes the file in a ScanRequest.
type ScanFileJSON struct {
	FileID           string `json:"FileId"`
	FileCreationTime int64  `json:"FileCreationTime"` // unix milliseconds
	FileName         string `json:"FileName"`
	FileSizeInBytes  int64  `json:"FileSizeInBytes"`
	ContentType      string `json:"ContentType"`
	FileLocation     struct {
		URL string `json:"Url"`
	} `json:"FileLocation"`
}

// Scan implements Scanner.
func (w *WebhookScanner) Scan(ctx context.Context, f ScanFile) (bool, error) {
	req := ScanRequest{Version: "1.0", InstanceID: f.InstanceID, ContactID: f.ContactID,
		InitialContactID: f.ChainID, ParticipantID: f.ParticipantID,
		File: ScanFileJSON{FileID: f.ID, FileCreationTime: f.CreatedAt.UnixMilli(), FileName: f.Name,
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

// CommandScanner runs a command for each attachment, with the file on its standard input and its description in
// the environment (PARLEY_ATTACHMENT_ID, PARLEY_ATTACHMENT_NAME, PARLEY_ATTACHMENT_CONTENT_TYPE,
// PARLEY_ATTACHMENT_SIZE, PARLEY_CONTACT_ID). Exit status 0 approves, 1 rejects, anything else is an error; that
// is how `clamdscan -` and `clamscan -` answer.
type CommandScanner struct {
	// Args is the command and its arguments, run without a shell.
	Args []string
}

// Scan implements Scanner.
func (c *CommandScanner) Scan(ctx context.Context, f ScanFile) (bool, error) {
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

// dispatchScans starts a scan for each IN_PROGRESS attachment not being scanned, up to ScanWorkers at once.
func (a *Attachments) dispatchScans(ctx context.Context, wg *sync.WaitGroup) {
	if a.cfg.Scanner == nil || ctx.Err() != nil {
		return
	}
	files, err := a.svc.store.ListFiles(ctx, parley.FileQuery{Status: parley.AttachmentInProgress, Limit: 100})
	if err != nil {
		if ctx.Err() == nil {
			a.svc.log.Error("list attachments to scan", "err", err)
		}
		return
	}
	for _, f := range files {
		a.mu.Lock()
		if a.scanning[f.ID] || len(a.scanning) >= a.cfg.ScanWorkers {
			a.mu.Unlock()
			continue
		}
		a.scanning[f.ID] = true
		a.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.scan(ctx, f)
			a.mu.Lock()
			delete(a.scanning, f.ID)
			a.mu.Unlock()
			a.kick() // others may be waiting for a worker
		}()
	}
}

// scan asks the Scanner about f, retrying failures, and records the decision. A scan cut short by shutdown
// records nothing: the attachment stays IN_PROGRESS and is scanned again at the next start.
func (a *Attachments) scan(ctx context.Context, f *parley.File) {
	log := a.svc.log.With("attachment_id", f.ID, "contact_id", f.ContactID)
	approved, err := false, error(nil)
	for attempt := 1; attempt <= a.cfg.ScanAttempts; attempt++ {
		actx, cancel := context.WithTimeout(ctx, a.cfg.ScanTimeout)
		var u string
		u, _, err = a.downloadURL(actx, f, "scan", a.cfg.ScanTimeout+time.Minute)
		if err == nil {
			approved, err = a.cfg.Scanner.Scan(actx, ScanFile{File: f, URL: u,
				Open: func(ctx context.Context) (io.ReadCloser, error) {
					rc, _, err := a.blob.Get(ctx, fileKey(f.ID))
					return rc, err
				}})
		}
		cancel()
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return
		}
		log.Warn("attachment scan failed", "attempt", attempt, "err", err)
		if attempt < a.cfg.ScanAttempts {
			select {
			case <-ctx.Done():
				return
			case <-time.After(a.cfg.ScanRetryDelay):
			}
		}
	}
	status := parley.AttachmentRejected
	if err == nil && approved {
		status = parley.AttachmentApproved
	}
	if err != nil {
		log.Error("attachment scan failed every attempt: rejecting the attachment", "err", err)
	}
	if err := a.decide(ctx, f.ID, status); err != nil && ctx.Err() == nil {
		log.Error("record attachment scan decision", "status", status, "err", err)
	}
}

// decide records a scan decision on an IN_PROGRESS attachment: the file's status, the ATTACHMENT item's
// attachments (updated in place, so transcripts show the new status), and, while the chat goes on, a revision of
// the item (same Id, same AbsoluteTime, the new status) pushed to every socket. The bytes of a REJECTED
// attachment are deleted, as Amazon Connect does. A decision on an attachment already decided does nothing.
func (a *Attachments) decide(ctx context.Context, id, status string) error {
	var rev *parley.Item
	decided := false
	err := a.svc.store.Update(ctx, func(tx parley.Tx) error {
		rev, decided = nil, false
		f, err := tx.GetFile(ctx, id)
		if err != nil {
			return err
		}
		if f.Status != parley.AttachmentInProgress {
			return nil
		}
		decided = true
		f.Status = status
		if err := tx.UpdateFile(ctx, f); err != nil {
			return err
		}
		orig, err := tx.GetItem(ctx, f.ItemID)
		if err != nil {
			return err
		}
		atts := make([]parley.Attachment, len(orig.Attachments))
		copy(atts, orig.Attachments)
		for i := range atts {
			if atts[i].ID == id {
				atts[i].Status = status
			}
		}
		if err := tx.SetItemAttachments(ctx, orig.ID, atts); err != nil {
			return err
		}
		c, err := tx.ActiveContact(ctx, orig.ChainID)
		if err != nil || !c.Active() {
			return err // an ended chat gets no more items; its transcript shows the decision
		}
		rev = &parley.Item{ChainID: orig.ChainID, ContactID: orig.ContactID, ID: newID(), Type: orig.Type,
			ContentType: orig.ContentType, ParticipantID: orig.ParticipantID, DisplayName: orig.DisplayName,
			Role: orig.Role, Time: orig.Time, Transient: true, Revises: orig.ID, Attachments: atts}
		return tx.AppendItem(ctx, rev)
	})
	if err != nil {
		return err
	}
	// The bytes go before anyone hears of the decision: a client told REJECTED must find nothing left.
	if decided && status == parley.AttachmentRejected {
		if err := a.blob.Delete(ctx, fileKey(id)); err != nil {
			a.svc.log.Warn("delete rejected attachment", "attachment_id", id, "err", err)
		}
	}
	if rev != nil {
		a.svc.publish(rev)
	}
	return nil
}
