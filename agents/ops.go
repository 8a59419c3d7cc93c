package agents

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/auth"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/routing"
)

func hashToken(t string) []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}

// Login checks a username and password and opens a session. instanceID may be empty when there is one instance.
// Errors: EACCESS for an unknown user or a wrong password (the same message for both).
func (s *Service) Login(ctx context.Context, instanceID, username, password string) (token string, expiry time.Time, u *parley.User, err error) {
	denied := parley.Errorf(parley.EACCESS, "wrong username or password")
	if instanceID == "" {
		ins, err := s.store.ListInstances(ctx)
		if err != nil {
			return "", time.Time{}, nil, err
		}
		if len(ins) != 1 {
			return "", time.Time{}, nil, parley.Invalid("InstanceId", "InstanceId is required: the server has %d instances", len(ins))
		}
		instanceID = ins[0].ID
	}
	u, err = s.store.UserByUsername(ctx, instanceID, username)
	if parley.IsCode(err, parley.ENOTFOUND) {
		// Spend the time a password check takes, so timing does not tell which usernames exist.
		_, _ = auth.CheckPassword(dummyHash, password)
		return "", time.Time{}, nil, denied
	}
	if err != nil {
		return "", time.Time{}, nil, err
	}
	ok, err := auth.CheckPassword(u.PasswordHash, password)
	if err != nil || !ok {
		return "", time.Time{}, nil, denied
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", time.Time{}, nil, err
	}
	token = "A" + base64.RawURLEncoding.EncodeToString(b[:])
	now := s.now()
	expiry = now.Add(s.cfg.SessionTTL)
	err = s.store.Update(ctx, func(tx parley.Tx) error {
		return tx.PutAgentSession(ctx, &parley.AgentSession{TokenHash: hashToken(token), UserID: u.ID, CreatedAt: now, ExpiresAt: expiry})
	})
	if err != nil {
		return "", time.Time{}, nil, err
	}
	s.log.InfoContext(ctx, "agent logged in", "user_id", u.ID, "username", u.Username)
	return token, expiry, u, nil
}

var dummyHash = func() string {
	h, err := auth.HashPassword("parley-timing-equalizer")
	if err != nil {
		panic(err)
	}
	return h
}()

// Authenticate finds the user behind a session token. Errors: EACCESS (unknown or expired session).
func (s *Service) Authenticate(ctx context.Context, token string) (*parley.User, error) {
	sess, err := s.store.AgentSession(ctx, hashToken(token))
	if parley.IsCode(err, parley.ENOTFOUND) {
		return nil, parley.Errorf(parley.EACCESS, "invalid session token: log in again")
	}
	if err != nil {
		return nil, err
	}
	if !s.now().Before(sess.ExpiresAt) {
		return nil, parley.Errorf(parley.EACCESS, "the session has expired: log in again")
	}
	return s.store.GetUser(ctx, sess.UserID)
}

// Logout ends a session and sets the agent Offline (its offers go back to their queues).
func (s *Service) Logout(ctx context.Context, u *parley.User, token string) error {
	if err := s.store.Update(ctx, func(tx parley.Tx) error { return tx.DeleteAgentSession(ctx, hashToken(token)) }); err != nil {
		return err
	}
	return s.SetStatus(ctx, u, "Offline")
}

// SetStatus sets the agent's status by name (Available, Offline or a custom status of the instance). Setting a
// status clears the Missed state. Errors: EINVALID for an unknown or disabled status.
func (s *Service) SetStatus(ctx context.Context, u *parley.User, name string) error {
	statuses, err := s.store.ListAgentStatuses(ctx, u.InstanceID)
	if err != nil {
		return err
	}
	var st *parley.AgentStatus
	for _, x := range statuses {
		if strings.EqualFold(x.Name, name) {
			st = x
		}
	}
	if st == nil {
		var names []string
		for _, x := range statuses {
			names = append(names, x.Name)
		}
		return parley.Invalid("Status", "Status %q is not an agent status of this instance (have %s)", name, strings.Join(names, ", "))
	}
	if err := s.admin.PutUserStatus(ctx, u.InstanceID, u.ID, st.ID); err != nil {
		if parley.IsCode(err, parley.EREQUEST) {
			return parley.Invalid("Status", "%s", err.(*parley.Error).Message)
		}
		return err
	}
	// The admin service announces the status on the bus, also when it is set again (Available after Missed),
	// and the routing service applies it from there.
	return nil
}

// State returns the agent's state as its workspace shows it; on a node that does not route, the routing node's
// (reads.go).
func (s *Service) State(u *parley.User) State {
	st, _ := remoteRead(context.Background(), s, readState, u.ID, "", noErr(func() State { return s.localState(u.ID) }))
	return st
}

