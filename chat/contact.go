package chat

import (
	"cmp"
	"context"
	"encoding/json"
	"time"
	"unicode/utf8"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/flow"
	"github.com/parley-chat/parley/lease"
)

// MaxAttributesBytes is the most UTF-8 bytes a contact's attributes may hold across all keys and values.
const MaxAttributesBytes = 32768

// idemResult is what an idempotency record keeps for StartChatContact and CreateParticipant: the ids. The
// ParticipantToken a replay answers is the participant's sealed copy, opened (token.go).
type idemResult struct {
	ContactID     string `json:"c"`
	ParticipantID string `json:"p,omitempty"`
	// PreviousContactID is the contact a TransferContact moved.
	PreviousContactID string `json:"f,omitempty"`
}

// StartChat is StartChatContact. Errors: ENOTFOUND for an unknown instance, flow or related contact, EINVALID for
// content that breaks the model's rules (the Field names the member), EREQUEST for a PersistentChat whose
// past session has not ended or is already continued.
//
// It takes three steps: check the request against the instance and the model's rules; answer a retried
// ClientToken with the first answer; run the contact flow's first step and store the contact, its customer, its
// first items and what the flow did in one change (which announces the contact on the Bus once the flow queued
// it).
func (s *Service) StartChat(ctx context.Context, in StartChatInput) (*StartChatOutput, error) {
	req, err := s.checkStart(ctx, in)
	if err != nil {
		return nil, err
	}
	return s.start(ctx, req)
}

// start answers a retried ClientToken with the first answer, else starts the checked chat req.
func (s *Service) start(ctx context.Context, req *startRequest) (*StartChatOutput, error) {
	in := req.StartChatInput
	if in.ClientToken != "" {
		if out, err := s.replayStart(ctx, req.scope, in.ClientToken); err == nil || !parley.IsCode(err, parley.ENOTFOUND) {
			return out, err
		}
	}
	if err := s.checkActiveChats(ctx, req.inst.ID); err != nil {
		return nil, err
	}
	if in.Persistent != nil { // after the replay: a retry's first attempt continues the session already
		var err error
		if req.continued, err = s.resolveSource(ctx, req.inst.ID, *in.Persistent); err != nil {
			return nil, err
		}
	}
	out, c, err := s.createChat(ctx, req)
	if parley.IsCode(err, parley.ECONFLICT) && in.ClientToken != "" {
		// A concurrent request with the same ClientToken won the race: answer what it answered.
		return s.replayStart(ctx, req.scope, in.ClientToken)
	}
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "chat started", "contact_id", out.ContactID, "participant_id", out.ParticipantID,
		"instance_id", req.inst.ID, "flow_id", req.flow.ID, "queue_id", c.QueueID)
	return out, nil
}

// startRequest is a StartChatContact request checked against its instance: what createChat stores.
type startRequest struct {
	StartChatInput
	inst     *parley.Instance
	flow     *parley.ContactFlow
	types    []string      // SupportedMessagingContentTypes, text/plain included
	duration time.Duration // of the chat
	scope    string        // of the ClientToken's idempotency record
	// continued is the past contact a persistent chat continues from; nil for a new session.
	continued *parley.Contact
	// method is the contact's InitiationMethod ("" is API); systemMessage a SYSTEM message stored first.
	method        string
	systemMessage *Message
}

