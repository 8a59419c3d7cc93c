package streaming

import (
	"context"
	"errors"

	"github.com/parley-chat/parley"
)

// Endpoint delivers one item of a streamed contact to the endpoint ARN the contact was streamed to.
type Endpoint interface {
	Deliver(ctx context.Context, endpointARN, streamingID string, c *parley.Contact, it *parley.Item) error
}

// An error returned by Deliver is retried unless it has a method Permanent() bool returning true (found with
// errors.As, so a wrapped error counts): a permanent error dead-letters the entry at once.

// permanent marks an error as not worth retrying.
type permanent struct{ err error }

func (p *permanent) Error() string   { return p.err.Error() }
func (p *permanent) Unwrap() error   { return p.err }
func (p *permanent) Permanent() bool { return true }

// Permanent marks err as permanent: the worker dead-letters the entry instead of retrying it. Permanent(nil) is
// nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanent{err: err}
}

// IsPermanent reports whether err, or an error it wraps, has a Permanent() bool method returning true.
func IsPermanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}
