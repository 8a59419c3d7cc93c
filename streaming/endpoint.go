package streaming

import (
	"context"
	"errors"

	"github.com/parley-chat/parley"
)

// Endpoint delivers one item of a streamed contact to the endpoint ARN the contact was streamed to. The contact
// given with an item names it (ID, InitialContactID, InstanceID); its other fields are a snapshot that may be
// older than the item.
type Endpoint interface {
	Deliver(ctx context.Context, endpointARN, streamingID string, c *parley.Contact, it *parley.Item) error
}

// Delivery is one item of a batch, with the contact it belongs to.
type Delivery struct {
	Contact *parley.Contact
	Item    *parley.Item
}

// MaxBatch is the most items a BatchEndpoint is given at once (SNS's PublishBatch takes 10).
const MaxBatch = 10

// BatchEndpoint is an Endpoint that can also deliver consecutive items of one stream in one call. The worker
// uses DeliverBatch when the endpoint has it.
type BatchEndpoint interface {
	Endpoint
	// DeliverBatch delivers ds (at most MaxBatch, in the stream's order) and returns how many of them, from
	// the first, were delivered; when that is fewer than len(ds), err is the error of ds[n].
	DeliverBatch(ctx context.Context, endpointARN, streamingID string, ds []Delivery) (n int, err error)
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
