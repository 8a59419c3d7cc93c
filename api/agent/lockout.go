package agent

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Failed logins lock a username, and a client address, out for a while: after freeLogins failures in a row,
// each further failure doubles the wait (from a second up to maxLockout); a success clears the username's
// count. Guessing a password through the agent API then takes years, and a person who mistypes waits seconds.
const (
	freeLogins = 5
	maxLockout = 5 * time.Minute
	maxTracked = 10000 // entries kept before idle ones are dropped
)

type lockout struct {
	mu    sync.Mutex
	fails map[string]*failures
	now   func() time.Time
}

type failures struct {
	n     int
	until time.Time
	last  time.Time
}

func newLockout() *lockout { return &lockout{fails: map[string]*failures{}, now: time.Now} }

// wait returns how long the keys must still wait before the next attempt (0: none).
func (l *lockout) wait(keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var d time.Duration
	for _, k := range keys {
		if f := l.fails[k]; f != nil && f.until.After(now) {
			d = max(d, f.until.Sub(now))
		}
	}
	return d
}

// failed records a failed attempt for every key.
func (l *lockout) failed(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.fails) > maxTracked {
		for k, f := range l.fails {
			if now.Sub(f.last) > maxLockout {
				delete(l.fails, k)
			}
		}
	}
	for _, k := range keys {
		f := l.fails[k]
		if f == nil || now.Sub(f.last) > maxLockout { // a streak older than the longest wait starts over
			f = &failures{}
			l.fails[k] = f
		}
		f.n++
		f.last = now
		if f.n > freeLogins {
			d := time.Second << min(f.n-freeLogins-1, 20)
			f.until = now.Add(min(d, maxLockout))
		}
	}
}

// succeeded clears a key's streak.
func (l *lockout) succeeded(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}

// retryAfter sets Retry-After to d rounded up to a second.
func retryAfter(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
}

func userKey(instance, username string) string {
	return "user:" + instance + ":" + strings.ToLower(username)
}
