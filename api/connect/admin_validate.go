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

// The admin, real-time metrics, instance and contact flow operations are checked against every length, range,
// enum, list-size and required-member constraint of the Connect Service model, for the members parley reads and
// for those it accepts and ignores (telephony, email, tags), so that a request Amazon Connect would refuse is
// refused here too. The checks are generated (validate_admin_gen.go) from botocore's model, which is the model
// of aws-sdk-go-v2 service/connect v1.175.2; this file holds, called in the members' places (-custom), what the
// model cannot say or says wrongly:
//
//   - Tags: the model's key pattern needs a look-ahead (no "aws:" prefix), which Go's regexp cannot run.
//   - Password: parley requires one (its instances manage their own users, for which Amazon Connect requires
//     one too) and applies Connect's password policy, whose pattern needs look-aheads.
//   - Phone numbers: the model's PhoneNumber pattern is escaped twice (it matches a backslash, not a "+") and
//     neither it nor SensitivePhoneNumber's is anchored at the start; parley checks E.164 strictly.
//   - PhoneNumberPrefix: the model's pattern is escaped twice too; parley takes an optional "+" and 1 to 11 digits.
//   - MediaConcurrencies: the documented ranges per channel (VOICE 1) and channels listed once, in the same walk
//     as the model's checks of each entry, so that the first failure and its words stay as they were.
//
// The real-time metrics' filters, groupings, metrics and sort criteria are in metrics_validate.go. Generated
// and hand-written checks report the first failure, naming the member ("QueueConfigs[0].QueueReference.Channel").
//
//go:generate go run ../../internal/smithygen -model botocore@1.43.11:connect/2017-08-08/service-2.json.gz -mode checks -dispatch Admin -out validate_admin_gen.go -ops AssociateRoutingProfileQueues,CreateAgentStatus,CreateContactFlow,CreateHoursOfOperation,CreateQueue,CreateQuickConnect,CreateRoutingProfile,CreateUser,CreateView,CreateViewVersion,DeleteContactFlow,DeleteUser,DeleteView,DescribeContactFlow,DescribeHoursOfOperation,DescribeQueue,DescribeQuickConnect,DescribeRoutingProfile,DescribeUser,DescribeView,GetCurrentMetricData,GetCurrentUserData,ListAgentStatuses,ListContactFlows,ListHoursOfOperations,ListInstances,ListPhoneNumbers,ListPhoneNumbersV2,ListQueues,ListQuickConnects,ListRoutingProfileQueues,ListRoutingProfiles,ListSecurityProfiles,ListUsers,ListViews,PutUserStatus,SearchContacts,UpdateContactFlowContent,UpdateContactFlowMetadata,UpdateContactFlowName,UpdateContactRoutingData,UpdateQueueHoursOfOperation,UpdateQueueMaxContacts,UpdateQueueStatus,UpdateRoutingProfileConcurrency,UpdateUserRoutingProfile,UpdateViewContent,UpdateViewMetadata -custom ListPhoneNumbersV2Request.PhoneNumberPrefix=checkPhoneNumberPrefix,SearchCriteria.ContactAnalysis=checkContactAnalysis,CreateAgentStatusRequest.Tags=checkTags,CreateContactFlowRequest.Tags=checkTags,CreateHoursOfOperationRequest.Tags=checkTags,CreateQueueRequest.Tags=checkTags,CreateQuickConnectRequest.Tags=checkTags,CreateRoutingProfileRequest.Tags=checkTags,CreateUserRequest.Tags=checkTags,CreateUserRequest.Password=checkPassword,UserIdentityInfo.Mobile=checkMobile,UserPhoneConfig.DeskPhoneNumber=checkPhoneNumber,PhoneNumberConfig.PhoneNumber=checkPhoneNumber,PhoneNumberQuickConnectConfig.PhoneNumber=checkMobile,CreateRoutingProfileRequest.MediaConcurrencies=checkMediaConcurrencies,UpdateRoutingProfileConcurrencyRequest.MediaConcurrencies=checkMediaConcurrencies,GetCurrentMetricDataRequest.Filters=checkMetricFilters,GetCurrentMetricDataRequest.Groupings=checkGroupings,GetCurrentMetricDataRequest.CurrentMetrics=checkCurrentMetrics,GetCurrentMetricDataRequest.SortCriteria=checkSortCriteria,GetCurrentUserDataRequest.Filters=checkUserDataFilters,CreateViewRequest.Tags=checkTags,CreateViewVersionRequest.ViewContentSha256=checkViewContentSHA256 -enums BehaviorType,Channel,ContactInitiationMethod,ContactState,CurrentMetricName,Grouping,SortOrder,Unit

