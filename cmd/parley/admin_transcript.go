package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"

	chatsvc "github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/wire"
)

// transcriptPage is how many items one read of a transcript asks for (the agent API's most).
const transcriptPage = 200

// adminTranscript prints a contact's whole transcript, active or ended, as the chat's participants and agents
// see it — a persistent chat's past sessions first: as text (time, role, name, content) or, with --format json, as
// the agent API's ContactTranscriptResponse with every item. When the transcript spans more than one contact (a
// past session, a transfer), the text marks where each contact's items begin.
func adminTranscript(ctx context.Context, b adminBackend, o *adminFlags, stdout io.Writer) error {
	if o.contact == "" {
		return usageError{fmt.Errorf("name the contact: parley transcript CONTACT_ID")}
	}
	out := wire.ContactTranscriptResponse{Transcript: []wire.Item{}}
	after := ""
	for {
		page, err := b.Transcript(ctx, o.contact, after)
		if err != nil {
			return err
		}
		out.InitialContactID = page.InitialContactID
		out.Transcript = append(out.Transcript, page.Transcript...)
		if after = page.NextToken; after == "" {
			break
		}
	}
	switch o.format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "text":
		var b strings.Builder
		marks := slices.ContainsFunc(out.Transcript, func(it wire.Item) bool { return it.ContactID != out.Transcript[0].ContactID })
		contact := ""
		for _, it := range out.Transcript {
			if marks && it.ContactID != contact {
				contact = it.ContactID
				fmt.Fprintf(&b, "--- contact %s\n", contact)
			}
			fmt.Fprintf(&b, "%s  %-8s %s\n", it.AbsoluteTime, it.ParticipantRole, transcriptLine(it))
		}
		_, err := io.WriteString(stdout, b.String())
		return err
	}
	return usageError{fmt.Errorf("--format %q: use text or json", o.format)}
}

// transcriptLine is one item in words: a message's sender and text, an attachment's name, an event's type.
func transcriptLine(it wire.Item) string {
	who := it.DisplayName
	switch it.Type {
	case "MESSAGE":
		return who + ": " + it.Content
	case "ATTACHMENT":
		var names []string
		for _, a := range it.Attachments {
			names = append(names, a.AttachmentName+" ("+a.Status+")")
		}
		return who + " sent " + strings.Join(names, ", ")
	}
	if who != "" {
		return it.ContentType + " (" + who + ")"
	}
	return it.ContentType
}

// Transcript reads a page of a contact's transcript from the store, as the agent API answers it (chat.History).
func (a *adminStore) Transcript(ctx context.Context, contactID, after string) (*wire.ContactTranscriptResponse, error) {
	inst, err := a.inst(ctx)
	if err != nil {
		return nil, err
	}
	c, err := a.st.GetContact(ctx, contactID)
	if err != nil || c.InstanceID != inst.ID {
		return nil, fmt.Errorf("contact %s not found in instance %s", contactID, inst.ID)
	}
	page, err := chatsvc.History(ctx, a.st, c, after, transcriptPage)
	if err != nil {
		return nil, err
	}
	return chatsvc.WireHistory(page), nil
}

// Transcript reads a page of a contact's transcript through the agent API.
func (s *adminServer) Transcript(ctx context.Context, contactID, after string) (*wire.ContactTranscriptResponse, error) {
	q := url.Values{"MaxResults": {strconv.Itoa(transcriptPage)}}
	if after != "" {
		q.Set("NextToken", after)
	}
	var out wire.ContactTranscriptResponse
	err := s.call(ctx, "GET", "/contacts/"+url.PathEscape(contactID)+"/transcript?"+q.Encode(), nil, &out)
	return &out, err
}
