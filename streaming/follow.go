package streaming

import (
	"sync"

	"github.com/parley-chat/parley"
)

// Follow has the worker listen on b, while it holds the lease, to the chains of the active streams it delivers,
// so that an item committed on another node rings its streams at once rather than at the next scan
// (Config.ScanInterval). A single node needs none: Committed rings the streams of the items it commits. Call it
// before Run.
func (s *Service) Follow(b parley.Bus) { s.bus = b }

// streamStarted follows the chain of a stream another node started (EventStreamStarted), so that its first
// items do not wait for the scan. It runs on the bus's goroutine: following may wait for the bus, so it is done
// on a goroutine of its own.
func (s *Service) streamStarted(ev *parley.Event) {
	if ev.Kind != parley.EventStreamStarted || ev.Contact == nil || len(ev.Data) == 0 || !s.d.leading.Load() {
		return
	}
	chain, id := ev.Contact.InitialContactID, string(ev.Data)
	go s.follow(chain, id)
}

// follows are the chains the worker listens to on the bus, each with the streams it rings.
type follows struct {
	mu     sync.Mutex
	chains map[string]*followed
}

type followed struct {
	streams     map[string]bool
	unsubscribe func()
}

// follow listens to the chain of stream id, once per chain, while this process leads.
func (s *Service) follow(chain, id string) {
	if s.bus == nil || !s.d.leading.Load() {
		return
	}
	f := &s.fol
	f.mu.Lock()
	if c := f.chains[chain]; c != nil {
		c.streams[id] = true
		f.mu.Unlock()
		return
	}
	f.mu.Unlock()
	// Subscribing may wait for the bus (a networked one flushes): not under the lock.
	unsubscribe := s.bus.Subscribe(chain, func(it *parley.Item) { s.heard(chain, it) })
	f.mu.Lock()
	defer f.mu.Unlock()
	if !s.d.leading.Load() { // the lease went meanwhile: unfollowAll may have run already
		go unsubscribe()
		return
	}
	if c := f.chains[chain]; c != nil { // another turn subscribed meanwhile
		c.streams[id] = true
		go unsubscribe()
		return
	}
	if f.chains == nil {
		f.chains = map[string]*followed{}
	}
	f.chains[chain] = &followed{streams: map[string]bool{id: true}, unsubscribe: unsubscribe}
}

// unfollow stops ringing stream id for its chain, and listening to the chain once none of its streams is left.
func (s *Service) unfollow(chain, id string) {
	f := &s.fol
	f.mu.Lock()
	c := f.chains[chain]
	if c == nil {
		f.mu.Unlock()
		return
	}
	delete(c.streams, id)
	if len(c.streams) > 0 {
		f.mu.Unlock()
		return
	}
	delete(f.chains, chain)
	f.mu.Unlock()
	c.unsubscribe()
}

// chainStreams returns the active streams of chain as far as this process knows: those its own commits saw
// (streamsOf), else, for a chain whose items are committed on other nodes, those it follows the chain for.
func (s *Service) chainStreams(chain string) []string {
	if ids := s.streamsOf(chain); ids != nil {
		return ids
	}
	f := &s.fol
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.chains[chain]
	if c == nil {
		return nil
	}
	ids := make([]string, 0, len(c.streams))
	for id := range c.streams {
		ids = append(ids, id)
	}
	return ids
}

// following is the number of chains followed.
func (s *Service) following() int {
	s.fol.mu.Lock()
	defer s.fol.mu.Unlock()
	return len(s.fol.chains)
}

// unfollowAll stops listening to every chain (the lease is lost, or Run ends).
func (s *Service) unfollowAll() {
	f := &s.fol
	f.mu.Lock()
	chains := f.chains
	f.chains = nil
	f.mu.Unlock()
	for _, c := range chains {
		c.unsubscribe()
	}
}

// heard rings the followed streams of chain for an item another node committed. The bus carries the committed
// item whole, so it goes into the item cache as a local commit's would, and the streams' next turns read only
// their rows from the store (another node may have stopped them). An item the bus skipped or reordered leaves a
// gap, where the cache's runs stop and the turn reads the store; one skipped after the last item heard is found
// by the scan. (The bus calls heard on its own goroutines; it must not block.)
func (s *Service) heard(chain string, it *parley.Item) {
	if it.Transient || it.Seq <= 0 || s.items.knows(chain, it.Seq) {
		return // committed here: Committed cached it and rang its streams
	}
	f := &s.fol
	f.mu.Lock()
	var ids []string
	if c := f.chains[chain]; c != nil {
		for id := range c.streams {
			ids = append(ids, id)
		}
	}
	f.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	s.items.put(it)
	for _, id := range ids {
		s.d.pokeFresh(id, s.cfg.Linger > 0)
	}
}
