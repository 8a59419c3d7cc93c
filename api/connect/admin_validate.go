package connect

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/admin"
	"github.com/parley-chat/parley/api/httpapi"
	"github.com/parley-chat/parley/auth"
	"github.com/parley-chat/parley/wire"
)

// The validators of the admin operations enforce every length, range, enum, list-size and required-member
// constraint of aws-sdk-go-v2 service/connect v1.175.2's model for the members parley reads, and for the members
// it accepts and ignores (telephony, email, tags), so that a request Amazon Connect would refuse is refused here
// too. Members are named as in the other validators ("QueueConfigs[0].QueueReference.Channel"). They are written
// by hand because the model parley generates from (../shared/spec/connect-chat-subset.json) does not describe
// the admin operations; the generic handler (operation.go) checks the InstanceId label before they run.

// checkTags checks a TagMap: 1..50 entries; keys 1..128 characters of letters, spaces, digits and _.:/=+-@, not
// starting with "aws:"; values at most 256 characters.
func checkTags(c *httpapi.Check, tags map[string]string) {
	if tags == nil {
		return
	}
	if n := len(tags); n < 1 || n > 50 {
		c.Fail("Tags", "Tags must have 1 to 50 entries (got %d)", n)
		return
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		c.Len("Tags", k, 1, 128)
		if strings.HasPrefix(k, "aws:") || strings.IndexFunc(k, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.Is(unicode.Z, r) && !unicode.IsNumber(r) &&
				!strings.ContainsRune("_.:/=+-@", r)
		}) >= 0 {
			c.Fail("Tags", "tag key %q may contain only letters, spaces, digits and _.:/=+-@, and must not start with aws:",
				truncate(k, 64))
		}
		c.Len("Tags."+truncate(k, 64), tags[k], 0, 256)
	}
}

// checkInstance checks the InstanceId label.
func checkInstance(c *httpapi.Check, id string) { c.Len("InstanceId", id, 1, 100) }

// createQueueInput validates a CreateQueue request.
func createQueueInput(req *wire.CreateQueueRequest) (admin.QueueInput, error) {
	var c httpapi.Check
	c.String("Name", req.Name, true, 1, 127)
	c.String("Description", req.Description, false, 1, 250)
	if oc := req.OutboundCallerConfig; oc != nil {
		c.String("OutboundCallerConfig.OutboundCallerIdName", oc.OutboundCallerIDName, false, 1, 255)
		c.String("OutboundCallerConfig.OutboundFlowId", oc.OutboundFlowID, false, 0, 500)
	}
	if oe := req.OutboundEmailConfig; oe != nil {
		c.String("OutboundEmailConfig.OutboundEmailAddressId", oe.OutboundEmailAddressID, false, 1, 500)
	}
	c.String("HoursOfOperationId", req.HoursOfOperationID, true, 0, 0)
	c.Int("MaxContacts", req.MaxContacts, false, 0, int(^uint32(0)>>1))
	if req.QuickConnectIDs != nil {
		if n := len(req.QuickConnectIDs); n < 1 || n > 50 {
			c.Fail("QuickConnectIds", "QuickConnectIds must have 1 to 50 items (got %d)", n)
		}
	}
	if req.EmailAddressesConfig != nil {
		if n := len(req.EmailAddressesConfig); n < 1 || n > 50 {
			c.Fail("EmailAddressesConfig", "EmailAddressesConfig must have 1 to 50 items (got %d)", n)
		}
		for i, e := range req.EmailAddressesConfig {
			c.String(fmt.Sprintf("EmailAddressesConfig[%d].EmailAddressId", i), e.EmailAddressID, true, 1, 500)
		}
	}
	checkTags(&c, req.Tags)
	if err := c.Err(); err != nil {
		return admin.QueueInput{}, err
	}
	in := admin.QueueInput{Name: *req.Name, Description: deref(req.Description),
		HoursOfOperationID: *req.HoursOfOperationID, QuickConnectIDs: req.QuickConnectIDs}
	if req.MaxContacts != nil {
		in.MaxContacts = *req.MaxContacts
	}
	return in, nil
}

