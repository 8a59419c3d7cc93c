package chat

import (
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"mime"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/parley-chat/parley"
)

// Attachments, as Amazon Connect does them (docs/attachments.md, docs/decisions/0004-attachments.md):
//
//  1. StartAttachmentUpload records the file a participant declares (name, content type, size) and hands out an
//     upload URL that accepts exactly that: parley's own signed URL (served by api/files), or a URL presigned by
//     the Blob when it is reachable directly (S3).
//  2. The client PUTs the bytes; they land at the Blob key "uploads/<id>", never visible half-written.
//  3. CompleteAttachmentUpload checks the bytes are there, moves them to "files/<id>" (an upload URL replayed
//     later writes nowhere that is read), and appends an ATTACHMENT item: APPROVED, or IN_PROGRESS while a
//     Scanner decides. The decision updates the item in place and re-sends it on the sockets with the same Id.
//  4. GetAttachment hands out a short-lived download URL for APPROVED files only.
//
// Uploads that are started and never completed are swept after OrphanAfter.

// Blob keys of an attachment: its bytes as uploaded, then as completed. Keys are made from ids only.
func uploadKey(id string) string { return "uploads/" + id }
func fileKey(id string) string   { return "files/" + id }

// AttachmentBlobKeys returns the keys under which an attachment's bytes may be kept in the Blob (before and
// after CompleteAttachmentUpload), for those who delete them.
func AttachmentBlobKeys(id string) []string { return []string{uploadKey(id), fileKey(id)} }

// Paths of parley's own upload and download endpoints (api/files serves them), each followed by the attachment
// id.
const (
	AttachmentUploadPath   = "/attachments/upload/"
	AttachmentDownloadPath = "/attachments/download/"
)

// scopeAttachment scopes CompleteAttachmentUpload's ClientToken among a participant's item tokens.
const scopeAttachment = "attachment:"

// DefaultMaxAttachmentSize is Amazon Connect's default attachment size limit, 20 MB.
const DefaultMaxAttachmentSize = 20 * 1024 * 1024

// DefaultFileTypes are the file types Amazon Connect accepts in chat by default (its feature specifications:
// .csv .doc .docx .heic .jfif .jpeg .jpg .mov .mp4 .pdf .png .ppt .pptx .rtf .txt .wav .xls .xlsx), each with
// the content types browsers and operating systems give such files. A file must match both: its name's extension
// and its ContentType.
var DefaultFileTypes = map[string][]string{
	".csv":  {"text/csv", "application/csv", "text/comma-separated-values", "application/vnd.ms-excel"},
	".doc":  {"application/msword"},
	".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	".heic": {"image/heic", "image/heif"},
	".jfif": {"image/jpeg", "image/pjpeg"},
	".jpeg": {"image/jpeg", "image/pjpeg"},
	".jpg":  {"image/jpeg", "image/pjpeg"},
	".mov":  {"video/quicktime"},
	".mp4":  {"video/mp4", "audio/mp4"},
	".pdf":  {"application/pdf"},
	".png":  {"image/png"},
	".ppt":  {"application/vnd.ms-powerpoint"},
	".pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation"},
	".rtf":  {"application/rtf", "text/rtf"},
	".txt":  {"text/plain"},
	".wav":  {"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"},
	".xls":  {"application/vnd.ms-excel"},
	".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
}

