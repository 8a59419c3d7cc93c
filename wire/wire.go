// Package wire holds the JSON shapes of the Amazon Connect Participant Service, the Amazon Connect Service and
// the chat WebSocket, exactly as the official clients send and expect them. It is shared by the server and the
// Go client library, so it imports only the standard library.
//
// The shapes of the operations parley serves are generated from the service models by internal/smithygen:
// participant_gen.go and connect_gen.go (the chat operations) from the Smithy models in ../shared/spec,
// connect_admin_gen.go (the admin and real-time metrics operations, ListInstances, ListContactFlows and the
// contact flow operations) from botocore's model of the Connect Service. Field names are the member names (Id,
// Ids and Url upper-cased), input members are pointers, slices or maps so that an absent member stays absent,
// output members are omitempty unless the model requires them or the directive says parley always sends them.
// The other files hold what the models do not describe: the Contact of DescribeContact (its members in the
// order parley has always sent them), the agent API and the WebSocket.
package wire

import "time"

// The directives below say what the models cannot: the output members parley sends even when empty (-always,
// as it always has), those it sends whenever it sets them, zero included (-pointer), those it sends after the
// others (-last: NextToken, which the model puts first in some responses), the InitialContactId that the
// WebSocket adds to transcript items (-extra), the Contact written by hand (-external), and the operations parley
// answers as unsupported, of which only the paths are generated (-paths). Run go generate ./... after changing
// them; a test fails while a file is stale.
//
//go:generate go run ../internal/smithygen -model connect-chat-subset.json -mode shapes -out connect_gen.go -ops CreateParticipant,CreatePersistentContactAssociation,DescribeContact,GetContactAttributes,SendChatIntegrationEvent,StartChatContact,StartContactStreaming,StartOutboundChatContact,StopContact,StopContactStreaming,TransferContact,UpdateContactAttributes,UpdateParticipantRoleConfig -paths StartContactMediaProcessing,StopContactMediaProcessing -always GetContactAttributesResponse.Attributes,SendChatIntegrationEventResponse.NewChatCreated -external Contact
//go:generate go run ../internal/smithygen -model botocore@1.43.11:connect/2017-08-08/service-2.json.gz -mode shapes -out connect_admin_gen.go -ops AssociateRoutingProfileQueues,CreateAgentStatus,CreateContactFlow,CreateHoursOfOperation,CreateQueue,CreateQuickConnect,CreateRoutingProfile,CreateUser,CreateView,CreateViewVersion,DeleteContactFlow,DeleteUser,DeleteView,DescribeContactFlow,DescribeHoursOfOperation,DescribeQueue,DescribeQuickConnect,DescribeRoutingProfile,DescribeUser,DescribeView,GetCurrentMetricData,GetCurrentUserData,ListAgentStatuses,ListContactFlows,ListHoursOfOperations,ListInstances,ListPhoneNumbers,ListPhoneNumbersV2,ListQueues,ListQuickConnects,ListRoutingProfileQueues,ListRoutingProfiles,ListSecurityProfiles,ListUsers,ListViews,PutUserStatus,SearchContacts,UpdateContactFlowContent,UpdateContactFlowMetadata,UpdateContactFlowName,UpdateContactRoutingData,UpdateQueueHoursOfOperation,UpdateQueueMaxContacts,UpdateQueueStatus,UpdateRoutingProfileConcurrency,UpdateUserRoutingProfile,UpdateViewContent,UpdateViewMetadata -always ListPhoneNumbersResponse.PhoneNumberSummaryList,ListPhoneNumbersV2Response.ListPhoneNumbersSummaryList,ListQueuesResponse.QueueSummaryList,ListRoutingProfilesResponse.RoutingProfileSummaryList,ListRoutingProfileQueuesResponse.RoutingProfileQueueConfigSummaryList,ListUsersResponse.UserSummaryList,ListAgentStatusResponse.AgentStatusSummaryList,HoursOfOperation.Config,ListHoursOfOperationsResponse.HoursOfOperationSummaryList,ListQuickConnectsResponse.QuickConnectSummaryList,ListSecurityProfilesResponse.SecurityProfileSummaryList,GetCurrentMetricDataResponse.MetricResults,GetCurrentMetricDataResponse.ApproximateTotalCount,GetCurrentUserDataResponse.UserDataList,GetCurrentUserDataResponse.ApproximateTotalCount,ListInstancesResponse.InstanceSummaryList,ListContactFlowsResponse.ContactFlowSummaryList,RoutingProfile.MediaConcurrencies,RoutingProfile.NumberOfAssociatedQueues,RoutingProfile.AssociatedQueueIds,UserData.AvailableSlotsByChannel,UserData.MaxSlotsByChannel,UserData.ActiveSlotsByChannel,UserData.Contacts,AgentContactReference.ContactId,AgentContactReference.Channel,AgentContactReference.AgentContactState,QueueReference.Id,QueueReference.Arn,RoutingProfileReference.Id,RoutingProfileReference.Arn,UserReference.Id,UserReference.Arn,CurrentMetricResult.Collections,CurrentMetricData.Metric,InstanceSummary.InboundCallsEnabled,InstanceSummary.OutboundCallsEnabled -last ListAgentStatusResponse.NextToken,ListRoutingProfileQueuesResponse.NextToken,GetCurrentMetricDataResponse.NextToken,GetCurrentUserDataResponse.NextToken -pointer CurrentMetricData.Value,Queue.MaxContacts -external SegmentAttributeValue
//go:generate go run ../internal/smithygen -model connectparticipant.json -mode shapes -out participant_gen.go -ops CompleteAttachmentUpload,CreateParticipantConnection,DisconnectParticipant,GetAttachment,GetTranscript,SendEvent,SendMessage,StartAttachmentUpload -always GetAttachmentResponse.Url,GetAttachmentResponse.UrlExpiry,GetTranscriptResponse.Transcript,SendEventResponse.AbsoluteTime,SendEventResponse.Id,SendMessageResponse.AbsoluteTime,SendMessageResponse.Id,StartAttachmentUploadResponse.AttachmentId,StartAttachmentUploadResponse.UploadMetadata,UploadMetadata.HeadersToInclude,UploadMetadata.Url,UploadMetadata.UrlExpiry -extra Item.InitialContactId=ContactId

// TimeLayout is the Participant Service time format: UTC, millisecond precision, Z suffix.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// FormatTime formats t in the Participant Service time format.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime parses a Participant Service time. It also accepts RFC 3339 with any fraction.
func ParseTime(s string) (time.Time, error) {
	if t, err := time.Parse(TimeLayout, s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

// EpochSeconds is a Connect Service timestamp: a JSON number of seconds since the epoch (restJson1 default).
type EpochSeconds float64

// Epoch converts t to EpochSeconds with millisecond precision.
func Epoch(t time.Time) *EpochSeconds {
	if t.IsZero() {
		return nil
	}
	v := EpochSeconds(float64(t.UnixMilli()) / 1000)
	return &v
}

// Error is the body of an error response. Type repeats the x-amzn-ErrorType header for browsers, which cannot
// read that header cross-origin.
type Error struct {
	Type         string `json:"__type"`
	Message      string `json:"message"`
	ResourceID   string `json:"ResourceId,omitempty"`
	ResourceType string `json:"ResourceType,omitempty"`
	// Problems are what InvalidContactFlowException reports wrong with a flow's content.
	Problems []ProblemDetail `json:"problems,omitempty"`
}

// ProblemDetail is one problem of an invalid contact flow.
type ProblemDetail struct {
	Message string `json:"message"`
}