// queueConfigs validates a RoutingProfileQueueConfigList (1..10 items when present) and converts it.
func queueConfigs(c *httpapi.Check, field string, list []wire.RoutingProfileQueueConfig) []parley.RoutingProfileQueue {
	if list == nil {
		return nil
	}
	if n := len(list); n < 1 || n > 10 {
		c.Fail(field, "%s must have 1 to 10 items (got %d)", field, n)
	}
	out := make([]parley.RoutingProfileQueue, 0, len(list))
	for i, qc := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		c.Required(f+".QueueReference", qc.QueueReference != nil)
		if ref := qc.QueueReference; ref != nil {
			c.String(f+".QueueReference.QueueId", ref.QueueID, true, 0, 0)
			c.Enum(f+".QueueReference.Channel", ref.Channel, true, wire.Channels...)
		}
		c.Int(f+".Priority", qc.Priority, true, 1, admin.MaxPriority)
		c.Int(f+".Delay", qc.Delay, true, 0, admin.MaxDelay)
		if c.Err() == nil {
			out = append(out, parley.RoutingProfileQueue{QueueID: *qc.QueueReference.QueueID,
				Channel: parley.Channel(*qc.QueueReference.Channel), Priority: *qc.Priority, Delay: *qc.Delay})
		}
	}
	return out
}

// manualQueueConfigs validates a RoutingProfileManualAssignmentQueueConfigList, which parley accepts and ignores
// (it has no manual assignment).
func manualQueueConfigs(c *httpapi.Check, list []wire.RoutingProfileManualQueueConfig) {
	if list == nil {
		return
	}
	if n := len(list); n < 1 || n > 10 {
		c.Fail("ManualAssignmentQueueConfigs", "ManualAssignmentQueueConfigs must have 1 to 10 items (got %d)", n)
	}
	for i, qc := range list {
		f := fmt.Sprintf("ManualAssignmentQueueConfigs[%d]", i)
		c.Required(f+".QueueReference", qc.QueueReference != nil)
		if ref := qc.QueueReference; ref != nil {
			c.String(f+".QueueReference.QueueId", ref.QueueID, true, 0, 0)
			c.Enum(f+".QueueReference.Channel", ref.Channel, true, wire.Channels...)
		}
	}
}

// mediaConcurrencies validates MediaConcurrencies and returns the CHAT concurrency, or -1 when CHAT is not
// listed. The documented ranges: VOICE 1, CHAT 1..10, TASK 1..10 (and EMAIL 1..10, the model's range).
func mediaConcurrencies(c *httpapi.Check, list []wire.MediaConcurrency) int {
	chat := -1
	seen := map[string]bool{}
	for i, mc := range list {
		f := fmt.Sprintf("MediaConcurrencies[%d]", i)
		c.Enum(f+".Channel", mc.Channel, true, wire.Channels...)
		max := admin.MaxChatConcurrency
		if mc.Channel != nil && *mc.Channel == "VOICE" {
			max = 1
		}
		c.Int(f+".Concurrency", mc.Concurrency, true, 1, max)
		if cb := mc.CrossChannelBehavior; cb != nil {
			c.Enum(f+".CrossChannelBehavior.BehaviorType", cb.BehaviorType, true, wire.BehaviorTypes...)
		}
		if c.Err() != nil {
			return chat
		}
		if seen[*mc.Channel] {
			c.Fail(f+".Channel", "MediaConcurrencies lists channel %s twice", *mc.Channel)
		}
		seen[*mc.Channel] = true
		if *mc.Channel == string(parley.ChannelChat) {
			chat = *mc.Concurrency
		}
	}
	return chat
}

// createRoutingProfileInput validates a CreateRoutingProfile request.
func createRoutingProfileInput(req *wire.CreateRoutingProfileRequest) (admin.RoutingProfileInput, error) {
	var c httpapi.Check
	c.String("Name", req.Name, true, 1, 127)
	c.String("Description", req.Description, true, 1, 250)
	c.String("DefaultOutboundQueueId", req.DefaultOutboundQueueID, true, 0, 0)
	queues := queueConfigs(&c, "QueueConfigs", req.QueueConfigs)
	manualQueueConfigs(&c, req.ManualAssignmentQueueConfigs)
	c.Required("MediaConcurrencies", req.MediaConcurrencies != nil)
	chat := mediaConcurrencies(&c, req.MediaConcurrencies)
	checkTags(&c, req.Tags)
	c.Enum("AgentAvailabilityTimer", req.AgentAvailabilityTimer, false, wire.AgentAvailabilityTimers...)
	if err := c.Err(); err != nil {
		return admin.RoutingProfileInput{}, err
	}
	// A profile without CHAT in MediaConcurrencies takes no chats, as in Amazon Connect.
	return admin.RoutingProfileInput{Name: *req.Name, Description: *req.Description,
		DefaultOutboundQueueID: *req.DefaultOutboundQueueID, ChatConcurrency: max(chat, 0), Queues: queues}, nil
}