// AttachmentConfig tunes attachments. The zero value of each field means its default.
type AttachmentConfig struct {
	// MaxSize is the largest attachment in bytes (default 20 MB, as Amazon Connect).
	MaxSize int64
	// PerContact is how many attachments may be started on one contact (default 35, as Amazon Connect); the
	// next StartAttachmentUpload is refused with ServiceQuotaExceededException.
	PerContact int
	// MaxNameLength bounds AttachmentName in characters (default and maximum 256, the model's).
	MaxNameLength int
	// Types maps a file extension (".png") to the content types allowed for it (default DefaultFileTypes).
	Types map[string][]string
	// BaseURL is the public base URL of the server (http://host:port), used for parley's own upload and
	// download URLs. Required unless the Blob is a parley.BlobPresigner.
	BaseURL string
	// UploadURLTTL is how long an upload URL is valid (default 5 minutes).
	UploadURLTTL time.Duration
	// DownloadURLTTL is the lifetime of a download URL when GetAttachment does not ask for one (default 5
	// minutes, the model's maximum).
	DownloadURLTTL time.Duration
	// OrphanAfter is how long after StartAttachmentUpload an upload that was never completed is deleted
	// (default 1 hour).
	OrphanAfter time.Duration
	// SweepInterval is how often Run looks for orphaned uploads and pending scans (default 1 minute).
	SweepInterval time.Duration
	// Scanner, when set, decides whether each completed attachment is APPROVED or REJECTED; until it does the
	// attachment is IN_PROGRESS. Without one, attachments are APPROVED when completed.
	Scanner Scanner
	// ScanAttempts is how many times a scan that fails (an error, not a decision) is tried before the
	// attachment is REJECTED (default 3, as Amazon Connect).
	ScanAttempts int
	// ScanRetryDelay is the pause between attempts (default 5 seconds).
	ScanRetryDelay time.Duration
	// ScanTimeout bounds one attempt (default 30 seconds).
	ScanTimeout time.Duration
	// ScanWorkers is how many scans run at once (default 2).
	ScanWorkers int
}

// Attachments implements the attachment operations over the chat service, a Blob and an optional Scanner. It is
// safe for concurrent use; Run owns the sweeper and the scan workers.
type Attachments struct {
	svc     *Service
	blob    parley.Blob
	presign parley.BlobPresigner // nil: parley serves the URLs itself
	cfg     AttachmentConfig
	types   map[string][]string // lower-case extension → lower-case media types
	wake    chan struct{}

	mu        sync.Mutex
	uploading map[string]bool // attachment ids with a PUT in progress
	scanning  map[string]bool // attachment ids being scanned
}

// NewAttachments returns the attachment service. It fails if the configuration is unusable.
func NewAttachments(svc *Service, b parley.Blob, cfg AttachmentConfig) (*Attachments, error) {
	if b == nil {
		return nil, errors.New("chat: attachments need a Blob")
	}
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = DefaultMaxAttachmentSize
	}
	if cfg.PerContact <= 0 {
		cfg.PerContact = 35
	}
	if cfg.MaxNameLength <= 0 || cfg.MaxNameLength > 256 {
		cfg.MaxNameLength = 256
	}
	if cfg.Types == nil {
		cfg.Types = DefaultFileTypes
	}
	if cfg.UploadURLTTL <= 0 {
		cfg.UploadURLTTL = 5 * time.Minute
	}
	if cfg.DownloadURLTTL <= 0 || cfg.DownloadURLTTL > 300*time.Second {
		cfg.DownloadURLTTL = 300 * time.Second
	}
	if cfg.OrphanAfter <= 0 {
		cfg.OrphanAfter = time.Hour
	}
	if cfg.OrphanAfter < cfg.UploadURLTTL {
		return nil, errors.New("chat: attachments: OrphanAfter must not be shorter than UploadURLTTL")
	}
	if cfg.SweepInterval <= 0 {
		cfg.SweepInterval = time.Minute
	}
	if cfg.ScanAttempts <= 0 {
		cfg.ScanAttempts = 3
	}
	if cfg.ScanRetryDelay <= 0 {
		cfg.ScanRetryDelay = 5 * time.Second
	}
	if cfg.ScanTimeout <= 0 {
		cfg.ScanTimeout = 30 * time.Second
	}
	if cfg.ScanWorkers <= 0 {
		cfg.ScanWorkers = 2
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	a := &Attachments{svc: svc, blob: b, cfg: cfg, types: map[string][]string{}, wake: make(chan struct{}, 1),
		uploading: map[string]bool{}, scanning: map[string]bool{}}
	a.presign, _ = b.(parley.BlobPresigner)
	if a.presign == nil {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, errors.New("chat: attachments: BaseURL must be the server's http(s) URL")
		}
	}
	for ext, cts := range cfg.Types {
		ext = strings.ToLower(ext)
		if !strings.HasPrefix(ext, ".") || len(ext) < 2 {
			return nil, errors.New("chat: attachments: file type " + strconv.Quote(ext) + " must be an extension such as .png")
		}
		for _, ct := range cts {
			mt, err := mediaType(ct)
			if err != nil {
				return nil, errors.New("chat: attachments: " + strconv.Quote(ct) + " is not a content type")
			}
			a.types[ext] = append(a.types[ext], mt)
		}
	}
	return a, nil
}

