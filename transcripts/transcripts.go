// Package transcripts does what happens to a chat after it ends: the Exporter writes each ended contact's
// transcript as Amazon Connect writes it to an instance's chat transcripts bucket (a JSON document per contact
// under connect/<alias>/ChatTranscripts/YYYY/MM/DD/), to a directory or an S3 bucket; the Sweeper deletes chats
// past their retention. Both are duties of one node at a time (a lease in the store) and are driven by the store
// (parley.Archive), so they survive restarts and pick up where they stopped; neither ever holds up a chat going
// on, because each of their transactions is small.
//
// Export is at least once: a transcript is written, then marked exported; a node that stops in between writes
// it again, under the same key, with the same content. docs/transcripts.md has the layout and the settings.
//
// Concurrency: Exporter and Sweeper are safe for concurrent use; each Run owns its goroutine until ctx ends.
package transcripts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/wire"
)

// Version is the version of the document layout, as Amazon Connect writes it.
const Version = "2019-08-26"

// Document is one contact's transcript in Amazon Connect's layout.
type Document struct {
	Version          string
	AWSAccountID     string `json:"AWSAccountId"`
	InstanceID       string `json:"InstanceId"`
	InitialContactID string `json:"InitialContactId"`
	ContactID        string `json:"ContactId"`
	Participants     []Participant
	// Transcript holds the items as GetTranscript shows them, without ContactId (the document's) and
	// MessageMetadata.
	Transcript []wire.Item
}

// Participant names one participant of the contact.
type Participant struct {
	ParticipantID string `json:"ParticipantId"`
}

// pageSize is how many items Build reads at a time.
const pageSize = 500

// Build reads the transcript of contact c (ended or not) from r: the items of its chain that belong to c and
// that GetTranscript shows, except those addressed to one participant only (the chat.ended sent to one who
// left), and the participants of c with everyone who has a ParticipantId in its items.
func Build(ctx context.Context, r parley.Reader, c *parley.Contact) (*Document, error) {
	in, err := r.GetInstance(ctx, c.InstanceID)
	if err != nil {
		return nil, fmt.Errorf("transcripts: instance of contact %s: %w", c.ID, err)
	}
	d := &Document{Version: Version, AWSAccountID: accountID(in.ARN), InstanceID: in.ID,
		InitialContactID: c.InitialContactID, ContactID: c.ID, Participants: []Participant{}, Transcript: []wire.Item{}}
	parts, err := r.ListParticipants(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("transcripts: participants of contact %s: %w", c.ID, err)
	}
	seen := map[string]bool{}
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			d.Participants = append(d.Participants, Participant{ParticipantID: id})
		}
	}
	for _, p := range parts {
		add(p.ID)
	}
	var after int64
	for {
		items, err := r.ListItems(ctx, parley.ItemQuery{ChainID: c.InitialContactID, AfterSeq: after, Limit: pageSize, Transcript: true})
		if err != nil {
			return nil, fmt.Errorf("transcripts: items of contact %s: %w", c.ID, err)
		}
		for _, it := range items {
			after = it.Seq
			if it.ContactID != c.ID || it.Recipient != "" {
				continue
			}
			add(it.ParticipantID)
			d.Transcript = append(d.Transcript, item(it))
		}
		if len(items) < pageSize {
			return d, nil
		}
	}
}

// item is an item as Connect's transcript file has it: GetTranscript's shape without ContactId (the document's)
// and MessageMetadata; the chat.ended event, which belongs to no participant, has no ParticipantRole either.
func item(it *parley.Item) wire.Item {
	w := chat.WireItem(it, false)
	w.ContactID, w.MessageMetadata = "", nil
	if it.ContentType == parley.EventChatEnded && it.ParticipantID == "" {
		w.ParticipantRole, w.DisplayName = "", ""
	}
	return w
}

// accountID is the account field of an ARN (arn:aws:connect:REGION:ACCOUNT:instance/ID).
func accountID(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) < 6 {
		return ""
	}
	return f[4]
}

// DefaultPrefix is where Connect puts an instance's chat transcripts in its bucket.
func DefaultPrefix(alias string) string { return "connect/" + alias + "/ChatTranscripts" }

// Key is where the transcript of a contact initiated at initiated goes under prefix, as Connect names it:
// PREFIX/YYYY/MM/DD/<ContactId>_<YYYYMMDD>T<HH:MM>_UTC.json, the date and minute being the contact's initiation
// (not its end), in UTC.
func Key(prefix, contactID string, initiated time.Time) string {
	t := initiated.UTC()
	return strings.TrimSuffix(prefix, "/") + "/" + t.Format("2006/01/02") + "/" + contactID + "_" +
		t.Format("20060102T15:04") + "_UTC.json"
}
