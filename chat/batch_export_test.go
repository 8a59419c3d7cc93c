package chat

// QueuedAppends returns how many appends wait for a batch (tests make batches of a known size with it).
func (s *Service) QueuedAppends() int {
	n := 0
	for i := range s.batch.shards {
		sh := &s.batch.shards[i]
		sh.mu.Lock()
		n += len(sh.queue)
		sh.mu.Unlock()
	}
	return n
}