// checkTags checks a TagMap: 1..50 entries; keys 1..128 characters of letters, spaces, digits and _.:/=+-@, not
// starting with "aws:"; values at most 256 characters.
func checkTags(c *httpapi.Check, field string, tags map[string]string) {
	if tags == nil {
		return
	}
	if n := len(tags); n < 1 || n > 50 {
		c.Fail(field, "%s must have 1 to 50 entries (got %d)", field, n)
		return
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		c.Len(field, k, 1, 128)
		if strings.HasPrefix(k, "aws:") || strings.IndexFunc(k, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.Is(unicode.Z, r) && !unicode.IsNumber(r) &&
				!strings.ContainsRune("_.:/=+-@", r)
		}) >= 0 {
			c.Fail(field, "tag key %q may contain only letters, spaces, digits and _.:/=+-@, and must not start with aws:",
				truncate(k, 64))
		}
		c.Len(field+"."+truncate(k, 64), tags[k], 0, 256)
	}
}

// checkPassword requires a password that Connect's password policy accepts.
func checkPassword(c *httpapi.Check, field string, password *string) {
	c.Required(field, password != nil)
	if password != nil {
		if msg := auth.CheckPolicy(*password); msg != "" {
			c.Fail(field, "%s %s", field, msg)
		}
	}
}

// checkPhoneNumber and checkMobile check an E.164 number; checkMobile's words give an example.
var (
	checkPhoneNumber = e164Check("")
	checkMobile      = e164Check(" such as +15555550100")
)

func e164Check(example string) func(c *httpapi.Check, field string, number *string) {
	return func(c *httpapi.Check, field string, number *string) {
		if number != nil && !parley.E164(*number) {
			c.Fail(field, "%s must be an E.164 number%s", field, example)
		}
	}
}

// checkPhoneNumberPrefix checks ListPhoneNumbersV2's PhoneNumberPrefix: an optional "+", then 1 to 11 digits.
func checkPhoneNumberPrefix(c *httpapi.Check, field string, prefix *string) {
	if prefix == nil {
		return
	}
	digits := strings.TrimPrefix(*prefix, "+")
	if len(digits) < 1 || len(digits) > 11 || strings.Trim(digits, "0123456789") != "" {
		c.Fail(field, "%s must be an optional + followed by 1 to 11 digits", field)
	}
}

// checkMediaConcurrencies checks MediaConcurrencies: each entry's channel, its concurrency in the documented
// range (VOICE 1, CHAT 1..10, TASK 1..10, and EMAIL 1..10, the model's range) and its cross-channel behavior,
// each channel once.
func checkMediaConcurrencies(c *httpapi.Check, field string, list []wire.MediaConcurrency) {
	seen := map[string]bool{}
	for i, mc := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		c.Enum(f+".Channel", mc.Channel, true, enumChannel...)
		max := admin.MaxChatConcurrency
		if mc.Channel != nil && *mc.Channel == "VOICE" {
			max = 1
		}
		c.Int(f+".Concurrency", mc.Concurrency, true, 1, max)
		if cb := mc.CrossChannelBehavior; cb != nil {
			c.Enum(f+".CrossChannelBehavior.BehaviorType", cb.BehaviorType, true, enumBehaviorType...)
		}
		if c.Err() != nil {
			return
		}
		if seen[*mc.Channel] {
			c.Fail(f+".Channel", "%s lists channel %s twice", field, *mc.Channel)
		}
		seen[*mc.Channel] = true
	}
}

// chatConcurrency is the CHAT concurrency of checked MediaConcurrencies, or -1 when CHAT is not listed.
func chatConcurrency(list []wire.MediaConcurrency) int {
	for _, mc := range list {
		if *mc.Channel == string(parley.ChannelChat) {
			return *mc.Concurrency
		}
	}
	return -1
}

// The conversions of checked requests to the admin service's inputs, with the rules the model cannot say.

// createQueueInput converts a checked CreateQueue request.
func createQueueInput(req *wire.CreateQueueRequest) (admin.QueueInput, error) {
	in := admin.QueueInput{Name: *req.Name, Description: deref(req.Description),
		HoursOfOperationID: *req.HoursOfOperationID, QuickConnectIDs: req.QuickConnectIDs}
	if req.MaxContacts != nil {
		in.MaxContacts = *req.MaxContacts
	}
	return in, nil
}

// queueConfigs converts a checked RoutingProfileQueueConfigList.
func queueConfigs(list []wire.RoutingProfileQueueConfig) []parley.RoutingProfileQueue {
	if list == nil {
		return nil
	}
	out := make([]parley.RoutingProfileQueue, 0, len(list))
	for _, qc := range list {
		out = append(out, parley.RoutingProfileQueue{QueueID: *qc.QueueReference.QueueID,
			Channel: parley.Channel(*qc.QueueReference.Channel), Priority: *qc.Priority, Delay: *qc.Delay})
	}
	return out
}

// createRoutingProfileInput converts a checked CreateRoutingProfile request. Its ManualAssignmentQueueConfigs
// are accepted and ignored: parley has no manual assignment.
func createRoutingProfileInput(req *wire.CreateRoutingProfileRequest) (admin.RoutingProfileInput, error) {
	// A profile without CHAT in MediaConcurrencies takes no chats, as in Amazon Connect.
	return admin.RoutingProfileInput{Name: *req.Name, Description: *req.Description,
		DefaultOutboundQueueID: *req.DefaultOutboundQueueID,
		ChatConcurrency:        max(chatConcurrency(req.MediaConcurrencies), 0), Queues: queueConfigs(req.QueueConfigs)}, nil
}

