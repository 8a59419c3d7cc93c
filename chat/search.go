package chat

import (
	"context"
	"crypto/subtle"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parley-chat/parley"
)

// Contact search (the Connect API's SearchContacts): an instance's contacts, active and ended, by a time range
// and criteria, so that a chat can be found again once it is over.

// Time fields a search ranges and sorts over.
const (
	SearchInitiation  = "INITIATION_TIMESTAMP"
	SearchConnected   = "CONNECTED_TO_AGENT_TIMESTAMP"
	SearchDisconnect  = "DISCONNECT_TIMESTAMP"
	SearchEnqueue     = "ENQUEUE_TIMESTAMP"
	SearchScheduled   = "SCHEDULED_TIMESTAMP"
	searchMethodField = "INITIATION_METHOD"
	searchChannel     = "CHANNEL"
)

const (
	// maxSearchScan bounds the contacts one search reads: a wider range must be narrowed.
	maxSearchScan = 20000
	// maxChatSpan is the longest a chat lives (ChatDurationInMinutes' 7 days): a search by a later time field
	// reads contacts initiated that much before its range.
	maxChatSpan = 7 * 24 * time.Hour
)

// SearchInput is a contact search. Attribute criteria match a contact whose attribute Key has one of Values;
// MatchAny asks for any criterion instead of all.
type SearchInput struct {
	InstanceID                            string
	TimeField                             string
	From, To                              time.Time
	Channels, QueueIDs, AgentIDs, Methods []string
	Attributes                            []AttributeCriterion
	MatchAny                              bool
	SortField                             string // default INITIATION_TIMESTAMP
	Ascending                             bool   // default newest first
	MaxResults                            int    // default 100
	NextToken                             string
}

// AttributeCriterion is one contact attribute a search matches.
type AttributeCriterion struct {
	Key    string
	Values []string
}

// SearchOutput is one page of a search and how many contacts match in all.
type SearchOutput struct {
	Contacts  []*parley.Contact
	Total     int
	NextToken string
}

// SearchContacts finds contacts. Errors: ENOTFOUND (instance), EINVALID (a time range that ends before it
// starts, an unknown field, a bad NextToken), EREQUEST (a range holding more contacts than one search reads).
func (s *Service) SearchContacts(ctx context.Context, in SearchInput) (*SearchOutput, error) {
	inst, err := s.Instance(ctx, in.InstanceID)
	if err != nil {
		return nil, err
	}
	if !in.From.Before(in.To) {
		return nil, parley.Invalid("TimeRange", "TimeRange.StartTime must be before TimeRange.EndTime")
	}
	at, ok := searchTime(in.TimeField)
	if !ok {
		return nil, parley.Invalid("TimeRange.Type", "TimeRange.Type %s is not one parley searches", in.TimeField)
	}
	from := in.From
	if in.TimeField != SearchInitiation {
		from = from.Add(-maxChatSpan)
	}
	all, err := s.store.ListContacts(ctx, parley.ContactQuery{InstanceID: inst.ID, From: from, To: in.To, Limit: maxSearchScan + 1})
	if err != nil {
		return nil, err
	}
	if len(all) > maxSearchScan {
		return nil, parley.Errorf(parley.EREQUEST, "the time range holds more than %d contacts: narrow it", maxSearchScan)
	}
	var found []*parley.Contact
	for _, c := range all {
		if t := at(c); !t.IsZero() && !t.Before(in.From) && t.Before(in.To) && in.matches(c) {
			found = append(found, c)
		}
	}
	key, ok := searchSortKey(in.SortField)
	if !ok {
		return nil, parley.Invalid("Sort.FieldName", "Sort.FieldName %s is not one parley sorts by", in.SortField)
	}
	slices.SortStableFunc(found, key) // ties keep the order they were stored in
	if !in.Ascending {
		slices.Reverse(found)
	}
	size := in.MaxResults
	if size <= 0 {
		size = 100
	}
	start := 0
	if in.NextToken != "" {
		if start, err = s.parseSearchToken(inst.ID, in.NextToken); err != nil {
			return nil, err
		}
	}
	out := &SearchOutput{Total: len(found)}
	if start < len(found) {
		end := min(start+size, len(found))
		out.Contacts = found[start:end]
		if end < len(found) {
			out.NextToken = s.searchToken(inst.ID, end)
		}
	}
	return out, nil
}

// matches applies the criteria other than time.
func (in *SearchInput) matches(c *parley.Contact) bool {
	if len(in.Channels) > 0 && !slices.Contains(in.Channels, string(c.Channel)) {
		return false
	}
	if len(in.QueueIDs) > 0 && !slices.Contains(in.QueueIDs, c.QueueID) {
		return false
	}
	if len(in.AgentIDs) > 0 && !slices.Contains(in.AgentIDs, c.AgentID) {
		return false
	}
	if len(in.Methods) > 0 && !slices.Contains(in.Methods, c.InitiationMethod) {
		return false
	}
	if len(in.Attributes) == 0 {
		return true
	}
	for _, a := range in.Attributes {
		v, ok := c.Attributes[a.Key]
		hit := ok && (len(a.Values) == 0 || slices.Contains(a.Values, v))
		if hit && in.MatchAny {
			return true
		}
		if !hit && !in.MatchAny {
			return false
		}
	}
	return !in.MatchAny
}

// searchTime returns the contact time a range applies to.
func searchTime(field string) (func(*parley.Contact) time.Time, bool) {
	switch field {
	case SearchInitiation, "":
		return func(c *parley.Contact) time.Time { return c.InitiatedAt }, true
	case SearchConnected:
		return func(c *parley.Contact) time.Time { return c.AgentConnectedAt }, true
	case SearchDisconnect:
		return func(c *parley.Contact) time.Time { return c.EndedAt }, true
	case SearchEnqueue:
		return func(c *parley.Contact) time.Time { return c.EnqueuedAt }, true
	case SearchScheduled: // chats are never scheduled
		return func(*parley.Contact) time.Time { return time.Time{} }, true
	}
	return nil, false
}

// searchSortKey compares two contacts by a sort field, ascending.
func searchSortKey(field string) (func(a, b *parley.Contact) int, bool) {
	switch field {
	case searchMethodField:
		return func(a, b *parley.Contact) int { return strings.Compare(a.InitiationMethod, b.InitiationMethod) }, true
	case searchChannel:
		return func(a, b *parley.Contact) int { return strings.Compare(string(a.Channel), string(b.Channel)) }, true
	case "", "EXPIRY_TIMESTAMP":
		field = SearchInitiation
	}
	at, ok := searchTime(field)
	if !ok {
		return nil, false
	}
	return func(a, b *parley.Contact) int { return at(a).Compare(at(b)) }, true
}

// searchToken is the NextToken of a search: the offset of the next page, MACed to the instance.
func (s *Service) searchToken(instanceID string, offset int) string {
	body := strconv.Itoa(offset)
	return body + "." + b64.EncodeToString(s.mac("search", instanceID, body)[:16])
}

func (s *Service) parseSearchToken(instanceID, token string) (int, error) {
	bad := parley.Invalid("NextToken", "NextToken is not a token of this search")
	body, sig, ok := strings.Cut(token, ".")
	got, err := b64.DecodeString(sig)
	if !ok || err != nil || subtle.ConstantTimeCompare(got, s.mac("search", instanceID, body)[:16]) != 1 {
		return 0, bad
	}
	n, err := strconv.Atoi(body)
	if err != nil || n < 0 {
		return 0, bad
	}
	return n, nil
}