// checkStart resolves the instance and the flow and enforces the rules the model cannot express: content types,
// attributes, the initial message, the chat duration, the related contact.
func (s *Service) checkStart(ctx context.Context, in StartChatInput) (*startRequest, error) {
	inst, err := s.Instance(ctx, in.InstanceID)
	if err != nil {
		return nil, err
	}
	flow, _, err := s.flows.load(ctx, s.store, inst.ID, lastARNSegment(in.ContactFlowID))
	if err != nil && !parley.IsCode(err, parley.ENOTFOUND) && flow != nil {
		err = nil // it does not parse: the chat starts and its flow cannot run (createChat logs why)
	}
	if parley.IsCode(err, parley.ENOTFOUND) || (err == nil && flow.State != "ACTIVE") {
		return nil, parley.NotFound("CONTACT_FLOW", "contact flow %q not found in instance %s", in.ContactFlowID, inst.ID)
	}
	if err != nil {
		return nil, err
	}

	types, err := supportedTypes(in.SupportedContentTypes)
	if err != nil {
		return nil, err
	}
	if err := checkAttributes(in.Attributes); err != nil {
		return nil, err
	}
	if m := in.InitialMessage; m != nil {
		if err := checkMessage("InitialMessage.", m.ContentType, m.Content, types); err != nil {
			return nil, err
		}
	}
	duration := s.cfg.DefaultChatDuration
	if in.DurationMinutes != 0 {
		if in.DurationMinutes < 60 || in.DurationMinutes > 10080 {
			return nil, parley.Invalid("ChatDurationInMinutes", "ChatDurationInMinutes must be between 60 and 10080")
		}
		duration = time.Duration(in.DurationMinutes) * time.Minute
	}
	if in.RelatedContactID != "" {
		rel, err := s.store.GetContact(ctx, in.RelatedContactID)
		if parley.IsCode(err, parley.ENOTFOUND) || (err == nil && rel.InstanceID != inst.ID) {
			return nil, parley.NotFound("CONTACT", "related contact %s not found", in.RelatedContactID)
		}
		if err != nil {
			return nil, err
		}
	}
	return &startRequest{StartChatInput: in, inst: inst, flow: flow, types: types, duration: duration,
		scope: "StartChatContact:" + inst.ID}, nil
}

