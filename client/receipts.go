package client

import (
	"context"
	"sync"
	"time"
)

// receipts sends read and delivered receipts the way ChatJS's MessageReceiptsUtil does:
//
//   - a message already read (or read-pending) gets no other receipt, and one already delivered gets no second
//     delivered receipt;
//   - a delivered receipt waits DeliveredReceiptDelay, and is dropped if a read receipt for the same message
//     came meanwhile;
//   - the first receipt opens a window of ReceiptThrottle; at its end the latest read receipt and the latest
//     delivered receipt of the window are sent (a read covers the earlier messages on the service side), the
//     others are dropped;
//   - every receipt carries the constant ClientToken ChatJS uses.
//
// One goroutine (run) owns the timing; add only records and wakes it.
type receipts struct {
	s *Session

	mu          sync.Mutex
	read        map[string]bool
	delivered   map[string]bool
	delayed     []delayedReceipt
	pendingRead string
	pendingDlv  string
	windowEnd   time.Time // zero: no window open

	wake      chan struct{}
	stop      chan struct{}
	stopOnce  sync.Once
	closedErr error
}

type delayedReceipt struct {
	id  string
	due time.Time
}

func newReceipts(s *Session) *receipts {
	return &receipts{s: s, read: map[string]bool{}, delivered: map[string]bool{}, wake: make(chan struct{}, 1),
		stop: make(chan struct{})}
}

// add records a receipt for messageID.
func (r *receipts) add(read bool, messageID string) error {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closedErr != nil {
		return r.closedErr
	}
	switch {
	case r.read[messageID]:
		return nil // already read: nothing more to say
	case read:
		r.read[messageID] = true
		r.pendingRead = messageID
		r.openWindow(now)
	case r.delivered[messageID]:
		return nil
	default:
		r.delivered[messageID] = true
		r.delayed = append(r.delayed, delayedReceipt{messageID, now.Add(max(r.s.opts.DeliveredReceiptDelay, 0))})
	}
	select {
	case r.wake <- struct{}{}:
	default:
	}
	return nil
}

func (r *receipts) openWindow(now time.Time) {
	if r.windowEnd.IsZero() {
		r.windowEnd = now.Add(max(r.s.opts.ReceiptThrottle, 0))
	}
}

func (r *receipts) start(wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.run()
	}()
}

func (r *receipts) run() {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		read, dlv, next := r.due(time.Now())
		if read != "" {
			r.send(ContentTypeMessageRead, ReadReceiptClientToken, read)
		}
		if dlv != "" {
			r.send(ContentTypeMessageDelivered, DeliveredReceiptClientToken, dlv)
		}
		if read != "" || dlv != "" {
			continue // time has passed while sending
		}
		if next.IsZero() {
			t.Stop()
		} else {
			t.Reset(time.Until(next))
		}
		select {
		case <-r.stop:
			return
		case <-r.wake:
		case <-t.C:
		}
	}
}

// due moves delayed delivered receipts whose time has come into the window, and returns what to send now and
// when to look again (zero: nothing scheduled).
func (r *receipts) due(now time.Time) (read, dlv string, next time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	keep := r.delayed[:0]
	for _, d := range r.delayed {
		switch {
		case d.due.After(now):
			keep = append(keep, d)
		case !r.read[d.id]:
			r.pendingDlv = d.id
			r.openWindow(now)
		}
	}
	clear(r.delayed[len(keep):])
	r.delayed = keep
	if !r.windowEnd.IsZero() && !r.windowEnd.After(now) {
		read, dlv = r.pendingRead, r.pendingDlv
		if r.read[dlv] {
			dlv = "" // read since: the read receipt says more
		}
		r.pendingRead, r.pendingDlv, r.windowEnd = "", "", time.Time{}
	}
	next = r.windowEnd
	for _, d := range r.delayed {
		if next.IsZero() || d.due.Before(next) {
			next = d.due
		}
	}
	return read, dlv, next
}

func (r *receipts) send(contentType, clientToken, messageID string) {
	if r.s.isEnded() {
		return
	}
	ctx, cancel := context.WithTimeout(r.s.ctx, time.Minute)
	defer cancel()
	if _, err := r.s.sendEvent(ctx, contentType, receiptContent(messageID), clientToken); err != nil && ctx.Err() == nil {
		r.s.log.Warn("client: sending a receipt failed", "message_id", messageID, "content_type", contentType, "err", err)
	}
}

// close stops the goroutine; receipts not sent yet are dropped.
func (r *receipts) close() {
	r.mu.Lock()
	r.closedErr = ErrClosed
	r.mu.Unlock()
	r.stopOnce.Do(func() { close(r.stop) })
}