// phoneNumberPattern checks the model's E.164 PhoneNumber pattern.
func phoneNumberOK(s string) bool {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9' {
		return false
	}
	for i := 2; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// createUserInput validates a CreateUser request. Password is required although the model makes it optional:
// parley's instances manage their own identities (CONNECT_MANAGED), for which Amazon Connect requires one too.
func createUserInput(req *wire.CreateUserRequest) (admin.UserInput, error) {
	var c httpapi.Check
	c.String("Username", req.Username, true, 1, 100)
	c.Required("Password", req.Password != nil)
	if req.Password != nil {
		if msg := auth.CheckPolicy(*req.Password); msg != "" {
			c.Fail("Password", "Password %s", msg)
		}
	}
	if id := req.IdentityInfo; id != nil {
		c.String("IdentityInfo.FirstName", id.FirstName, false, 0, 255)
		c.String("IdentityInfo.LastName", id.LastName, false, 0, 300)
		c.String("IdentityInfo.Email", id.Email, false, 0, 0)
		c.String("IdentityInfo.SecondaryEmail", id.SecondaryEmail, false, 0, 0)
		if id.Mobile != nil && !phoneNumberOK(*id.Mobile) {
			c.Fail("IdentityInfo.Mobile", "IdentityInfo.Mobile must be an E.164 number such as +15555550100")
		}
	}
	if pc := req.PhoneConfig; pc != nil {
		c.Enum("PhoneConfig.PhoneType", pc.PhoneType, false, wire.PhoneTypes...)
		c.Int("PhoneConfig.AfterContactWorkTimeLimit", pc.AfterContactWorkTimeLimit, false, 0, int(^uint32(0)>>1))
		if pc.DeskPhoneNumber != nil && !phoneNumberOK(*pc.DeskPhoneNumber) {
			c.Fail("PhoneConfig.DeskPhoneNumber", "PhoneConfig.DeskPhoneNumber must be an E.164 number")
		}
	}
	c.Required("SecurityProfileIds", req.SecurityProfileIDs != nil)
	if req.SecurityProfileIDs != nil {
		if n := len(req.SecurityProfileIDs); n < 1 || n > 10 {
			c.Fail("SecurityProfileIds", "SecurityProfileIds must have 1 to 10 items (got %d)", n)
		}
	}
	c.String("RoutingProfileId", req.RoutingProfileID, true, 0, 0)
	autoAccept, acw := false, 0
	if pc := req.PhoneConfig; pc != nil {
		autoAccept = pc.AutoAccept != nil && *pc.AutoAccept
		if pc.AfterContactWorkTimeLimit != nil {
			acw = *pc.AfterContactWorkTimeLimit
		}
	}
	for i, a := range req.AutoAcceptConfigs {
		f := fmt.Sprintf("AutoAcceptConfigs[%d]", i)
		c.Enum(f+".Channel", a.Channel, true, wire.Channels...)
		c.Required(f+".AutoAccept", a.AutoAccept != nil)
		if c.Err() == nil && *a.Channel == string(parley.ChannelChat) {
			autoAccept = *a.AutoAccept // the per-channel setting wins for chat
		}
	}
	for i, a := range req.AfterContactWorkConfigs {
		f := fmt.Sprintf("AfterContactWorkConfigs[%d]", i)
		c.Enum(f+".Channel", a.Channel, true, wire.Channels...)
		c.Required(f+".AfterContactWorkConfig", a.AfterContactWorkConfig != nil)
		if w := a.AfterContactWorkConfig; w != nil {
			c.Int(f+".AfterContactWorkConfig.AfterContactWorkTimeLimit", w.AfterContactWorkTimeLimit, false, 0,
				int(^uint32(0)>>1))
			if c.Err() == nil && *a.Channel == string(parley.ChannelChat) && w.AfterContactWorkTimeLimit != nil {
				acw = *w.AfterContactWorkTimeLimit
			}
		}
		if w := a.AgentFirstCallbackAfterContactWorkConfig; w != nil {
			c.Int(f+".AgentFirstCallbackAfterContactWorkConfig.AfterContactWorkTimeLimit",
				w.AfterContactWorkTimeLimit, false, 0, int(^uint32(0)>>1))
		}
	}
	for i, p := range req.PhoneNumberConfigs {
		f := fmt.Sprintf("PhoneNumberConfigs[%d]", i)
		c.Enum(f+".Channel", p.Channel, true, wire.Channels...)
		c.Enum(f+".PhoneType", p.PhoneType, true, wire.PhoneTypes...)
		if p.PhoneNumber != nil && !phoneNumberOK(*p.PhoneNumber) {
			c.Fail(f+".PhoneNumber", "%s.PhoneNumber must be an E.164 number", f)
		}
	}
	for i, p := range req.PersistentConnectionConfigs {
		f := fmt.Sprintf("PersistentConnectionConfigs[%d]", i)
		c.Enum(f+".Channel", p.Channel, true, wire.Channels...)
		c.Required(f+".PersistentConnection", p.PersistentConnection != nil)
	}
	for i, v := range req.VoiceEnhancementConfigs {
		f := fmt.Sprintf("VoiceEnhancementConfigs[%d]", i)
		c.Enum(f+".Channel", v.Channel, true, wire.Channels...)
		c.Enum(f+".VoiceEnhancementMode", v.VoiceEnhancementMode, true, wire.VoiceEnhancementModes...)
	}
	checkTags(&c, req.Tags)
	if err := c.Err(); err != nil {
		return admin.UserInput{}, err
	}
	if req.HierarchyGroupID != nil {
		return admin.UserInput{}, parley.Errorf(parley.EREQUEST, "HierarchyGroupId is not supported by parley yet")
	}
	in := admin.UserInput{Username: *req.Username, Password: *req.Password, SecurityProfileIDs: req.SecurityProfileIDs,
		RoutingProfileID: *req.RoutingProfileID, AutoAccept: autoAccept, AfterContactWorkTimeLimit: acw}
	if id := req.IdentityInfo; id != nil {
		in.FirstName, in.LastName, in.Email = deref(id.FirstName), deref(id.LastName), deref(id.Email)
	}
	return in, nil
}

