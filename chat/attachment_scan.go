package chat

import (
	"context"
	"io"
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
			a.claimAndScan(ctx, f)
			a.mu.Lock()
			delete(a.scanning, f.ID)
			a.mu.Unlock()
			a.kick() // others may be waiting for a worker
		}()
	}
}

// claimAndScan scans f if this node wins the file's lease ("scan:" and its Id): with several nodes on one store
// each would find the file IN_PROGRESS and ask the Scanner about it. The lease lasts as long as every attempt may
// take, so a node that dies mid-scan leaves the file to the next node's dispatch once it expires.
func (a *Attachments) claimAndScan(ctx context.Context, f *parley.File) {
	owner, name, now := a.svc.cfg.NodeID, "scan:"+f.ID, a.svc.now()
	until := now.Add(time.Duration(a.cfg.ScanAttempts)*(a.cfg.ScanTimeout+a.cfg.ScanRetryDelay) + time.Minute)
	holder, _, err := a.svc.store.AcquireLease(ctx, name, owner, now, until)
	if err != nil {
		if ctx.Err() == nil {
			a.svc.log.Error("claim attachment scan", "attachment_id", f.ID, "err", err)
		}
		return
	}
	if holder != owner {
		return // another node scans it
	}
	defer func() {
		if err := a.svc.store.ReleaseLease(context.WithoutCancel(ctx), name, owner); err != nil {
			a.svc.log.Warn("release attachment scan claim", "attachment_id", f.ID, "err", err)
		}
	}()
	// f was listed before the claim: the node that held it may have decided and let go since.
	cur, err := a.svc.store.GetFile(ctx, f.ID)
	if err != nil || cur.Status != parley.AttachmentInProgress {
		if err != nil && !parley.IsCode(err, parley.ENOTFOUND) && ctx.Err() == nil {
			a.svc.log.Error("read attachment to scan", "attachment_id", f.ID, "err", err)
		}
		return
	}
	a.scan(ctx, cur)
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
	_, err := a.svc.commit(ctx, func(tx parley.Tx, ch *Change) error {
		f, err := tx.GetFile(ctx, id)
		if err != nil {
			return err
		}
		if f.Status != parley.AttachmentInProgress {
			return nil
		}
		f.Status = status
		if err := tx.UpdateFile(ctx, f); err != nil {
			return err
		}
		if status == parley.AttachmentRejected {
			// The bytes go before anyone hears of the decision: a client told REJECTED must find nothing left.
			ch.beforePublish(func() {
				if err := a.blob.Delete(ctx, fileKey(id)); err != nil {
					a.svc.log.Warn("delete rejected attachment", "attachment_id", id, "err", err)
				}
			})
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
		rev := &parley.Item{ChainID: orig.ChainID, ContactID: orig.ContactID, ID: newID(), Type: orig.Type,
			ContentType: orig.ContentType, ParticipantID: orig.ParticipantID, DisplayName: orig.DisplayName,
			Role: orig.Role, Time: orig.Time, Transient: true, Revises: orig.ID, Attachments: atts}
		return ch.Append(ctx, rev)
	})
	return err
}