// createChat stores a new chat in one change: the contact, its customer, participant.joined, the initial
// message, the ClientToken's idempotency record, and what the first step of its contact flow did (SYSTEM
// messages, attributes, the queue, the end of the chat). The step runs before the change, outside the store's
// transaction; a flow that cannot run is logged and leaves the chat where the flow could not take it.
func (s *Service) createChat(ctx context.Context, req *startRequest) (*StartChatOutput, *parley.Contact, error) {
	contactID, participantID := newID(), newID()
	token := newParticipantToken()
	now := s.now()
	c := &parley.Contact{
		ID: contactID, InstanceID: req.inst.ID, InitialContactID: contactID, RelatedContactID: req.RelatedContactID,
		Channel: parley.ChannelChat, InitiationMethod: cmp.Or(req.method, "API"), State: parley.ContactActive, FlowID: req.flow.ID,
		CustomerID: req.CustomerID, Attributes: req.Attributes, SegmentAttributes: req.SegmentAttributes,
		SupportedContentTypes: req.types, DurationMinutes: int(req.duration / time.Minute),
		InitiatedAt: now, DueAt: now.Add(s.cfg.ConnectWindow), UpdatedAt: now,
	}
	if c.Attributes == nil {
		c.Attributes = map[string]string{}
	}
	if req.continued != nil {
		// As Connect: the RelatedContactId of a persistent chat is the contact its history comes from.
		c.ContinuedFromContactID, c.RelatedContactID = req.continued.ID, req.continued.ID
	}
	fo, err := s.step(ctx, req.inst, c, req.flow.ID, flow.Start(), nil)
	if err != nil {
		s.log.ErrorContext(ctx, "contact flow did not run", "contact_id", contactID, "flow_id", req.flow.ID, "err", err)
		fo = nil
	}
	_, err = s.commit(ctx, func(tx parley.Tx, ch *Change) error {
		stored := *c
		if err := tx.InsertContact(ctx, &stored); err != nil {
			return err
		}
		p := &parley.Participant{ID: participantID, ContactID: contactID, ChainID: contactID,
			Role: parley.RoleCustomer, DisplayName: req.DisplayName, TokenHash: hashToken(token),
			TokenSealed: s.sealToken(participantID, token), State: parley.ParticipantJoined, JoinedAt: now}
		if err := tx.InsertParticipant(ctx, p); err != nil {
			return err
		}
		if err := ch.Append(ctx, s.event(&stored, p, parley.EventParticipantJoined, now)); err != nil {
			return err
		}
		if m := req.systemMessage; m != nil {
			if err := ch.Append(ctx, s.message(&stored, system(&stored), m.ContentType, m.Content, now)); err != nil {
				return err
			}
		}
		if m := req.InitialMessage; m != nil {
			if err := ch.Append(ctx, s.message(&stored, p, m.ContentType, m.Content, now)); err != nil {
				return err
			}
		}
		if req.ClientToken != "" {
			res, _ := json.Marshal(idemResult{ContactID: contactID, ParticipantID: participantID})
			if err := tx.PutIdempotent(ctx, req.scope, req.ClientToken, res); err != nil {
				return err
			}
		}
		if fo != nil {
			if err := s.apply(ctx, tx, ch, &stored, fo); err != nil {
				return err
			}
		}
		*c = stored
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return &StartChatOutput{ContactID: contactID, ParticipantID: participantID, ParticipantToken: token,
		ContinuedFromContactID: c.ContinuedFromContactID}, c, nil
}

func (s *Service) replayStart(ctx context.Context, scope, token string) (*StartChatOutput, error) {
	b, err := s.store.Idempotent(ctx, scope, token)
	if err != nil {
		return nil, err
	}
	var r idemResult
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, parley.Internal(err)
	}
	pt, err := s.storedParticipantToken(ctx, r.ParticipantID)
	if err != nil {
		return nil, err
	}
	out := &StartChatOutput{ContactID: r.ContactID, ParticipantID: r.ParticipantID, ParticipantToken: pt}
	if c, err := s.store.GetContact(ctx, r.ContactID); err == nil {
		out.ContinuedFromContactID = c.ContinuedFromContactID
	}
	return out, nil
}

// supportedTypes validates SupportedMessagingContentTypes; an empty list means text/plain only.
func supportedTypes(types []string) ([]string, error) {
	if len(types) == 0 {
		return []string{parley.ContentTextPlain}, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, t := range types {
		if !parley.SupportedContentType(t) {
			return nil, parley.Invalid("SupportedMessagingContentTypes",
				"SupportedMessagingContentTypes: %q is not a supported content type", t)
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	if !seen[parley.ContentTextPlain] {
		return nil, parley.Invalid("SupportedMessagingContentTypes", "SupportedMessagingContentTypes must include text/plain")
	}
	return out, nil
}

// checkAttributes enforces Connect's attribute rules: keys of letters, digits, '-' and '_'; at most 32,768 UTF-8
// bytes across all keys and values.
func checkAttributes(attrs map[string]string) error {
	total := 0
	for k, v := range attrs {
		if k == "" {
			return parley.Invalid("Attributes", "Attributes: keys must not be empty")
		}
		for _, r := range k {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return parley.Invalid("Attributes", "Attributes: key %q may contain only letters, digits, '-' and '_'", k)
			}
		}
		if !utf8.ValidString(v) {
			return parley.Invalid("Attributes", "Attributes: value of %q is not valid UTF-8", k)
		}
		total += len(k) + len(v)
	}
	if total > MaxAttributesBytes {
		return parley.Invalid("Attributes", "Attributes hold %d bytes; the limit is %d", total, MaxAttributesBytes)
	}
	return nil
}

// checkMessage enforces a message's content type (sendable, and accepted by the customer's client) and the
// per-type content limits of the Participant Service documentation.
func checkMessage(prefix, contentType, content string, supported []string) error {
	limit, ok := parley.MessageContentLimit(contentType)
	if !ok {
		return parley.Invalid(prefix+"ContentType", "%sContentType %q cannot be sent as a message", prefix, contentType)
	}
	if !contains(supported, contentType) {
		return parley.Invalid(prefix+"ContentType",
			"%sContentType %q is not in the chat's SupportedMessagingContentTypes %v", prefix, contentType, supported)
	}
	if !utf8.ValidString(content) {
		return parley.Invalid(prefix+"Content", "%sContent is not valid UTF-8", prefix)
	}
	n := utf8.RuneCountInString(content)
	if n == 0 {
		return parley.Invalid(prefix+"Content", "%sContent must not be empty", prefix)
	}
	if n > limit {
		return parley.Invalid(prefix+"Content", "%sContent of type %s must be at most %d characters (got %d)",
			prefix, contentType, limit, n)
	}
	if contentType == parley.ContentJSON || contentType == parley.ContentInteractiveResponse {
		if !json.Valid([]byte(content)) {
			return parley.Invalid(prefix+"Content", "%sContent of type %s must be valid JSON", prefix, contentType)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// event builds an event item sent by participant p (or by the system when p is nil).
func (s *Service) event(c *parley.Contact, p *parley.Participant, contentType string, at time.Time) *parley.Item {
	it := &parley.Item{ChainID: c.InitialContactID, ContactID: c.ID, ID: newID(), Type: parley.ItemEvent,
		ContentType: contentType, Role: parley.RoleSystem, Time: at}
	if p != nil {
		it.ParticipantID, it.DisplayName, it.Role = p.ID, p.DisplayName, p.Role
	}
	return it
}

func (s *Service) message(c *parley.Contact, p *parley.Participant, contentType, content string, at time.Time) *parley.Item {
	return &parley.Item{ChainID: c.InitialContactID, ContactID: c.ID, ID: newID(), Type: parley.ItemMessage,
		ContentType: contentType, Content: content, ParticipantID: p.ID, DisplayName: p.DisplayName,
		Role: p.Role, Time: at}
}

// contactOf loads a contact of an instance; ENOTFOUND if it does not exist there.
func (s *Service) contactOf(ctx context.Context, r parley.Reader, instanceID, contactID string) (*parley.Contact, error) {
	inst, err := s.Instance(ctx, instanceID)
	if err != nil {
		return nil, err
	}
	c, err := r.GetContact(ctx, contactID)
	if parley.IsCode(err, parley.ENOTFOUND) || (err == nil && c.InstanceID != inst.ID) {
		return nil, parley.NotFound("CONTACT", "contact %s not found in instance %s", contactID, inst.ID)
	}
	return c, err
}

// CreateParticipant adds a CUSTOM_BOT participant to an active chat. Errors: ENOTFOUND (instance, contact),
// EREQUEST (ended contact, unsupported role), EQUOTA (a bot is already on the contact).
func (s *Service) CreateParticipant(ctx context.Context, in CreateParticipantInput) (*CreateParticipantOutput, error) {
	c, err := s.contactOf(ctx, s.store, in.InstanceID, in.ContactID)
	if err != nil {
		return nil, err
	}
	role := in.Role
	if role == "" {
		role = parley.RoleCustomBot
	}
	if role != parley.RoleCustomBot {
		return nil, parley.Errorf(parley.EREQUEST, "ParticipantRole %s cannot be added with CreateParticipant: only CUSTOM_BOT", role)
	}
	scope := "CreateParticipant:" + c.ID
	if in.ClientToken != "" {
		if out, err := s.replayParticipant(ctx, scope, in.ClientToken); err == nil || !parley.IsCode(err, parley.ENOTFOUND) {
			return out, err
		}
	}
	name := in.DisplayName
	if name == "" {
		name = "BOT"
	}
	pid := newID()
	token := newParticipantToken()
	_, err = s.commit(ctx, func(tx parley.Tx, ch *Change) error {
		c, err := tx.ActiveContact(ctx, c.InitialContactID)
		if err != nil {
			return err
		}
		if !c.Active() {
			return parley.Errorf(parley.EREQUEST, "contact %s has ended", c.ID)
		}
		ps, err := chainParticipants(ctx, tx, c)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if p.Role == parley.RoleCustomBot && p.State == parley.ParticipantJoined {
				return parley.Errorf(parley.EQUOTA, "contact %s already has a custom bot participant (limit 1)", c.ID)
			}
		}
		now := s.now()
		p := &parley.Participant{ID: pid, ContactID: c.ID, ChainID: c.InitialContactID, Role: role,
			DisplayName: name, TokenHash: hashToken(token), TokenSealed: s.sealToken(pid, token),
			State: parley.ParticipantJoined, JoinedAt: now}
		if err := tx.InsertParticipant(ctx, p); err != nil {
			return err
		}
		if err := ch.Append(ctx, s.event(c, p, parley.EventParticipantJoined, now)); err != nil {
			return err
		}
		if err := s.startTimers(ctx, tx, c, now); err != nil {
			return err
		}
		if in.ClientToken != "" {
			res, _ := json.Marshal(idemResult{ContactID: c.ID, ParticipantID: pid})
			return tx.PutIdempotent(ctx, scope, in.ClientToken, res)
		}
		return nil
	})
	if parley.IsCode(err, parley.ECONFLICT) && in.ClientToken != "" {
		return s.replayParticipant(ctx, scope, in.ClientToken)
	}
	if err != nil {
		return nil, err
	}
	return &CreateParticipantOutput{ParticipantID: pid, ParticipantToken: token, Expiry: s.chatEnd(c)}, nil
}

func (s *Service) replayParticipant(ctx context.Context, scope, token string) (*CreateParticipantOutput, error) {
	b, err := s.store.Idempotent(ctx, scope, token)
	if err != nil {
		return nil, err
	}
	var r idemResult
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, parley.Internal(err)
	}
	c, err := s.store.GetContact(ctx, r.ContactID)
	if err != nil {
		return nil, err
	}
	pt, err := s.storedParticipantToken(ctx, r.ParticipantID)
	if err != nil {
		return nil, err
	}
	return &CreateParticipantOutput{ParticipantID: r.ParticipantID, ParticipantToken: pt, Expiry: s.chatEnd(c)}, nil
}

// chatEnd is when the chat duration runs out.
func (s *Service) chatEnd(c *parley.Contact) time.Time {
	return c.InitiatedAt.Add(time.Duration(c.DurationMinutes) * time.Minute)
}

// StopContact ends a contact. Stopping an ended contact is not an error. Errors: ENOTFOUND.
func (s *Service) StopContact(ctx context.Context, instanceID, contactID string) error {
	c, err := s.contactOf(ctx, s.store, instanceID, contactID)
	if err != nil {
		return err
	}
	return s.end(ctx, c.ID, parley.ReasonAPI, nil, "")
}

// end ends a contact in one transaction: participant.left for leaver (when a participant's leaving ends the
// chat; leaveToken, if set, makes that event idempotent), chat.ended to everyone, every participant marked
// left. Ending an ended contact does nothing.
func (s *Service) end(ctx context.Context, contactID, reason string, leaver *parley.Participant, leaveToken string) error {
	ch, err := s.commit(ctx, func(tx parley.Tx, ch *Change) error {
		c, err := tx.GetContact(ctx, contactID)
		if err != nil {
			return err
		}
		if !c.Active() {
			return nil
		}
		return s.endIn(ctx, tx, ch, c, reason, leaver, leaveToken, s.now())
	})
	if err != nil {
		return err
	}
	if len(ch.Events) > 0 {
		s.log.InfoContext(ctx, "chat ended", "contact_id", contactID, "reason", reason)
	}
	return nil
}

// endIn ends an active contact inside a change: participant.left for leaver (with leaveToken as its
// idempotency key), chat.ended to everyone, the contact ended with reason, every participant of the chain
// marked left, contact.ended emitted.
func (s *Service) endIn(ctx context.Context, tx parley.Tx, ch *Change, c *parley.Contact, reason string,
	leaver *parley.Participant, leaveToken string, now time.Time) error {
	if leaver != nil {
		left := s.event(c, leaver, parley.EventParticipantLeft, now)
		left.ClientToken = leaveToken
		if err := ch.Append(ctx, left); err != nil {
			return err
		}
	}
	if err := ch.Append(ctx, s.event(c, nil, parley.EventChatEnded, now)); err != nil {
		return err
	}
	c.State, c.EndedAt, c.DueAt, c.DisconnectReason, c.UpdatedAt = parley.ContactEnded, now, time.Time{}, reason, now
	c.FlowWakeAt = time.Time{}
	if err := tx.UpdateContact(ctx, c); err != nil {
		return err
	}
	ps, err := chainParticipants(ctx, tx, c)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if p.State == parley.ParticipantJoined {
			p.State, p.LeftAt = parley.ParticipantLeft, now
			if err := tx.UpdateParticipant(ctx, p); err != nil {
				return err
			}
		}
	}
	ch.Emit(parley.EventContactEnded, c, now)
	return nil
}

// chainParticipants returns the participants of every contact of c's chain (the customer joined the first
// contact; agents join later ones), walking PreviousContactID back to the first contact.
func chainParticipants(ctx context.Context, r parley.Reader, c *parley.Contact) ([]*parley.Participant, error) {
	var all []*parley.Participant
	for id := c.ID; id != ""; {
		ps, err := r.ListParticipants(ctx, id)
		if err != nil {
			return nil, err
		}
		all = append(all, ps...)
		if id == c.InitialContactID {
			break
		}
		prev, err := r.GetContact(ctx, id)
		if err != nil {
			return nil, err
		}
		id = prev.PreviousContactID
	}
	return all, nil
}

// DescribeContact returns a contact of the instance. Errors: ENOTFOUND.
func (s *Service) DescribeContact(ctx context.Context, instanceID, contactID string) (*parley.Contact, error) {
	return s.contactOf(ctx, s.store, instanceID, contactID)
}

// ContactAttributes returns the attributes of the contact with the given initial contact id. Errors: ENOTFOUND.
func (s *Service) ContactAttributes(ctx context.Context, instanceID, initialContactID string) (map[string]string, error) {
	c, err := s.contactOf(ctx, s.store, instanceID, initialContactID)
	if err != nil {
		return nil, err
	}
	return c.Attributes, nil
}

// UpdateContactAttributes merges attrs into the contact's attributes (an empty value keeps the key with an
// empty value, as Connect does). Errors: ENOTFOUND, EINVALID (attribute rules).
func (s *Service) UpdateContactAttributes(ctx context.Context, instanceID, initialContactID string, attrs map[string]string) error {
	if err := checkAttributes(attrs); err != nil {
		return err
	}
	if _, err := s.contactOf(ctx, s.store, instanceID, initialContactID); err != nil {
		return err
	}
	_, err := s.commit(ctx, func(tx parley.Tx, _ *Change) error {
		c, err := tx.GetContact(ctx, initialContactID)
		if err != nil {
			return err
		}
		merged := make(map[string]string, len(c.Attributes)+len(attrs))
		for k, v := range c.Attributes {
			merged[k] = v
		}
		for k, v := range attrs {
			merged[k] = v
		}
		if err := checkAttributes(merged); err != nil {
			return err
		}
		c.Attributes, c.UpdatedAt = merged, s.now()
		return tx.UpdateContact(ctx, c)
	})
	return err
}

// Run fires contact timers until ctx is done: chats whose customer never connected within the connect window,
// and chats whose duration ran out, end with chat.ended; flows' timers and participants' idle and
// auto-disconnect timers (timers.go) fire. Timers are a duty of one node: Run fires them only
// while it holds the "timers" lease, which it renews at every tick and releases when ctx ends.
func (s *Service) Run(ctx context.Context) {
	timers := lease.New(s.store, "timers", s.cfg.NodeID, s.clock, 0, s.log, nil)
	defer timers.Release(context.WithoutCancel(ctx))
	t := time.NewTicker(s.cfg.TimerInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if !timers.Try(ctx) {
				continue
			}
			if _, err := s.ExpireDue(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("contact timers", "err", err)
			}
			if _, err := s.FireFlowTimers(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("flow timers", "err", err)
			}
			if _, err := s.FireParticipantTimers(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("participant timers", "err", err)
			}
		}
	}
}

// ExpireDue ends every contact whose timer is due now and returns how many it ended.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	n := 0
	for {
		due, err := s.store.DueContacts(ctx, s.now(), 100)
		if err != nil || len(due) == 0 {
			return n, err
		}
		for _, c := range due {
			reason := parley.ReasonExpired
			if c.ConnectedAt.IsZero() {
				reason = parley.ReasonNeverConnected
			}
			if err := s.end(ctx, c.ID, reason, nil, ""); err != nil {
				return n, err
			}
			n++
		}
	}
}