// createAgentStatusInput validates a CreateAgentStatus request.
func createAgentStatusInput(req *wire.CreateAgentStatusRequest) (admin.AgentStatusInput, error) {
	var c httpapi.Check
	c.String("Name", req.Name, true, 1, 127)
	c.String("Description", req.Description, false, 1, 250)
	c.Enum("State", req.State, true, wire.AgentStatusStates...)
	c.Int("DisplayOrder", req.DisplayOrder, false, 1, admin.MaxDisplayOrder)
	checkTags(&c, req.Tags)
	if err := c.Err(); err != nil {
		return admin.AgentStatusInput{}, err
	}
	in := admin.AgentStatusInput{Name: *req.Name, Description: deref(req.Description), State: *req.State}
	if req.DisplayOrder != nil {
		in.DisplayOrder = *req.DisplayOrder
	}
	return in, nil
}

// createHoursInput validates a CreateHoursOfOperation request.
func createHoursInput(req *wire.CreateHoursOfOperationRequest) (admin.HoursInput, error) {
	var c httpapi.Check
	c.String("Name", req.Name, true, 1, 127)
	c.String("Description", req.Description, false, 1, 250)
	c.String("TimeZone", req.TimeZone, true, 0, 0)
	c.Required("Config", req.Config != nil)
	if len(req.Config) > admin.MaxHoursConfig {
		c.Fail("Config", "Config must have at most %d items (got %d)", admin.MaxHoursConfig, len(req.Config))
	}
	var config []parley.HoursConfig
	for i, h := range req.Config {
		f := fmt.Sprintf("Config[%d]", i)
		c.Enum(f+".Day", h.Day, true, wire.HoursOfOperationDays...)
		for _, ts := range []struct {
			name  string
			slice *wire.HoursOfOperationTimeSlice
		}{{".StartTime", h.StartTime}, {".EndTime", h.EndTime}} {
			c.Required(f+ts.name, ts.slice != nil)
			if ts.slice != nil {
				c.Int(f+ts.name+".Hours", ts.slice.Hours, true, 0, 23)
				c.Int(f+ts.name+".Minutes", ts.slice.Minutes, true, 0, 59)
			}
		}
		if c.Err() == nil {
			config = append(config, parley.HoursConfig{Day: *h.Day, StartHours: *h.StartTime.Hours,
				StartMinutes: *h.StartTime.Minutes, EndHours: *h.EndTime.Hours, EndMinutes: *h.EndTime.Minutes})
		}
	}
	if len(req.ParentHoursOfOperationConfigs) > 3 {
		c.Fail("ParentHoursOfOperationConfigs", "ParentHoursOfOperationConfigs must have at most 3 items (got %d)",
			len(req.ParentHoursOfOperationConfigs))
	}
	checkTags(&c, req.Tags)
	if err := c.Err(); err != nil {
		return admin.HoursInput{}, err
	}
	if len(req.ParentHoursOfOperationConfigs) > 0 {
		return admin.HoursInput{}, parley.Errorf(parley.EREQUEST,
			"ParentHoursOfOperationConfigs is not supported by parley yet")
	}
	return admin.HoursInput{Name: *req.Name, Description: deref(req.Description), TimeZone: *req.TimeZone,
		Config: config}, nil
}

