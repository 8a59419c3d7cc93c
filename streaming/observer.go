package streaming

import (
	"context"
	"slices"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/chat"
)

var _ chat.Observer = (*Service)(nil)

// Committing runs inside the change's transaction: it writes nothing for an item (the item row is the
// stream's outbox, read after the stream's cursor), only notes the chain's active streams for Committed, and
// stops the chain's streams at a chat.ended item for everyone, their last item.
func (s *Service) Committing(ctx context.Context, tx parley.Tx, ch *chat.Change) error {
	var (
		chain   string
		streams []*parley.Stream
	)
	for _, it := range ch.Items {
		if it.ChainID != chain {
			var err error
			if streams, err = tx.ListStreams(ctx, it.ChainID, true); err != nil {
				return err
			}
			chain = it.ChainID
			s.remember(chain, streams)
		}
		if len(streams) == 0 || it.Recipient != "" || it.ContentType != parley.EventChatEnded {
			continue
		}
		now := s.clock.Now()
		for _, st := range streams {
			if err := tx.StopStream(ctx, st.ID, now, it.Seq); err != nil {
				return err
			}
			s.streams.drop(st.ID)
		}
		streams = nil
	}
	return nil
}

// Committed caches the committed items of streamed chains for the worker, then rings the worker for their
// streams, and forgets the streams of a chat that ended.
func (s *Service) Committed(ch *chat.Change) {
	var (
		last          string
		streams, rung []string
	)
	for _, it := range ch.Items {
		if it.ChainID != last {
			last = it.ChainID
			streams = s.streamsOf(it.ChainID)
			rung = append(rung, streams...)
		}
		if len(streams) > 0 {
			s.items.put(it)
		}
		if it.ContentType == parley.EventChatEnded && it.Recipient == "" {
			s.forgetChain(it.ChainID)
			s.items.forget(it.ChainID)
		}
	}
	for _, id := range rung {
		if s.cfg.Linger > 0 {
			s.d.pokeSoon(id)
		} else {
			s.d.poke(id)
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
