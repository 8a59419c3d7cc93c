package chat

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// TestIntegrationLocks: the events of one identity run one at a time; a lock entry lives only while some event
// holds or waits for it, and the remembered generations stay bounded.
func TestIntegrationLocks(t *testing.T) {
	var ic integrationChats
	var mu sync.Mutex
	inside, most := map[string]int{}, 0
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprint("identity-", i%2)
			release := ic.lock(key)
			mu.Lock()
			inside[key]++
			most = max(most, inside[key])
			mu.Unlock()
			runtime.Gosched()
			mu.Lock()
			inside[key]--
			mu.Unlock()
			release()
		}()
	}
	wg.Wait()
	if most != 1 {
		t.Errorf("%d events of one identity ran at once", most)
	}
	if len(ic.locks) != 0 {
		t.Errorf("%d lock entries left after every event ended", len(ic.locks))
	}
	s := &Service{}
	s.integrations.lock("x")()
	for i := range maxIntegrationGens + 10 {
		s.rememberIntegration(fmt.Sprint(i), 1)
	}
	if n := len(s.integrations.gen); n > maxIntegrationGens {
		t.Errorf("%d generations remembered, want at most %d", n, maxIntegrationGens)
	}
}
