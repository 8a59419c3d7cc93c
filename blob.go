package parley

import (
	"context"
	"io"
	"time"
)

// Attachment statuses (the model's ArtifactStatus).
const (
	AttachmentApproved   = "APPROVED"
	AttachmentRejected   = "REJECTED"
	AttachmentInProgress = "IN_PROGRESS"
)

// File is the record of one attachment: who started its upload in which chat, what the uploader declared, and
// where it stands. The bytes live in a Blob under keys derived from ID only; Name is metadata and never part of
// a storage key.
type File struct {
	ID            string
	InstanceID    string
	ContactID     string
	ChainID       string // InitialContactID of the contact
	ParticipantID string
	// ClientToken is StartAttachmentUpload's idempotency token, unique per participant.
	ClientToken string
	Name        string
	ContentType string
	Size        int64
	// Status is empty until CompleteAttachmentUpload, then IN_PROGRESS while a scanner decides, APPROVED or
	// REJECTED.
	Status string
	// ItemID is the ATTACHMENT item that CompleteAttachmentUpload appended.
	ItemID      string
	CreatedAt   time.Time
	CompletedAt time.Time // zero until completed
}

// Completed reports whether CompleteAttachmentUpload has succeeded for the file.
func (f *File) Completed() bool { return f.Status != "" }

// Blob keeps attachment bytes by key. Keys are made by parley from attachment ids ("uploads/<id>",
// "files/<id>"): slash-separated segments of letters, digits, '.', '_' and '-', never "." or "..".
// Implementations must be safe for concurrent use and must never hold a whole object in memory.
//
// Errors: a missing key is ENOTFOUND (resource BLOB); a malformed key, or a Put whose reader yields more or fewer
// than size bytes, is EINVALID; anything else is returned as is.
type Blob interface {
	// Put stores exactly size bytes read from r under key, replacing any object there. The object becomes
	// visible only once all its bytes are stored: a Put that fails (too few or too many bytes, a read error, ctx
	// ending) leaves the key as it was.
	Put(ctx context.Context, key string, r io.Reader, size int64) error
	// Get opens the object under key and returns it with its size. The caller closes it.
	Get(ctx context.Context, key string) (io.ReadCloser, int64, error)
	// Stat returns the size of the object under key.
	Stat(ctx context.Context, key string) (int64, error)
	// Move renames the object under from to to, replacing any object there. ENOTFOUND if from is missing.
	Move(ctx context.Context, from, to string) error
	// Delete removes the object under key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// BlobPresigner is the optional ability of a Blob that clients can reach directly (S3): it signs URLs with which
// a browser uploads or downloads one object without going through parley.
type BlobPresigner interface {
	// PresignPut returns a URL that accepts one PUT of exactly size bytes of contentType under key until ttl has
	// passed, and the headers the client must send with it exactly (HeadersToInclude).
	PresignPut(ctx context.Context, key, contentType string, size int64, ttl time.Duration) (url string, headers map[string]string, err error)
	// PresignGet returns a URL that downloads the object under key until ttl has passed, answered with the
	// given Content-Type and a Content-Disposition naming filename.
	PresignGet(ctx context.Context, key, contentType, filename string, ttl time.Duration) (string, error)
}