// createQuickConnectInput validates a CreateQuickConnect request: the config for the type is required, and so
// is its ContactFlowId where the model requires one.
func createQuickConnectInput(req *wire.CreateQuickConnectRequest) (admin.QuickConnectInput, error) {
	var c httpapi.Check
	c.String("Name", req.Name, true, 1, 127)
	c.String("Description", req.Description, false, 1, 250)
	c.Required("QuickConnectConfig", req.QuickConnectConfig != nil)
	checkTags(&c, req.Tags)
	if err := c.Err(); err != nil {
		return admin.QuickConnectInput{}, err
	}
	qc := req.QuickConnectConfig
	c.Enum("QuickConnectConfig.QuickConnectType", qc.QuickConnectType, true, wire.QuickConnectTypes...)
	if err := c.Err(); err != nil {
		return admin.QuickConnectInput{}, err
	}
	in := admin.QuickConnectInput{Name: *req.Name, Description: deref(req.Description), Type: *qc.QuickConnectType}
	switch in.Type {
	case admin.QuickConnectUser:
		c.Required("QuickConnectConfig.UserConfig", qc.UserConfig != nil)
		if u := qc.UserConfig; u != nil {
			c.String("QuickConnectConfig.UserConfig.UserId", u.UserID, true, 0, 0)
			c.String("QuickConnectConfig.UserConfig.ContactFlowId", u.ContactFlowID, true, 0, 500)
			in.UserID, in.ContactFlowID = deref(u.UserID), deref(u.ContactFlowID)
		}
	case admin.QuickConnectQueue:
		c.Required("QuickConnectConfig.QueueConfig", qc.QueueConfig != nil)
		if q := qc.QueueConfig; q != nil {
			c.String("QuickConnectConfig.QueueConfig.QueueId", q.QueueID, true, 0, 0)
			c.String("QuickConnectConfig.QueueConfig.ContactFlowId", q.ContactFlowID, true, 0, 500)
			in.QueueID, in.ContactFlowID = deref(q.QueueID), deref(q.ContactFlowID)
		}
	case admin.QuickConnectPhone:
		c.Required("QuickConnectConfig.PhoneConfig", qc.PhoneConfig != nil)
		if p := qc.PhoneConfig; p != nil {
			c.Required("QuickConnectConfig.PhoneConfig.PhoneNumber", p.PhoneNumber != nil)
			if p.PhoneNumber != nil && !phoneNumberOK(*p.PhoneNumber) {
				c.Fail("QuickConnectConfig.PhoneConfig.PhoneNumber",
					"QuickConnectConfig.PhoneConfig.PhoneNumber must be an E.164 number such as +15555550100")
			}
			in.PhoneNumber = deref(p.PhoneNumber)
		}
	case admin.QuickConnectFlow:
		c.Required("QuickConnectConfig.FlowConfig", qc.FlowConfig != nil)
		if f := qc.FlowConfig; f != nil {
			c.String("QuickConnectConfig.FlowConfig.ContactFlowId", f.ContactFlowID, true, 0, 500)
			in.ContactFlowID = deref(f.ContactFlowID)
		}
	}
	if err := c.Err(); err != nil {
		return admin.QuickConnectInput{}, err
	}
	return in, nil
}

// checkTypes validates an enum list from the query string (at most max values).
func checkTypes(c *httpapi.Check, field string, vals []string, max int, enum []string) {
	if len(vals) > max {
		c.Fail(field, "%s must have at most %d items (got %d)", field, max, len(vals))
	}
	for i := range vals {
		c.Enum(fmt.Sprintf("%s[%d]", field, i), &vals[i], false, enum...)
	}
}

// validUTF8 reports whether every label is valid UTF-8 (labels of ids have no other model constraint).
func validUTF8(labels []string) bool {
	for _, l := range labels {
		if !utf8.ValidString(l) {
			return false
		}
	}
	return true
}