// Config returns the effective configuration (defaults filled in).
func (a *Attachments) Config() AttachmentConfig { return a.cfg }

// StartUploadInput is StartAttachmentUpload's input, checked against the model by the API layer.
type StartUploadInput struct {
	ContentType string
	Size        int64
	Name        string
	ClientToken string
}

// UploadTarget is StartAttachmentUpload's output.
type UploadTarget struct {
	AttachmentID string
	URL          string
	Expiry       time.Time
	// Headers must be sent with the PUT exactly (HeadersToInclude).
	Headers map[string]string
}

// DownloadTarget is GetAttachment's output.
type DownloadTarget struct {
	URL    string
	Expiry time.Time
	Size   int64
}

// StartUpload is StartAttachmentUpload: it records the attachment the caller declares and returns where to PUT
// it. A retry with the same ClientToken returns the same attachment. Errors: EACCESS (left, ended, silent
// supervisor), EINVALID (size, name, file type; a ClientToken reused for another file), EQUOTA (the contact has
// PerContact attachments).
func (a *Attachments) StartUpload(ctx context.Context, c *Caller, in StartUploadInput) (*UploadTarget, error) {
	if f, err := a.svc.store.FileByClientToken(ctx, c.Participant.ID, in.ClientToken); err == nil {
		return a.retryStart(ctx, f, in)
	} else if !parley.IsCode(err, parley.ENOTFOUND) {
		return nil, err
	}
	if err := c.active(); err != nil {
		return nil, err
	}
	if err := a.svc.mayShow(ctx, c); err != nil {
		return nil, err
	}
	if err := a.checkFile(in); err != nil {
		return nil, err
	}
	f := &parley.File{ID: newID(), ParticipantID: c.Participant.ID, ClientToken: in.ClientToken, Name: in.Name,
		ContentType: in.ContentType, Size: in.Size}
	_, err := a.svc.commit(ctx, func(tx parley.Tx, _ *Change) error {
		if _, _, err := a.svc.stillActive(ctx, tx, c); err != nil {
			return err
		}
		n, err := tx.CountFiles(ctx, c.Contact.ID)
		if err != nil {
			return err
		}
		if n >= a.cfg.PerContact {
			return parley.Errorf(parley.EQUOTA, "this contact already has %d attachments, the most it may have", n)
		}
		f.InstanceID, f.ContactID, f.ChainID = c.Contact.InstanceID, c.Contact.ID, c.Contact.InitialContactID
		f.CreatedAt = a.svc.now()
		return tx.InsertFile(ctx, f)
	})
	if parley.IsCode(err, parley.ECONFLICT) {
		// The same request, retried concurrently, stored its attachment first.
		prev, perr := a.svc.store.FileByClientToken(ctx, c.Participant.ID, in.ClientToken)
		if perr != nil {
			return nil, err
		}
		return a.retryStart(ctx, prev, in)
	}
	if err != nil {
		return nil, err
	}
	return a.uploadTarget(ctx, f)
}

