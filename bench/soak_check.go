package bench

import (
	"fmt"

	"github.com/parley-chat/parley/wire"
)

// soakAck is one SendMessage of the soak scenario that was answered 200: what the sender was told.
type soakAck struct {
	Seq  int    // the sender's message number, from 1, in send order
	ID   string // Id of the answer
	Time string // AbsoluteTime of the answer
}

// soakContent is the content of a soak message: it names the run, the chat, the sender and the message number,
// so that a transcript says who sent what, in which order, and whether it was sent twice.
func soakContent(runID string, chat, sender, seq int) string {
	return fmt.Sprintf("soak %s chat %d sender %d seq %d", runID, chat, sender, seq)
}

// parseSoakContent is the inverse of soakContent; ok is false for any other content.
func parseSoakContent(content string) (runID string, chat, sender, seq int, ok bool) {
	n, err := fmt.Sscanf(content, "soak %s chat %d sender %d seq %d", &runID, &chat, &sender, &seq)
	return runID, chat, sender, seq, err == nil && n == 4 && soakContent(runID, chat, sender, seq) == content
}

// soakCheck is what one chat's transcript says about the messages its senders had acknowledged. Every count
// but Unacknowledged is a broken promise.
type soakCheck struct {
	// Lost is acknowledged messages missing from the transcript.
	Lost int
	// Duplicated is extra copies: a message (sender and number) found more than once, under any Id.
	Duplicated int
	// Reordered is messages found before an earlier message of the same sender.
	Reordered int
	// Mismatched is acknowledged messages stored under another Id or AbsoluteTime than the answer said.
	Mismatched int
	// Unknown is messages that no sender of this chat and run sent.
	Unknown int
	// Unacknowledged is messages stored whose sender never got an answer (it gave up retrying): allowed, since
	// a request that fails may or may not have been done, but counted.
	Unacknowledged int
	// Problems describes the first few broken promises.
	Problems []string
}

func (c *soakCheck) problem(format string, args ...any) {
	if len(c.Problems) < 5 {
		c.Problems = append(c.Problems, fmt.Sprintf(format, args...))
	}
}

// checkSoakChat compares acked[sender] (each sender's acknowledged messages, in send order) with the chat's
// transcript (every item, oldest first): every acknowledged message must be there exactly once, with the Id and
// AbsoluteTime its answer gave, each sender's messages in send order, and nothing else.
func checkSoakChat(runID string, chat int, acked [][]soakAck, transcript []wire.Item) soakCheck {
	var c soakCheck
	type key struct{ sender, seq int }
	want := map[key]soakAck{}
	for s, acks := range acked {
		for _, a := range acks {
			want[key{s, a.Seq}] = a
		}
	}
	seen := map[key]bool{}
	ids := map[string]bool{}
	last := make([]int, len(acked)) // the highest number seen so far per sender
	for _, it := range transcript {
		if it.Type != "MESSAGE" {
			continue
		}
		run, ch, s, n, ok := parseSoakContent(it.Content)
		if !ok || run != runID || ch != chat || s < 0 || s >= len(acked) {
			c.Unknown++
			c.problem("chat %d: unexpected message %s %q", chat, it.ID, it.Content)
			continue
		}
		k := key{s, n}
		if seen[k] || ids[it.ID] {
			c.Duplicated++
			c.problem("chat %d: sender %d's message %d stored again, as %s", chat, s, n, it.ID)
			continue
		}
		seen[k], ids[it.ID] = true, true
		if n < last[s] {
			c.Reordered++
			c.problem("chat %d: sender %d's message %d comes after its message %d", chat, s, n, last[s])
		}
		last[s] = max(last[s], n)
		a, acked := want[k]
		switch {
		case !acked:
			c.Unacknowledged++
		case a.ID != it.ID || a.Time != it.AbsoluteTime:
			c.Mismatched++
			c.problem("chat %d: sender %d's message %d was acknowledged as %s at %s, stored as %s at %s",
				chat, s, n, a.ID, a.Time, it.ID, it.AbsoluteTime)
		}
	}
	for s, acks := range acked {
		for _, a := range acks {
			if !seen[key{s, a.Seq}] {
				c.Lost++
				c.problem("chat %d: sender %d's message %d (acknowledged as %s at %s) is not in the transcript",
					chat, s, a.Seq, a.ID, a.Time)
			}
		}
	}
	return c
}

// add sums a chat's check into the report.
func (r *SoakReport) add(c soakCheck) {
	r.Lost += c.Lost
	r.Duplicated += c.Duplicated
	r.Reordered += c.Reordered
	r.Mismatched += c.Mismatched
	r.Unknown += c.Unknown
	r.Unacknowledged += c.Unacknowledged
	for _, p := range c.Problems {
		if len(r.Problems) < 20 {
			r.Problems = append(r.Problems, p)
		}
	}
}