// createUserInput converts a checked CreateUser request: the per-channel settings of CHAT win over PhoneConfig's.
func createUserInput(req *wire.CreateUserRequest) (admin.UserInput, error) {
	if req.HierarchyGroupID != nil {
		return admin.UserInput{}, parley.Errorf(parley.EREQUEST, "HierarchyGroupId is not supported by parley yet")
	}
	in := admin.UserInput{Username: *req.Username, Password: *req.Password, SecurityProfileIDs: req.SecurityProfileIDs,
		RoutingProfileID: *req.RoutingProfileID}
	if pc := req.PhoneConfig; pc != nil {
		in.AutoAccept = pc.AutoAccept != nil && *pc.AutoAccept
		if pc.AfterContactWorkTimeLimit != nil {
			in.AfterContactWorkTimeLimit = *pc.AfterContactWorkTimeLimit
		}
	}
	chat := string(parley.ChannelChat)
	for _, a := range req.AutoAcceptConfigs {
		if *a.Channel == chat {
			in.AutoAccept = *a.AutoAccept
		}
	}
	for _, a := range req.AfterContactWorkConfigs {
		if *a.Channel == chat && a.AfterContactWorkConfig.AfterContactWorkTimeLimit != nil {
			in.AfterContactWorkTimeLimit = *a.AfterContactWorkConfig.AfterContactWorkTimeLimit
		}
	}
	if id := req.IdentityInfo; id != nil {
		in.FirstName, in.LastName, in.Email = deref(id.FirstName), deref(id.LastName), deref(id.Email)
	}
	return in, nil
}

// createAgentStatusInput converts a checked CreateAgentStatus request.
func createAgentStatusInput(req *wire.CreateAgentStatusRequest) (admin.AgentStatusInput, error) {
	in := admin.AgentStatusInput{Name: *req.Name, Description: deref(req.Description), State: *req.State}
	if req.DisplayOrder != nil {
		in.DisplayOrder = *req.DisplayOrder
	}
	return in, nil
}

// createHoursInput converts a checked CreateHoursOfOperation request.
func createHoursInput(req *wire.CreateHoursOfOperationRequest) (admin.HoursInput, error) {
	if len(req.ParentHoursOfOperationConfigs) > 0 {
		return admin.HoursInput{}, parley.Errorf(parley.EREQUEST,
			"ParentHoursOfOperationConfigs is not supported by parley yet")
	}
	var config []parley.HoursConfig
	for _, h := range req.Config {
		config = append(config, parley.HoursConfig{Day: *h.Day, StartHours: *h.StartTime.Hours,
			StartMinutes: *h.StartTime.Minutes, EndHours: *h.EndTime.Hours, EndMinutes: *h.EndTime.Minutes})
	}
	return admin.HoursInput{Name: *req.Name, Description: deref(req.Description), TimeZone: *req.TimeZone,
		Config: config}, nil
}

// createQuickConnectInput converts a checked CreateQuickConnect request. The config of its type is required
// (the model makes each optional; the documentation requires the one of the type).
func createQuickConnectInput(req *wire.CreateQuickConnectRequest) (admin.QuickConnectInput, error) {
	qc := req.QuickConnectConfig
	in := admin.QuickConnectInput{Name: *req.Name, Description: deref(req.Description), Type: *qc.QuickConnectType}
	var c httpapi.Check
	switch in.Type {
	case admin.QuickConnectUser:
		c.Required("QuickConnectConfig.UserConfig", qc.UserConfig != nil)
		if u := qc.UserConfig; u != nil {
			in.UserID, in.ContactFlowID = *u.UserID, *u.ContactFlowID
		}
	case admin.QuickConnectQueue:
		c.Required("QuickConnectConfig.QueueConfig", qc.QueueConfig != nil)
		if q := qc.QueueConfig; q != nil {
			in.QueueID, in.ContactFlowID = *q.QueueID, *q.ContactFlowID
		}
	case admin.QuickConnectPhone:
		c.Required("QuickConnectConfig.PhoneConfig", qc.PhoneConfig != nil)
		if p := qc.PhoneConfig; p != nil {
			in.PhoneNumber = *p.PhoneNumber
		}
	case admin.QuickConnectFlow:
		c.Required("QuickConnectConfig.FlowConfig", qc.FlowConfig != nil)
		if f := qc.FlowConfig; f != nil {
			in.ContactFlowID = *f.ContactFlowID
		}
	}
	return in, c.Err()
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

// checkContactAnalysis refuses SearchContacts' ContactAnalysis criteria: parley keeps no contact analysis (Contact
// Lens) to search.
func checkContactAnalysis(c *httpapi.Check, field string, v *wire.ContactAnalysis) {
	if v != nil {
		c.Fail(field, "%s is not supported by parley: it keeps no contact analysis", field)
	}
}