// localState is the agent's state in this node's memory.
func (s *Service) localState(userID string) State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state(userID)
}

// state builds an agent's state. Callers hold the lock.
func (s *Service) state(userID string) State {
	st := State{UserID: userID, System: SystemOffline, Contacts: []ContactView{}}
	statusType := parley.StatusOffline
	a := s.agents[userID]
	if a != nil {
		st.Username = a.user.Username
		st.Slots = slots(a)
		if a.status != nil {
			status := *a.status
			st.Status, st.StatusSince, statusType = &status, a.user.StatusSince, a.status.Type
		}
	}
	offered, connected, acw := 0, 0, 0
	for _, w := range s.work {
		if w.agentID != userID {
			continue
		}
		st.Contacts = append(st.Contacts, *s.view(w))
		switch w.state {
		case ContactOffered:
			offered++
		case ContactACW:
			acw++
		default:
			connected++
		}
	}
	switch {
	case a != nil && a.missed:
		st.System = SystemMissed
	case connected > 0:
		st.System = SystemBusy
	case offered > 0:
		st.System = SystemPending
	case acw > 0:
		st.System = SystemACW
	case statusType == parley.StatusRoutable:
		st.System = SystemAvailable
	case statusType == parley.StatusCustom:
		st.System = SystemCustom
	}
	return st
}

// view is a contact as its agent sees it. Callers hold the lock.
func (s *Service) view(w *work) *ContactView {
	c := w.contact
	v := &ContactView{ContactID: c.ID, InitialContactID: c.InitialContactID, QueueID: c.QueueID, State: w.state,
		AgentID: w.agentID, Attributes: c.Attributes, ParticipantID: w.participant, ConnectedAt: w.connectedAt,
		CustomerID: c.CustomerID}
	if v.State == "" {
		v.State = ContactOffered
	}
	if w.state == ContactOffered {
		v.OfferDeadline = w.deadline
	}
	if !w.endedAt.IsZero() {
		v.EndedAt, v.EndReason = w.endedAt, w.endReason
	}
	if w.participant != "" && w.state == ContactConnected {
		v.ParticipantToken = w.token
	}
	return v
}

// Contacts returns the agent's offered, connected and after-contact-work contacts.
func (s *Service) Contacts(u *parley.User) []ContactView {
	return s.State(u).Contacts
}

// Accept accepts an offer: the agent joins the chat. It returns the contact with the ParticipantId and
// ParticipantToken the agent connects with. Errors: ECONFLICT when there is no pending offer (expired,
// withdrawn, another agent's).
func (s *Service) Accept(ctx context.Context, u *parley.User, contactID string) (*ContactView, error) {
	if !s.isLeader() {
		r, err := s.forward(ctx, action{Act: actAccept, UserID: u.ID, ContactID: contactID})
		if err != nil {
			return nil, err
		}
		return r.Contact, nil
	}
	var err error
	s.locked(func(now time.Time) {
		if err = s.engine.Accept(contactID, u.ID, now); err != nil {
			return
		}
		if w := s.work[contactID]; w != nil {
			w.state = ""
		}
	})
	if errors.Is(err, routing.ErrNoOffer) {
		return nil, parley.Errorf(parley.ECONFLICT, "no pending offer of contact %s: it expired or was withdrawn", contactID)
	}
	if err != nil {
		return nil, err
	}
	p, token, err := s.chat.JoinAgent(ctx, contactID, u)
	c, cerr := s.store.GetContact(ctx, contactID)
	customer := ""
	if cerr == nil {
		customer = s.chat.CustomerName(ctx, c)
	}
	var out *ContactView
	s.locked(func(now time.Time) {
		w := s.work[contactID]
		if err != nil || cerr != nil || w == nil {
			// The chat ended before the agent could join: free the slot.
			delete(s.work, contactID)
			s.engine.Release(contactID, u.ID, now)
			s.dispatch(now)
			s.notifyState(u.ID)
			return
		}
		w.participant, w.token, w.contact = p.ID, token, c
		w.state, w.connectedAt = ContactConnected, now
		out = s.view(w)
		out.CustomerName = customer
		ev := *out // the stream encodes its copy while the caller keeps out
		s.notify(u.ID, Event{Kind: EventContactConnected, Contact: &ev})
		if w.endedWhileAccepting || !c.Active() {
			// The chat ended right after the agent joined: after-contact work.
			reason := w.endReason
			if reason == "" {
				reason = c.DisconnectReason
			}
			s.enterACW(w, reason, now)
			s.notify(u.ID, Event{Kind: EventContactEnded, ContactID: c.ID, Reason: w.endReason, Contact: s.view(w)})
		}
		s.notifyState(u.ID)
	})
	if parley.IsCode(err, parley.EREQUEST) || (err == nil && out == nil) {
		return nil, parley.Errorf(parley.ECONFLICT, "contact %s ended before it could be accepted", contactID)
	}
	if err != nil {
		return nil, err
	}
	if cerr != nil {
		return nil, cerr
	}
	return out, nil
}

