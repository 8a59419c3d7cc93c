package chat

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"

	"github.com/parley-chat/parley"
)

// Persistent chat (Amazon Connect's chat rehydration). A chat that continues a past, ended chat session names
// the past contact it continues from (Contact.ContinuedFromContactID); its transcript then begins with the past
// session's items up to that contact's last one — with their own Ids and ContactIds — and, before those, the
// history of the past session itself, if it continued another. Nothing is copied: the history is read from the
// past chains, which no longer change.

// Rehydration types.
const (
	RehydrateEntireSession = "ENTIRE_PAST_SESSION"
	RehydrateFromSegment   = "FROM_SEGMENT"
)

// maxRehydrated is how many past sessions a transcript reaches back through, as Connect's 100 past contacts.
const maxRehydrated = 100

// PersistentChat is StartChatContact's PersistentChat and CreatePersistentContactAssociation's request.
type PersistentChat struct {
	RehydrationType string
	SourceContactID string
}

// resolveSource returns the past contact a new chat of instanceID continues from: for ENTIRE_PAST_SESSION the
// most recent contact of the source's session, for FROM_SEGMENT the source itself. Errors: EINVALID (type),
// ENOTFOUND (no such contact in the instance), EREQUEST (the past session has not ended, ended longer ago than
// the retention period, or an active chat already continues it).
func (s *Service) resolveSource(ctx context.Context, instanceID string, p PersistentChat) (*parley.Contact, error) {
	switch p.RehydrationType {
	case RehydrateEntireSession, RehydrateFromSegment:
	default:
		return nil, parley.Invalid("PersistentChat.RehydrationType",
			"RehydrationType must be ENTIRE_PAST_SESSION or FROM_SEGMENT (got %q)", p.RehydrationType)
	}
	if p.SourceContactID == "" {
		return nil, parley.Invalid("PersistentChat.SourceContactId", "SourceContactId is required for persistent chat")
	}
	src, err := s.store.GetContact(ctx, p.SourceContactID)
	if parley.IsCode(err, parley.ENOTFOUND) || (err == nil && src.InstanceID != instanceID) {
		return nil, parley.NotFound("CONTACT", "source contact %s not found in instance %s", p.SourceContactID, instanceID)
	}
	if err != nil {
		return nil, err
	}
	if src.Channel != parley.ChannelChat {
		return nil, parley.Errorf(parley.EREQUEST, "source contact %s is not a chat", src.ID)
	}
	newest, err := s.store.ActiveContact(ctx, src.InitialContactID)
	if err != nil {
		return nil, err
	}
	if newest.Active() {
		return nil, parley.Errorf(parley.EREQUEST, "the chat session of contact %s has not ended: only ended chats can be continued", src.ID)
	}
	if r := s.cfg.Retention; r > 0 && newest.EndedAt.Before(s.now().Add(-r)) {
		return nil, parley.Errorf(parley.EREQUEST, "the chat session of contact %s ended more than %s ago: only chats within the retention period can be continued",
			src.ID, r)
	}
	if p.RehydrationType == RehydrateEntireSession {
		src = newest
	}
	active, err := s.store.ListActiveContacts(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	for _, c := range active {
		if c.ContinuedFromContactID == "" {
			continue
		}
		from, err := s.store.GetContact(ctx, c.ContinuedFromContactID)
		if err == nil && from.InitialContactID == src.InitialContactID {
			return nil, parley.Errorf(parley.EREQUEST, "the chat session of contact %s is already continued by active contact %s",
				src.ID, c.ID)
		}
	}
	return src, nil
}

// AssociatePersistentChat is CreatePersistentContactAssociation: the active chat initialContactID (its current
// contact) continues the past session of p. A chat continues at most one past session. It returns the contact the
// chat continues from. A retry with the same ClientToken answers the same. Errors: ENOTFOUND, EINVALID, EREQUEST.
func (s *Service) AssociatePersistentChat(ctx context.Context, instanceID, contactID string, p PersistentChat, clientToken string) (string, error) {
	inst, err := s.Instance(ctx, instanceID)
	if err != nil {
		return "", err
	}
	scope := "CreatePersistentContactAssociation:" + inst.ID
	if clientToken != "" {
		if b, err := s.store.Idempotent(ctx, scope, clientToken); err == nil {
			var r idemResult
			if err := json.Unmarshal(b, &r); err != nil {
				return "", parley.Internal(err)
			}
			return r.ContactID, nil
		} else if !parley.IsCode(err, parley.ENOTFOUND) {
			return "", err
		}
	}
	cur, err := s.store.GetContact(ctx, contactID)
	if parley.IsCode(err, parley.ENOTFOUND) || (err == nil && cur.InstanceID != inst.ID) {
		return "", parley.NotFound("CONTACT", "contact %s not found in instance %s", contactID, inst.ID)
	}
	if err != nil {
		return "", err
	}
	src, err := s.resolveSource(ctx, inst.ID, p)
	if err != nil {
		return "", err
	}
	if src.InitialContactID == cur.InitialContactID {
		return "", parley.Errorf(parley.EREQUEST, "a chat cannot continue its own session")
	}
	_, err = s.commit(ctx, func(tx parley.Tx, ch *Change) error {
		c, err := tx.ActiveContact(ctx, cur.InitialContactID)
		if err != nil {
			return err
		}
		if !c.Active() || c.ID != cur.ID {
			return parley.Errorf(parley.EREQUEST, "contact %s is not the active contact of its chat", cur.ID)
		}
		if c.ContinuedFromContactID != "" {
			return parley.Errorf(parley.EREQUEST, "contact %s already continues contact %s: a chat continues one past session",
				c.ID, c.ContinuedFromContactID)
		}
		c.ContinuedFromContactID, c.RelatedContactID, c.UpdatedAt = src.ID, src.ID, s.now()
		if err := tx.UpdateContact(ctx, c); err != nil {
			return err
		}
		if clientToken != "" {
			res, _ := json.Marshal(idemResult{ContactID: src.ID})
			return tx.PutIdempotent(ctx, scope, clientToken, res)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	s.auth.invalidate(cur.InitialContactID) // callers see the new history at once
	return src.ID, nil
}

// segment is one chain of a transcript: the caller's own (upTo 0, no bound) or a past session's, up to the Seq
// of the last item of the contact continued from.
type segment struct {
	chain string
	upTo  int64
}

// segments returns the chains of c's transcript, oldest first; the last is c's own chain. History stops at a
// past session deleted after its retention period.
func (s *Service) segments(ctx context.Context, c *parley.Contact) ([]segment, error) {
	return segmentsOf(ctx, s.store, c, &s.pastEnds)
}

// segmentsOf is segments, reading from r; ends, when not nil, caches segmentEnd.
func segmentsOf(ctx context.Context, r parley.Reader, c *parley.Contact, ends *sync.Map) ([]segment, error) {
	segs := []segment{{chain: c.InitialContactID}}
	from := c.ContinuedFromContactID
	for depth := 0; from != "" && depth < maxRehydrated; depth++ {
		past, err := r.GetContact(ctx, from)
		if parley.IsCode(err, parley.ENOTFOUND) {
			break
		}
		if err != nil {
			return nil, err
		}
		upTo, err := segmentEnd(ctx, r, past, ends)
		if err != nil {
			return nil, err
		}
		if upTo > 0 { // a past contact without items adds nothing but its own history
			segs = append(segs, segment{chain: past.InitialContactID, upTo: upTo})
		}
		newest, err := r.ActiveContact(ctx, past.InitialContactID)
		if parley.IsCode(err, parley.ENOTFOUND) {
			break
		}
		if err != nil {
			return nil, err
		}
		from = newest.ContinuedFromContactID
	}
	for i, j := 0, len(segs)-1; i < j; i, j = i+1, j-1 {
		segs[i], segs[j] = segs[j], segs[i]
	}
	return segs, nil
}

// segmentEnd is the Seq of the last item of past's contact in its chain (the chain's last item for its newest
// contact): what a continuation of past rehydrates up to. ends, when not nil, remembers it (past chains no
// longer change).
func segmentEnd(ctx context.Context, r parley.Reader, past *parley.Contact, ends *sync.Map) (int64, error) {
	if ends != nil {
		if v, ok := ends.Load(past.ID); ok {
			return v.(int64), nil
		}
	}
	before := int64(0)
	end := int64(0)
	for end == 0 {
		items, err := r.ListItems(ctx, parley.ItemQuery{ChainID: past.InitialContactID, BeforeSeq: before,
			Descending: true, Limit: 200})
		if err != nil {
			return 0, err
		}
		if len(items) == 0 {
			break
		}
		for _, it := range items {
			if it.ContactID == past.ID {
				end = it.Seq
				break
			}
		}
		before = items[len(items)-1].Seq
	}
	if ends != nil {
		ends.Store(past.ID, end)
	}
	return end, nil
}

// The page token's body names the segment by its distance from the caller's own chain, which stays the same
// when CreatePersistentContactAssociation puts history before it: "F123" (own chain), "F123~2" (two back).
func segmentBody(dir string, bound int64, back int) string {
	b := dir + strconv.FormatInt(bound, 10)
	if back > 0 {
		b += "~" + strconv.Itoa(back)
	}
	return b
}

func parseSegmentBody(body string) (forward bool, bound int64, back int, ok bool) {
	if len(body) < 2 || (body[0] != 'F' && body[0] != 'B') {
		return false, 0, 0, false
	}
	num, tail, _ := strings.Cut(body[1:], "~")
	bound, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return false, 0, 0, false
	}
	if tail != "" {
		if back, err = strconv.Atoi(tail); err != nil || back < 1 {
			return false, 0, 0, false
		}
	}
	return body[0] == 'F', bound, back, true
}

// CustomerOf checks that participantToken is the ParticipantToken of the customer of contactID's chat, ended or
// not: the proof a public start-chat endpoint asks of a client that wants to continue that chat, so that knowing
// a contact id is not enough to read its transcript. Errors: EACCESS.
func (s *Service) CustomerOf(ctx context.Context, participantToken, contactID string) error {
	deny := parley.Errorf(parley.EACCESS, "the ParticipantToken is not the customer's of contact %s", contactID)
	p, err := s.store.ParticipantByToken(ctx, hashToken(participantToken))
	if err != nil {
		return deny
	}
	c, err := s.store.GetContact(ctx, contactID)
	if err != nil || p.Role != parley.RoleCustomer || p.ChainID != c.InitialContactID {
		return deny
	}
	return nil
}