// retryStart answers a StartAttachmentUpload retried with the ClientToken of f: the same attachment (whose
// upload URL is refused once the attachment is complete).
func (a *Attachments) retryStart(ctx context.Context, f *parley.File, in StartUploadInput) (*UploadTarget, error) {
	if f.Name != in.Name || f.ContentType != in.ContentType || f.Size != in.Size {
		return nil, parley.Invalid("ClientToken", "ClientToken %q was already used to start the upload of another file", in.ClientToken)
	}
	return a.uploadTarget(ctx, f)
}

// checkFile applies the configured limits: size, name, and the file type by extension and content type.
func (a *Attachments) checkFile(in StartUploadInput) error {
	if in.Size < 1 {
		return parley.Invalid("AttachmentSizeInBytes", "AttachmentSizeInBytes must be at least 1")
	}
	if in.Size > a.cfg.MaxSize {
		return parley.Invalid("AttachmentSizeInBytes", "AttachmentSizeInBytes %d is larger than the %d bytes an attachment may have",
			in.Size, a.cfg.MaxSize)
	}
	if n := len([]rune(in.Name)); n < 1 || n > a.cfg.MaxNameLength {
		return parley.Invalid("AttachmentName", "AttachmentName must have 1 to %d characters", a.cfg.MaxNameLength)
	}
	if strings.IndexFunc(in.Name, unicode.IsControl) >= 0 {
		return parley.Invalid("AttachmentName", "AttachmentName must not contain control characters")
	}
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(in.Name, `\`, "/")))
	allowed, ok := a.types[ext]
	if !ok {
		return parley.Invalid("AttachmentName", "attachments of type %q are not allowed; allowed: %s",
			ext, strings.Join(a.extensions(), " "))
	}
	mt, err := mediaType(in.ContentType)
	if err != nil {
		return parley.Invalid("ContentType", "ContentType %q is not a MIME type", in.ContentType)
	}
	if !slices.Contains(allowed, mt) {
		return parley.Invalid("ContentType", "ContentType %q does not match a %s file (want %s)",
			in.ContentType, ext, strings.Join(allowed, " or "))
	}
	return nil
}

// mediaType returns the lower-case type/subtype of a content type, without parameters.
func mediaType(ct string) (string, error) {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", err
	}
	if typ, sub, ok := strings.Cut(mt, "/"); !ok || typ == "" || sub == "" {
		return "", errors.New("not type/subtype")
	}
	return mt, nil
}

func (a *Attachments) extensions() []string {
	out := make([]string, 0, len(a.types))
	for ext := range a.types {
		out = append(out, ext)
	}
	sort.Strings(out)
	return out
}

// uploadTarget returns where f is to be PUT. A URL handed out earlier and still valid for a while is handed out
// again (parley's own URLs are then identical), so a retried StartAttachmentUpload answers the same.
func (a *Attachments) uploadTarget(ctx context.Context, f *parley.File) (*UploadTarget, error) {
	now := a.svc.now()
	expiry := f.CreatedAt.Add(a.cfg.UploadURLTTL)
	if expiry.Sub(now) < a.cfg.UploadURLTTL/2 {
		expiry = now.Add(a.cfg.UploadURLTTL)
	}
	t := &UploadTarget{AttachmentID: f.ID, Expiry: expiry}
	if a.presign != nil {
		u, headers, err := a.presign.PresignPut(ctx, uploadKey(f.ID), f.ContentType, f.Size, expiry.Sub(now))
		if err != nil {
			return nil, err
		}
		t.URL, t.Headers = u, headers
		return t, nil
	}
	exp := strconv.FormatInt(expiry.UnixMilli(), 10)
	t.URL = a.cfg.BaseURL + AttachmentUploadPath + url.PathEscape(f.ID) + "?expires=" + exp +
		"&signature=" + a.uploadSignature(f, exp)
	t.Headers = map[string]string{"Content-Type": f.ContentType}
	return t, nil
}

// The signatures of parley's own URLs: MACs under the server secret, bound to a purpose, the attachment id,
// the expiry and, for uploads, the declared content type and size.
func (a *Attachments) uploadSignature(f *parley.File, exp string) string {
	return b64.EncodeToString(a.svc.mac("attachment-upload", f.ID, f.ContentType, strconv.FormatInt(f.Size, 10), exp))
}

func (a *Attachments) downloadSignature(id, use, exp string) string {
	return b64.EncodeToString(a.svc.mac("attachment-download", id, use, exp))
}

// checkURL verifies a signature and an expiry of one of parley's own URLs.
func (a *Attachments) checkURL(want, signature, expires string) error {
	ms, err := strconv.ParseInt(expires, 10, 64)
	got, serr := b64.DecodeString(signature)
	wantB, _ := b64.DecodeString(want)
	if err != nil || serr != nil || subtle.ConstantTimeCompare(got, wantB) != 1 {
		return parley.Errorf(parley.EACCESS, "invalid signature")
	}
	if !a.svc.now().Before(time.UnixMilli(ms)) {
		return parley.Errorf(parley.EACCESS, "the URL has expired")
	}
	return nil
}

// sameContentType reports whether a request's Content-Type is the declared one: equal media types and
// parameters (parameter values compared case-insensitively, as browsers may change charset's case).
func sameContentType(got, declared string) bool {
	if got == declared {
		return true
	}
	gt, gp, err1 := mime.ParseMediaType(got)
	dt, dp, err2 := mime.ParseMediaType(declared)
	if err1 != nil || err2 != nil || gt != dt || len(gp) != len(dp) {
		return false
	}
	for k, v := range dp {
		if !strings.EqualFold(gp[k], v) {
			return false
		}
	}
	return true
}

// Upload stores the body of a PUT to parley's own upload URL. The URL must be genuine and unexpired, the
// attachment not yet complete, Content-Type the declared one, and the body exactly the declared size
// (contentLength is the request's Content-Length, -1 when unknown: the body is then counted while it streams).
// Errors: EACCESS (a URL this server did not sign for this attachment, or expired), ECONFLICT (the attachment is
// complete, or another upload of it is in progress), EINVALID (Content-Type, size).
func (a *Attachments) Upload(ctx context.Context, id, expires, signature, contentType string, contentLength int64, body io.Reader) error {
	f, err := a.svc.store.GetFile(ctx, id)
	if parley.IsCode(err, parley.ENOTFOUND) {
		return parley.Errorf(parley.EACCESS, "invalid signature")
	}
	if err != nil {
		return err
	}
	if err := a.checkURL(a.uploadSignature(f, expires), signature, expires); err != nil {
		return err
	}
	if f.Completed() {
		return parley.Errorf(parley.ECONFLICT, "attachment %s is complete: its upload URL cannot be used again", id)
	}
	if !sameContentType(contentType, f.ContentType) {
		return parley.Invalid("Content-Type", "Content-Type must be %q, as in HeadersToInclude (got %q)", f.ContentType, contentType)
	}
	if contentLength >= 0 && contentLength != f.Size {
		return parley.Invalid("Content-Length", "Content-Length %d is not the declared AttachmentSizeInBytes %d", contentLength, f.Size)
	}
	a.mu.Lock()
	if a.uploading[id] {
		a.mu.Unlock()
		return parley.Errorf(parley.ECONFLICT, "another upload of attachment %s is in progress", id)
	}
	a.uploading[id] = true
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		delete(a.uploading, id)
		a.mu.Unlock()
	}()
	if err := a.blob.Put(ctx, uploadKey(id), body, f.Size); err != nil {
		return err
	}
	// CompleteAttachmentUpload may have run meanwhile (with an earlier upload's bytes): these are not wanted.
	if cur, err := a.svc.store.GetFile(ctx, id); err != nil || cur.Completed() {
		if derr := a.blob.Delete(ctx, uploadKey(id)); derr != nil {
			a.svc.log.Warn("delete a late upload", "attachment_id", id, "err", derr)
		}
		return parley.Errorf(parley.ECONFLICT, "attachment %s is complete: its upload URL cannot be used again", id)
	}
	return nil
}

// CompleteUpload is CompleteAttachmentUpload: once the bytes are uploaded, it appends the ATTACHMENT item (its
// status APPROVED, or IN_PROGRESS until the Scanner decides) and pushes it. A retry with the same ClientToken
// succeeds again. Errors: EACCESS (left, ended), EINVALID (not exactly one id, or not an attachment the caller
// started), ECONFLICT (already complete, or the upload has not finished).
func (a *Attachments) CompleteUpload(ctx context.Context, c *Caller, ids []string, clientToken string) error {
	if len(ids) != 1 {
		return parley.Invalid("AttachmentIds", "AttachmentIds must hold exactly one attachment id")
	}
	id, token := ids[0], scopeAttachment+clientToken
	if it, err := a.svc.store.ItemByClientToken(ctx, c.Participant.ChainID, c.Participant.ID, token); err == nil {
		if len(it.Attachments) == 1 && it.Attachments[0].ID == id {
			return nil
		}
		return parley.Invalid("ClientToken", "ClientToken %q was already used to complete another attachment", clientToken)
	} else if !parley.IsCode(err, parley.ENOTFOUND) {
		return err
	}
	if err := c.active(); err != nil {
		return err
	}
	if err := a.svc.mayShow(ctx, c); err != nil {
		return err
	}
	f, err := a.svc.store.GetFile(ctx, id)
	if parley.IsCode(err, parley.ENOTFOUND) || (err == nil && f.ParticipantID != c.Participant.ID) {
		return parley.Invalid("AttachmentIds", "attachment %q was not started by this participant", id)
	}
	if err != nil {
		return err
	}
	if f.Completed() {
		return parley.Errorf(parley.ECONFLICT, "attachment %s is already complete", id)
	}
	if err := a.claimBytes(ctx, f); err != nil {
		return err
	}
	status := parley.AttachmentApproved
	if a.cfg.Scanner != nil {
		status = parley.AttachmentInProgress
	}
	_, err = a.svc.commit(ctx, func(tx parley.Tx, ch *Change) error {
		contact, p, err := a.svc.stillActive(ctx, tx, c)
		if err != nil {
			return err
		}
		cur, err := tx.GetFile(ctx, id)
		if parley.IsCode(err, parley.ENOTFOUND) {
			return parley.Errorf(parley.ECONFLICT, "the upload of attachment %s expired", id)
		}
		if err != nil {
			return err
		}
		if cur.Completed() {
			return parley.Errorf(parley.ECONFLICT, "attachment %s is already complete", id)
		}
		now := a.svc.now()
		it := &parley.Item{ChainID: c.Contact.InitialContactID, ContactID: c.Contact.ID, ID: newID(),
			Type: parley.ItemAttachment, ParticipantID: c.Participant.ID, DisplayName: c.Participant.DisplayName,
			Role: c.Participant.Role, Time: now, ClientToken: token,
			Attachments: []parley.Attachment{{ID: cur.ID, Name: cur.Name, ContentType: cur.ContentType, Status: status}}}
		if err := a.svc.resetTimers(ctx, tx, ch, contact, p, now); err != nil {
			return err
		}
		if err := ch.Append(ctx, it); err != nil {
			return err
		}
		if err := a.svc.checkItemCap(it); err != nil {
			return err
		}
		cur.Status, cur.ItemID, cur.CompletedAt = status, it.ID, now
		return tx.UpdateFile(ctx, cur)
	})
	if parley.IsCode(err, parley.ECONFLICT) {
		// The same completion, retried concurrently, may have won: then this one succeeded too.
		if prev, perr := a.svc.store.ItemByClientToken(ctx, c.Participant.ChainID, c.Participant.ID, token); perr == nil &&
			len(prev.Attachments) == 1 && prev.Attachments[0].ID == id {
			return nil
		}
	}
	if err != nil {
		return err
	}
	if status == parley.AttachmentInProgress {
		a.kick()
	}
	return nil
}

// claimBytes makes sure f's bytes are at its final key: it moves them there from the upload key, checking
// their size, or finds them there already (an earlier attempt moved them and then failed).
func (a *Attachments) claimBytes(ctx context.Context, f *parley.File) error {
	size, err := a.blob.Stat(ctx, uploadKey(f.ID))
	if parley.IsCode(err, parley.ENOTFOUND) {
		if _, err := a.blob.Stat(ctx, fileKey(f.ID)); parley.IsCode(err, parley.ENOTFOUND) {
			return parley.Errorf(parley.ECONFLICT, "the upload of attachment %s has not finished: PUT the file to "+
				"UploadMetadata.Url with HeadersToInclude first", f.ID)
		} else if err != nil {
			return err
		}
		return nil
	}
	if err != nil {
		return err
	}
	if size != f.Size {
		// Only a store that does not enforce the signed size can get here; the bytes are not the declared file.
		if derr := a.blob.Delete(ctx, uploadKey(f.ID)); derr != nil {
			a.svc.log.Warn("delete a wrong-size upload", "attachment_id", f.ID, "err", derr)
		}
		return parley.Invalid("AttachmentIds", "the upload of attachment %s has %d bytes, not the declared %d", f.ID, size, f.Size)
	}
	return a.blob.Move(ctx, uploadKey(f.ID), fileKey(f.ID))
}

// GetAttachment returns a download URL for an APPROVED attachment of the caller's chat, valid for ttl (0: the
// default). Errors: EACCESS (left, ended, a CUSTOM_BOT, an attachment of another chat or none, a REJECTED one),
// EINVALID (not complete, or still being scanned).
func (a *Attachments) GetAttachment(ctx context.Context, c *Caller, id string, ttl time.Duration) (*DownloadTarget, error) {
	if err := c.active(); err != nil {
		return nil, err
	}
	if c.Participant.Role == parley.RoleCustomBot {
		return nil, parley.Errorf(parley.EACCESS, "CUSTOM_BOT participants may not access attachments")
	}
	f, err := a.svc.store.GetFile(ctx, id)
	if parley.IsCode(err, parley.ENOTFOUND) || (err == nil && f.ChainID != c.Contact.InitialContactID) {
		return nil, parley.Errorf(parley.EACCESS, "there is no attachment %q in this chat", id)
	}
	if err != nil {
		return nil, err
	}
	switch f.Status {
	case parley.AttachmentApproved:
	case parley.AttachmentRejected:
		return nil, parley.Errorf(parley.EACCESS, "attachment %s was rejected by the attachment scanner", id)
	case parley.AttachmentInProgress:
		return nil, parley.Invalid("AttachmentId", "attachment %s is being scanned: it can be downloaded once its status is APPROVED", id)
	default:
		return nil, parley.Invalid("AttachmentId", "the upload of attachment %s has not been completed", id)
	}
	if ttl <= 0 {
		ttl = a.cfg.DownloadURLTTL
	}
	u, expiry, err := a.downloadURL(ctx, f, "", ttl)
	if err != nil {
		return nil, err
	}
	return &DownloadTarget{URL: u, Expiry: expiry, Size: f.Size}, nil
}

// downloadURL returns a URL that downloads f's bytes until the returned expiry. use is "" for participants and
// "scan" for the scanner, which may fetch an attachment that is IN_PROGRESS.
func (a *Attachments) downloadURL(ctx context.Context, f *parley.File, use string, ttl time.Duration) (string, time.Time, error) {
	now := a.svc.now()
	expiry := now.Add(ttl)
	if a.presign != nil {
		u, err := a.presign.PresignGet(ctx, fileKey(f.ID), f.ContentType, f.Name, ttl)
		return u, expiry, err
	}
	exp := strconv.FormatInt(expiry.UnixMilli(), 10)
	q := url.Values{"expires": {exp}, "signature": {a.downloadSignature(f.ID, use, exp)}}
	if use != "" {
		q.Set("use", use)
	}
	return a.cfg.BaseURL + AttachmentDownloadPath + url.PathEscape(f.ID) + "?" + q.Encode(), expiry, nil
}

// Download is a file being downloaded through parley's own URL.
type Download struct {
	Body        io.ReadCloser
	Size        int64
	ContentType string
	Name        string
}

// Download opens the bytes behind one of parley's own download URLs. Errors: EACCESS (a URL this server did not
// sign for this attachment, expired, or an attachment that is not APPROVED), ENOTFOUND (the bytes are gone).
func (a *Attachments) Download(ctx context.Context, id, expires, signature, use string) (*Download, error) {
	f, err := a.svc.store.GetFile(ctx, id)
	if parley.IsCode(err, parley.ENOTFOUND) {
		return nil, parley.Errorf(parley.EACCESS, "invalid signature")
	}
	if err != nil {
		return nil, err
	}
	if err := a.checkURL(a.downloadSignature(id, use, expires), signature, expires); err != nil {
		return nil, err
	}
	if f.Status != parley.AttachmentApproved && !(use == "scan" && f.Status == parley.AttachmentInProgress) {
		return nil, parley.Errorf(parley.EACCESS, "attachment %s is not approved", id)
	}
	rc, size, err := a.blob.Get(ctx, fileKey(id))
	if err != nil {
		return nil, err
	}
	return &Download{Body: rc, Size: size, ContentType: f.ContentType, Name: f.Name}, nil
}

// Run sweeps orphaned uploads and runs the scans of IN_PROGRESS attachments (including those a previous run
// left undecided) until ctx is done; it returns once its scans have stopped.
func (a *Attachments) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	t := time.NewTicker(a.cfg.SweepInterval)
	defer t.Stop()
	a.dispatchScans(ctx, &wg)
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.wake:
			a.dispatchScans(ctx, &wg)
		case <-t.C:
			if _, err := a.Sweep(ctx); err != nil && ctx.Err() == nil {
				a.svc.log.Error("attachment sweep", "err", err)
			}
			a.dispatchScans(ctx, &wg)
		}
	}
}

// kick wakes Run without blocking.
func (a *Attachments) kick() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// Sweep deletes the uploads started more than OrphanAfter ago and never completed, records and bytes, and
// returns how many it deleted.
func (a *Attachments) Sweep(ctx context.Context) (int, error) {
	n := 0
	for {
		files, err := a.svc.store.ListFiles(ctx, parley.FileQuery{CreatedBefore: a.svc.now().Add(-a.cfg.OrphanAfter), Limit: 100})
		if err != nil || len(files) == 0 {
			return n, err
		}
		for _, f := range files {
			deleted := false
			_, err := a.svc.commit(ctx, func(tx parley.Tx, _ *Change) error {
				deleted = false
				cur, err := tx.GetFile(ctx, f.ID)
				if parley.IsCode(err, parley.ENOTFOUND) {
					return nil
				}
				if err != nil || cur.Completed() {
					return err
				}
				deleted = true
				return tx.DeleteFile(ctx, f.ID)
			})
			if err != nil {
				return n, err
			}
			if !deleted {
				continue
			}
			// The record goes first: a CompleteAttachmentUpload racing with the sweep then fails instead of
			// completing an attachment whose bytes are gone.
			for _, k := range AttachmentBlobKeys(f.ID) {
				if err := a.blob.Delete(ctx, k); err != nil {
					a.svc.log.Warn("delete orphaned upload", "attachment_id", f.ID, "err", err)
				}
			}
			n++
		}
		if len(files) < 100 {
			return n, nil
		}
	}
}