// Reject rejects an offer: the contact goes back to its queue, preferably to another agent. Errors: ECONFLICT.
func (s *Service) Reject(ctx context.Context, u *parley.User, contactID string) error {
	if !s.isLeader() {
		_, err := s.forward(ctx, action{Act: actReject, UserID: u.ID, ContactID: contactID})
		return err
	}
	var err error
	s.locked(func(now time.Time) {
		if err = s.engine.Reject(contactID, u.ID, now); err != nil {
			return
		}
		delete(s.work, contactID)
		s.notify(u.ID, Event{Kind: EventOfferWithdrawn, ContactID: contactID, Reason: "rejected"})
		s.notifyState(u.ID)
		s.dispatch(now)
	})
	if errors.Is(err, routing.ErrNoOffer) {
		return parley.Errorf(parley.ECONFLICT, "no pending offer of contact %s", contactID)
	}
	return err
}

// connected returns the agent's connected contact or an error.
func (s *Service) connected(u *parley.User, contactID string) (*parley.Contact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.work[contactID]
	if w == nil || w.agentID != u.ID {
		return nil, parley.NotFound("CONTACT", "contact %s is not one of your contacts", contactID)
	}
	if w.state != ContactConnected {
		return nil, parley.Errorf(parley.ECONFLICT, "contact %s is not connected (state %s)", contactID, w.state)
	}
	return w.contact, nil
}

// Transfer moves the agent's contact to a queue, a quick connect or a user; the agent leaves the chat and enters
// after-contact work. It returns the new contact's id. Errors: ENOTFOUND, ECONFLICT, EINVALID.
func (s *Service) Transfer(ctx context.Context, u *parley.User, contactID string, to TransferTarget) (string, error) {
	if !s.isLeader() {
		r, err := s.forward(ctx, action{Act: actTransfer, UserID: u.ID, ContactID: contactID, Target: &to})
		if err != nil {
			return "", err
		}
		return r.Result, nil
	}
	n := 0
	for _, v := range []string{to.QueueID, to.QuickConnectID, to.UserID} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		return "", parley.Invalid("QueueId", "give exactly one of QueueId, QuickConnectId and UserId")
	}
	c, err := s.connected(u, contactID)
	if err != nil {
		return "", err
	}
	queue, userID, flowID := to.QueueID, to.UserID, ""
	if to.QuickConnectID != "" {
		qc, err := s.store.GetQuickConnect(ctx, to.QuickConnectID)
		if err != nil || qc.InstanceID != c.InstanceID {
			return "", parley.NotFound("QUICK_CONNECT", "quick connect %s not found", to.QuickConnectID)
		}
		queue, userID, flowID = qc.QueueID, qc.UserID, qc.ContactFlowID
	}
	if userID != "" {
		target, err := s.store.GetUser(ctx, userID)
		if err != nil || target.InstanceID != c.InstanceID {
			return "", parley.NotFound("USER", "user %s not found", userID)
		}
		queue = agentQueue(target.ID)
	}
	if queue == "" {
		return "", parley.Invalid("QuickConnectId", "quick connect %s transfers to neither a queue nor a user", to.QuickConnectID)
	}
	if s.full(ctx, queue) {
		if err := s.chat.TransferFailed(ctx, c.ID); err != nil {
			return "", err
		}
		return "", parley.Errorf(parley.ECONFLICT, "queue %s is at capacity: the contact stays with you", queue)
	}
	next, err := s.chat.Transfer(ctx, c.ID, queue, flowID)
	if err != nil {
		return "", err
	}
	return next.ID, nil
}

// End ends the agent's chat for everyone; the agent enters after-contact work.
func (s *Service) End(ctx context.Context, u *parley.User, contactID string) error {
	if !s.isLeader() {
		_, err := s.forward(ctx, action{Act: actEnd, UserID: u.ID, ContactID: contactID})
		return err
	}
	if _, err := s.connected(u, contactID); err != nil {
		return err
	}
	if err := s.chat.EndContact(ctx, contactID, u.ID); err != nil {
		return err
	}
	// The agent is in after-contact work when End answers, so that a Clear right after it finds it there: the
	// contact.ended event may come later, through another node's bus (applying it twice does nothing).
	if c, err := s.store.GetContact(ctx, contactID); err == nil && !c.Active() {
		s.contactEnded(c)
	}
	return nil
}

