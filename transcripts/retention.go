package transcripts

import (
	"context"
	"errors"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/lease"
)

// itemBatch is how many items one transaction of a purge deletes.
const itemBatch = 500

// Sweeper deletes the chats that ended longer ago than the retention period: contacts, participants,
// connections, items, attachments (records and bytes), flow logs, streams, and the idempotency records of
// requests made as long ago.
type Sweeper struct {
	store     parley.Store
	archive   parley.Archive
	blob      parley.Blob
	retention time.Duration
	// exportedOnly keeps a chat until every contact of it has been exported (an exporter is configured).
	exportedOnly bool
	opts         Options
}

// NewSweeper returns a sweeper of store's chats that ended more than retention (> 0) ago; blob holds the
// attachments' bytes (nil: none to delete). With exportedOnly, a chat is kept until each of its contacts has
// been exported. The store must be a parley.Archive.
func NewSweeper(store parley.Store, blob parley.Blob, retention time.Duration, exportedOnly bool, opts Options) (*Sweeper, error) {
	if retention <= 0 {
		return nil, errors.New("transcripts: the retention period must be positive")
	}
	a, err := archiveOf(store)
	if err != nil {
		return nil, err
	}
	opts.defaults(time.Minute)
	return &Sweeper{store: store, archive: a, blob: blob, retention: retention, exportedOnly: exportedOnly, opts: opts}, nil
}

// Run sweeps every Interval while this node holds the "retention" lease, until ctx ends.
func (s *Sweeper) Run(ctx context.Context) {
	holder := lease.New(s.store, RetentionLease, s.opts.NodeID, s.opts.Clock, s.opts.LeaseTTL, s.opts.Log, nil)
	runLeased(ctx, holder, s.opts.Interval, s.opts.Log, "retention sweep", func(ctx context.Context) error {
		_, err := s.Sweep(ctx)
		return err
	})
}

// Sweep deletes what is past retention now and returns how many chats it deleted. It first finishes the purges
// an earlier sweep left (a node stopped in the middle).
func (s *Sweeper) Sweep(ctx context.Context) (int, error) {
	cutoff := s.opts.Clock.Now().Add(-s.retention)
	if err := s.finishPurges(ctx); err != nil {
		return 0, err
	}
	n := 0
	for {
		chains, err := s.archive.ExpiredChains(ctx, cutoff, s.exportedOnly, batch)
		if err != nil {
			return n, err
		}
		for _, id := range chains {
			if err := s.archive.PurgeChain(ctx, id); err != nil {
				return n, err
			}
		}
		if err := s.finishPurges(ctx); err != nil {
			return n, err
		}
		n += len(chains)
		if len(chains) < batch {
			break
		}
	}
	for {
		k, err := s.archive.DeleteIdempotent(ctx, cutoff, itemBatch)
		if err != nil || k < itemBatch {
			return n, err
		}
	}
}

// finishPurges deletes the attachment bytes and the items of the chains being purged.
func (s *Sweeper) finishPurges(ctx context.Context) error {
	for {
		ps, err := s.archive.Purges(ctx, batch)
		if err != nil || len(ps) == 0 {
			return err
		}
		for _, p := range ps {
			if s.blob != nil {
				for _, id := range p.FileIDs {
					for _, k := range chat.AttachmentBlobKeys(id) {
						if err := s.blob.Delete(ctx, k); err != nil {
							return err
						}
					}
				}
			}
			for {
				k, err := s.archive.PurgeItems(ctx, p.ChainID, itemBatch)
				if err != nil {
					return err
				}
				if k == 0 {
					break
				}
			}
		}
	}
}
