package connect

import (
	"context"
	"encoding/json"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/chat"
	"github.com/parley-chat/parley/wire"
)

// searchContacts is SearchContacts: an instance's contacts, active and ended, by time range, channel, queue,
// agent, initiation method and contact attributes (chat.SearchContacts). Criteria parley has nothing to match
// against are refused rather than ignored.
func (h *handler) searchContacts(ctx context.Context, in *wire.SearchContactsRequest) (*wire.SearchContactsResponse, error) {
	tr := in.TimeRange
	sin := chat.SearchInput{InstanceID: deref(in.InstanceID), TimeField: deref(tr.Type),
		From: epochTime(tr.StartTime), To: epochTime(tr.EndTime), NextToken: deref(in.NextToken)}
	if in.MaxResults != nil {
		sin.MaxResults = *in.MaxResults
	}
	if s := in.Sort; s != nil {
		sin.SortField, sin.Ascending = deref(s.FieldName), deref(s.Order) == "ASCENDING"
	}
	if sc := in.SearchCriteria; sc != nil {
		for name, set := range map[string]bool{"Name": sc.Name != nil, "AgentHierarchyGroups": sc.AgentHierarchyGroups != nil,
			"RoutingCriteria": sc.RoutingCriteria != nil, "AdditionalTimeRange": sc.AdditionalTimeRange != nil,
			"SearchableSegmentAttributes": sc.SearchableSegmentAttributes != nil, "ActiveRegions": len(sc.ActiveRegions) > 0,
			"ContactTags": sc.ContactTags != nil} {
			if set {
				return nil, parley.Invalid("SearchCriteria."+name, "SearchCriteria.%s is not supported by parley", name)
			}
		}
		sin.Channels, sin.QueueIDs, sin.AgentIDs, sin.Methods = sc.Channels, sc.QueueIDs, sc.AgentIDs, sc.InitiationMethods
		if a := sc.SearchableContactAttributes; a != nil {
			switch deref(a.MatchType) {
			case "", "MATCH_ALL":
			case "MATCH_ANY":
				sin.MatchAny = true
			default:
				return nil, parley.Invalid("SearchCriteria.SearchableContactAttributes.MatchType",
					"MatchType %s is not supported by parley: use MATCH_ALL or MATCH_ANY", deref(a.MatchType))
			}
			for _, c := range a.Criteria {
				sin.Attributes = append(sin.Attributes, chat.AttributeCriterion{Key: deref(c.Key), Values: c.Values})
			}
		}
	}
	out, err := h.svc.SearchContacts(ctx, sin)
	if err != nil {
		return nil, err
	}
	inst, err := h.svc.Instance(ctx, sin.InstanceID)
	if err != nil {
		return nil, err
	}
	resp := &wire.SearchContactsResponse{Contacts: []wire.ContactSearchSummary{}, TotalCount: int64(out.Total),
		NextToken: out.NextToken}
	for _, c := range out.Contacts {
		resp.Contacts = append(resp.Contacts, contactSummary(c, inst.ARN))
	}
	return resp, nil
}

func contactSummary(c *parley.Contact, instanceARN string) wire.ContactSearchSummary {
	s := wire.ContactSearchSummary{Arn: instanceARN + "/contact/" + c.ID, ID: c.ID, InitialContactID: c.InitialContactID,
		PreviousContactID: c.PreviousContactID, InitiationMethod: c.InitiationMethod, Channel: string(c.Channel),
		InitiationTimestamp: wire.Epoch(c.InitiatedAt), DisconnectTimestamp: wire.Epoch(c.EndedAt), Name: c.Name}
	if c.QueueID != "" {
		s.QueueInfo = &wire.ContactSearchSummaryQueueInfo{ID: c.QueueID, EnqueueTimestamp: wire.Epoch(c.EnqueuedAt)}
	}
	if c.AgentID != "" {
		s.AgentInfo = &wire.ContactSearchSummaryAgentInfo{ID: c.AgentID, ConnectedToAgentTimestamp: wire.Epoch(c.AgentConnectedAt)}
	}
	var seg map[string]wire.SegmentAttributeValue
	if len(c.SegmentAttributes) > 0 && json.Unmarshal(c.SegmentAttributes, &seg) == nil {
		s.SegmentAttributes = map[string]wire.ContactSearchSummarySegmentAttributeValue{}
		for k, v := range seg {
			s.SegmentAttributes[k] = wire.ContactSearchSummarySegmentAttributeValue{ValueString: deref(v.ValueString)}
		}
	}
	return s
}

// epochTime converts the wire's epoch seconds to a time; nil is the zero time.
func epochTime(e *wire.EpochSeconds) time.Time {
	if e == nil {
		return time.Time{}
	}
	return time.UnixMilli(int64(float64(*e) * 1000))
}
