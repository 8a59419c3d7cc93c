package streaming

import (
	"context"
	"slices"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/chat"
)

var _ chat.Observer = (*Service)(nil)

// Committing writes, inside the change's transaction, an outbox entry for every item of the change and every
// active stream of the item's chain. Items addressed to one participant (Item.Recipient) are not streamed. A
// chat.ended item for everyone is streamed, then the chain's streams stop.
func (s *Service) Committing(ctx context.Context, tx parley.Tx, ch *chat.Change) error {
	if len(ch.Items) == 0 {
		return nil
	}
	var (
		entries []*parley.OutboxEntry
		chain   string
		streams []*parley.Stream
	)
	now := s.clock.Now()
	for _, it := range ch.Items {
		if it.ChainID != chain {
			var err error
			if streams, err = tx.ListStreams(ctx, it.ChainID, true); err != nil {
				return err
			}
			chain = it.ChainID
			s.remember(chain, streams)
		}
		if len(streams) == 0 || it.Recipient != "" {
			continue
		}
		// Cached now, not in Committed: the worker may find the entry before Committed runs. An item of a
		// transaction that rolls back is never asked for, and ages out.
		s.items.put(it)
		for _, st := range streams {
			entries = append(entries, &parley.OutboxEntry{StreamID: st.ID, Seq: it.Seq, ChainID: it.ChainID,
				ItemID: it.ID, CreatedAt: now, NextAt: now})
		}
		if it.ContentType == parley.EventChatEnded {
			for _, st := range streams {
				if err := tx.StopStream(ctx, st.ID, now); err != nil {
					return err
				}
			}
			streams = nil
		}
	}
	if len(entries) == 0 {
		return nil
	}
	return tx.InsertOutbox(ctx, entries)
}

// Committed rings the worker for the streams of the change's chains, and forgets the streams of a chat that
// ended.
func (s *Service) Committed(ch *chat.Change) {
	var last string
	for _, it := range ch.Items {
		if it.ChainID != last {
			last = it.ChainID
			for _, id := range s.streamsOf(it.ChainID) {
				if s.cfg.Linger > 0 {
					s.d.pokeSoon(id)
				} else {
					s.d.poke(id)
				}
			}
		}
		if it.ContentType == parley.EventChatEnded && it.Recipient == "" {
			s.forgetChain(it.ChainID)
		}
	}
}

// remember records the active streams of a chain for Committed (nothing for a chain without streams).
func (s *Service) remember(chain string, streams []*parley.Stream) {
	s.chainsMu.Lock()
	defer s.chainsMu.Unlock()
	if len(streams) == 0 {
		delete(s.chains, chain)
		return
	}
	ids := make([]string, len(streams))
	for i, st := range streams {
		ids[i] = st.ID
	}
	if !slices.Equal(s.chains[chain], ids) {
		s.chains[chain] = ids
	}
}

// streamsOf returns the stream ids remembered for chain.
func (s *Service) streamsOf(chain string) []string {
	s.chainsMu.Lock()
	defer s.chainsMu.Unlock()
	return s.chains[chain]
}

// forgetChain drops what remember recorded for chain.
func (s *Service) forgetChain(chain string) {
	s.chainsMu.Lock()
	defer s.chainsMu.Unlock()
	delete(s.chains, chain)
}