// Clear ends after-contact work on a contact: the slot frees. Errors: ENOTFOUND, ECONFLICT (not in ACW).
func (s *Service) Clear(ctx context.Context, u *parley.User, contactID string) error {
	if !s.isLeader() {
		_, err := s.forward(ctx, action{Act: actClear, UserID: u.ID, ContactID: contactID})
		return err
	}
	var err error
	s.locked(func(now time.Time) {
		w := s.work[contactID]
		if w == nil || w.agentID != u.ID {
			err = parley.NotFound("CONTACT", "contact %s is not one of your contacts", contactID)
			return
		}
		if w.state != ContactACW {
			err = parley.Errorf(parley.ECONFLICT, "contact %s is not in after-contact work", contactID)
			return
		}
		s.clear(contactID, w, now)
		s.dispatch(now)
	})
	return err
}

// Snapshot is the routing state for metrics and supervisor views.
func (s *Service) Snapshot() routing.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.engine.Snapshot()
}

// Describe fills in what the routing state does not hold, from the store: the queue's name and, where it is
// missing, the customer's display name. It takes no lock; a view whose contact or queue cannot be read keeps
// its blanks.
func (s *Service) Describe(ctx context.Context, views []ContactView) {
	names := map[string]string{}
	for i := range views {
		v := &views[i]
		if v.QueueID != "" {
			name, ok := names[v.QueueID]
			if !ok {
				if q, err := s.store.GetQueue(ctx, v.QueueID); err == nil {
					name = q.Name
				}
				names[v.QueueID] = name
			}
			v.QueueName = name
		}
		if v.CustomerName == "" {
			if c, err := s.store.GetContact(ctx, v.ContactID); err == nil {
				v.CustomerName = s.chat.CustomerName(ctx, c)
			}
		}
	}
}

// LiveContacts returns every contact held by an agent (offered, connected, ACW) and every waiting contact; on a
// node that does not route, the routing node's (reads.go).
func (s *Service) LiveContacts() []ContactView {
	v, _ := remoteRead(context.Background(), s, readLiveContacts, "", "", noErr(s.localLiveContacts))
	return v
}

// localLiveContacts are the live contacts in this node's memory.
func (s *Service) localLiveContacts() []ContactView {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ContactView
	for _, w := range s.work {
		out = append(out, *s.view(w))
	}
	for _, q := range s.engine.Snapshot().Queues {
		for _, c := range q.Waiting {
			out = append(out, ContactView{ContactID: c.ID, QueueID: c.QueueID, State: ContactQueued})
		}
	}
	for i := range out {
		out[i].ParticipantToken = ""
	}
	return out
}

// Agents returns the state of every agent the routing knows; on a node that does not route, the routing node's
// (reads.go).
func (s *Service) Agents() []State {
	v, _ := remoteRead(context.Background(), s, readAgents, "", "", noErr(s.localAgents))
	return v
}

// localAgents are the agents in this node's memory.
func (s *Service) localAgents() []State {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []State
	for id := range s.agents {
		st := s.state(id)
		for i := range st.Contacts {
			st.Contacts[i].ParticipantToken = ""
		}
		out = append(out, st)
	}
	return out
}

// maxTranscriptPage bounds one page of ContactTranscript.
const maxTranscriptPage = 200

// ContactTranscript returns a page of the transcript of a contact's chat, active or ended, as its participants saw
// it (messages, attachments and events; no typing, no receipts), oldest first, with the past sessions a persistent
// chat continues before its own items (chat.History): items after the token after ("" from the start), at most
// size (1 to 200; 0 means 200), and the page's NextToken to continue with ("" at the end). A supervisor or admin may read
// any chat of its instance, an agent the chats it handled. Errors: ENOTFOUND (no such contact in the user's
// instance), EACCESS (an agent who did not handle it), EINVALID (a token of another transcript).
func (s *Service) ContactTranscript(ctx context.Context, u *parley.User, contactID, after string, size int) (*chat.TranscriptPage, error) {
	if size <= 0 || size > maxTranscriptPage {
		size = maxTranscriptPage
	}
	c, err := s.store.GetContact(ctx, contactID)
	if err != nil || c.InstanceID != u.InstanceID {
		return nil, parley.NotFound("CONTACT", "contact %s not found", contactID)
	}
	if u.Role != parley.UserSupervisor && u.Role != parley.UserAdmin {
		ps, err := s.store.ListParticipantsByUser(ctx, u.ID, false)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(ps, func(p *parley.Participant) bool { return p.ChainID == c.InitialContactID }) {
			return nil, parley.Errorf(parley.EACCESS, "you did not handle contact %s", contactID)
		}
	}
	return s.chat.History(ctx, c, after, size)
}
