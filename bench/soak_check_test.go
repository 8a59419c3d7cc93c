package bench

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/parley-chat/parley/wire"
)

// The checker is what makes the kill -9 test able to fail: these cases feed it transcripts with a message lost,
// duplicated, reordered, or stored under another Id, and check that each is counted.

// soakFixture is a chat of two senders with three acknowledged messages each, and the transcript that matches
// them: the joins, then the messages interleaved in send order.
func soakFixture() ([][]soakAck, []wire.Item) {
	acked := make([][]soakAck, 2)
	for s := range 2 {
		for n := 1; n <= 3; n++ {
			acked[s] = append(acked[s], soakAck{Seq: n, ID: fmt.Sprintf("id-%d-%d", s, n),
				Time: fmt.Sprintf("2026-12-04T05:00:0%d.%03dZ", n, s)})
		}
	}
	items := []wire.Item{
		{Type: "EVENT", ContentType: "application/vnd.amazonaws.connect.event.participant.joined", ID: "join-0"},
		{Type: "EVENT", ContentType: "application/vnd.amazonaws.connect.event.participant.joined", ID: "join-1"},
	}
	for n := 1; n <= 3; n++ {
		for s := range 2 {
			a := acked[s][n-1]
			items = append(items, wire.Item{Type: "MESSAGE", ContentType: "text/plain", ID: a.ID,
				AbsoluteTime: a.Time, Content: soakContent("run1", 7, s, n)})
		}
	}
	return acked, items
}

func TestCheckSoakChat(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(acked [][]soakAck, items []wire.Item) []wire.Item
		want   soakCheck
	}{
		{name: "intact", change: func(_ [][]soakAck, items []wire.Item) []wire.Item { return items }},
		{name: "lost", want: soakCheck{Lost: 1}, change: func(_ [][]soakAck, items []wire.Item) []wire.Item {
			return append(items[:4:4], items[5:]...) // sender 0's second message
		}},
		{name: "duplicated under a new Id", want: soakCheck{Duplicated: 1},
			change: func(_ [][]soakAck, items []wire.Item) []wire.Item {
				dup := items[2]
				dup.ID = "id-again"
				return append(items, dup)
			}},
		{name: "the same Id twice", want: soakCheck{Duplicated: 1},
			change: func(_ [][]soakAck, items []wire.Item) []wire.Item {
				return append(items[:3:3], append([]wire.Item{items[2]}, items[3:]...)...)
			}},
		{name: "reordered", want: soakCheck{Reordered: 1},
			change: func(_ [][]soakAck, items []wire.Item) []wire.Item {
				items[2], items[4] = items[4], items[2] // sender 0: 2 before 1
				return items
			}},
		{name: "stored under another Id", want: soakCheck{Mismatched: 1},
			change: func(_ [][]soakAck, items []wire.Item) []wire.Item {
				items[7].ID = "id-other"
				return items
			}},
		{name: "stored at another time", want: soakCheck{Mismatched: 1},
			change: func(_ [][]soakAck, items []wire.Item) []wire.Item {
				items[3].AbsoluteTime = "2026-12-04T05:00:09.000Z"
				return items
			}},
		{name: "stored but never acknowledged", want: soakCheck{Unacknowledged: 1},
			change: func(_ [][]soakAck, items []wire.Item) []wire.Item {
				return append(items, wire.Item{Type: "MESSAGE", ID: "id-0-4", Content: soakContent("run1", 7, 0, 4)})
			}},
		{name: "another chat's message", want: soakCheck{Unknown: 1},
			change: func(_ [][]soakAck, items []wire.Item) []wire.Item {
				return append(items, wire.Item{Type: "MESSAGE", ID: "x", Content: soakContent("run1", 8, 0, 1)})
			}},
		{name: "another run's message", want: soakCheck{Unknown: 1},
			change: func(_ [][]soakAck, items []wire.Item) []wire.Item {
				return append(items, wire.Item{Type: "MESSAGE", ID: "x", Content: soakContent("run0", 7, 0, 1)})
			}},
		{name: "a stranger's message", want: soakCheck{Unknown: 1},
			change: func(_ [][]soakAck, items []wire.Item) []wire.Item {
				return append(items, wire.Item{Type: "MESSAGE", ID: "x", Content: "hello"})
			}},
		{name: "everything lost", want: soakCheck{Lost: 6},
			change: func(_ [][]soakAck, items []wire.Item) []wire.Item { return items[:2] }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acked, items := soakFixture()
			got := checkSoakChat("run1", 7, acked, tc.change(acked, items))
			problems := got.Problems
			got.Problems = nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			broken := tc.want.Lost+tc.want.Duplicated+tc.want.Reordered+tc.want.Mismatched+tc.want.Unknown > 0
			if broken && len(problems) == 0 {
				t.Error("no problem described")
			}
			if !broken && len(problems) != 0 {
				t.Errorf("problems %q", problems)
			}
		})
	}
}

func TestSoakReportOK(t *testing.T) {
	r := &SoakReport{Acknowledged: 10, Kills: 3, Restarts: 3}
	if !r.OK() {
		t.Fatal("a clean report is not OK")
	}
	for _, bad := range []func(r *SoakReport){
		func(r *SoakReport) { r.Lost = 1 },
		func(r *SoakReport) { r.Duplicated = 1 },
		func(r *SoakReport) { r.Reordered = 1 },
		func(r *SoakReport) { r.Mismatched = 1 },
		func(r *SoakReport) { r.Unknown = 1 },
		func(r *SoakReport) { r.Stuck = 1 },
		func(r *SoakReport) { r.Errors = 1 },
	} {
		c := *r
		bad(&c)
		if c.OK() {
			t.Errorf("report %+v is OK", c)
		}
	}
}
