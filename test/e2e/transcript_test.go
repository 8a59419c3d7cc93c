package e2e

import (
	"fmt"
	"slices"
	"testing"

	awsv1 "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/connectparticipant"
)

// TestTranscriptPaging pages through a transcript in both directions and from every kind of StartPosition,
// with the official client, and checks that every item comes exactly once, in the right order.
func TestTranscriptPaging(t *testing.T) {
	e := newEnv(t)
	ch := e.startChat()
	cust := e.connect(ch.ParticipantToken)
	tok := awsv1.String(cust.Token)
	var ids, times []string
	for i := range 25 {
		out := e.send(cust.Token, fmt.Sprint("message ", i))
		ids, times = append(ids, *out.Id), append(times, *out.AbsoluteTime)
	}
	// Typing events are stored but never paged.
	if _, err := e.pc.SendEventWithContext(ctx(t), &connectparticipant.SendEventInput{ConnectionToken: tok,
		ContentType: awsv1.String(evTyping)}); err != nil {
		t.Fatal(err)
	}
	all := append([]string{joinedID(t, e, cust.Token)}, ids...)

	page := func(in connectparticipant.GetTranscriptInput) (got []string) {
		t.Helper()
		in.ConnectionToken = tok
		n := 0
		err := e.pc.GetTranscriptPagesWithContext(ctx(t), &in, func(p *connectparticipant.GetTranscriptOutput, _ bool) bool {
			n++
			if awsv1.StringValue(p.InitialContactId) != ch.ContactID {
				t.Fatalf("InitialContactId %q", awsv1.StringValue(p.InitialContactId))
			}
			var pg []string
			for _, it := range p.Transcript {
				pg = append(pg, *it.Id)
			}
			got = append(got, pg...)
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		if in.MaxResults != nil && n < (len(got)+int(*in.MaxResults)-1)/int(*in.MaxResults) {
			t.Fatalf("%d pages for %d items of page size %d", n, len(got), *in.MaxResults)
		}
		return got
	}
	rev := func(s []string) []string { r := slices.Clone(s); slices.Reverse(r); return r }
	four := awsv1.Int64(4)

	t.Run("default: backward from the newest, newest first", func(t *testing.T) {
		out, err := e.pc.GetTranscriptWithContext(ctx(t), &connectparticipant.GetTranscriptInput{ConnectionToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range out.Transcript {
			got = append(got, *it.Id)
		}
		if want := rev(all)[:10]; !slices.Equal(got, want) || out.NextToken == nil {
			t.Fatalf("default page = %v (next %v), want %v", got, out.NextToken, want)
		}
	})
	t.Run("backward, descending", func(t *testing.T) {
		if got := page(connectparticipant.GetTranscriptInput{MaxResults: four, ScanDirection: awsv1.String("BACKWARD")}); !slices.Equal(got, rev(all)) {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("backward, ascending pages (ChatJS's default)", func(t *testing.T) {
		got := page(connectparticipant.GetTranscriptInput{MaxResults: awsv1.Int64(15), ScanDirection: awsv1.String("BACKWARD"),
			SortOrder: awsv1.String("ASCENDING"), StartPosition: &connectparticipant.StartPosition{}})
		want := append(slices.Clone(all[len(all)-15:]), all[:len(all)-15]...)
		if !slices.Equal(got, want) {
			t.Fatalf("got %v\nwant %v", got, want)
		}
	})
	t.Run("forward, ascending", func(t *testing.T) {
		if got := page(connectparticipant.GetTranscriptInput{MaxResults: four, ScanDirection: awsv1.String("FORWARD"),
			SortOrder: awsv1.String("ASCENDING")}); !slices.Equal(got, all) {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("from an Id, forward by default", func(t *testing.T) {
		got := page(connectparticipant.GetTranscriptInput{MaxResults: four, SortOrder: awsv1.String("ASCENDING"),
			StartPosition: &connectparticipant.StartPosition{Id: awsv1.String(ids[10])}})
		if !slices.Equal(got, ids[10:]) {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("from an Id, backward", func(t *testing.T) {
		got := page(connectparticipant.GetTranscriptInput{MaxResults: four, ScanDirection: awsv1.String("BACKWARD"),
			StartPosition: &connectparticipant.StartPosition{Id: awsv1.String(ids[10])}})
		if !slices.Equal(got, rev(all[:12])) {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("from a time", func(t *testing.T) {
		got := page(connectparticipant.GetTranscriptInput{MaxResults: four, SortOrder: awsv1.String("ASCENDING"),
			StartPosition: &connectparticipant.StartPosition{AbsoluteTime: awsv1.String(times[20])}})
		// Items at the same millisecond as message 20 may precede it; all from message 20 on must be there.
		if len(got) < 5 || !slices.Equal(got[len(got)-5:], ids[20:]) {
			t.Fatalf("got %v, want it to end with %v", got, ids[20:])
		}
	})
	t.Run("most recent", func(t *testing.T) {
		got := page(connectparticipant.GetTranscriptInput{MaxResults: four, SortOrder: awsv1.String("ASCENDING"),
			StartPosition: &connectparticipant.StartPosition{MostRecent: awsv1.Int64(2)}})
		if !slices.Equal(got, ids[22:]) {
			t.Fatalf("got %v, want %v", got, ids[22:])
		}
	})
	t.Run("a NextToken of another chat is refused", func(t *testing.T) {
		other := e.startChat()
		oc := e.connect(other.ParticipantToken)
		for range 3 {
			e.send(oc.Token, "x")
		}
		out, err := e.pc.GetTranscriptWithContext(ctx(t), &connectparticipant.GetTranscriptInput{
			ConnectionToken: awsv1.String(oc.Token), MaxResults: awsv1.Int64(1)})
		if err != nil || out.NextToken == nil {
			t.Fatal(out, err)
		}
		_, err = e.pc.GetTranscriptWithContext(ctx(t), &connectparticipant.GetTranscriptInput{ConnectionToken: tok,
			NextToken: out.NextToken})
		wantCode(t, err, "ValidationException", 400)
	})
}

func joinedID(t *testing.T, e *env, token string) string {
	out, err := e.pc.GetTranscriptWithContext(ctx(t), &connectparticipant.GetTranscriptInput{ConnectionToken: awsv1.String(token),
		MaxResults: awsv1.Int64(1), ScanDirection: awsv1.String("FORWARD")})
	if err != nil || len(out.Transcript) != 1 || awsv1.StringValue(out.Transcript[0].ContentType) != evJoined {
		t.Fatalf("first item: %v %v", out, err)
	}
	return *out.Transcript[0].Id
}
