package wire

// The admin operations of the Connect Service that parley serves (queues, routing profiles, users, agent
// statuses, hours of operation, quick connects, security profiles), with the paths and member names of
// aws-sdk-go-v2 service/connect v1.175.2. The chat subset of the model that the generated shapes come from does
// not describe them, so they are written by hand.

// The URIs of the admin operations, labels in braces (as the generated Path constants); their methods are in
// the route table of api/connect.
const (
	PathCreateQueue                     = "/queues/{InstanceId}"
	PathDescribeQueue                   = "/queues/{InstanceId}/{QueueId}"
	PathListQueues                      = "/queues-summary/{InstanceId}"
	PathUpdateQueueMaxContacts          = "/queues/{InstanceId}/{QueueId}/max-contacts"
	PathUpdateQueueHoursOfOperation     = "/queues/{InstanceId}/{QueueId}/hours-of-operation"
	PathUpdateQueueStatus               = "/queues/{InstanceId}/{QueueId}/status"
	PathCreateRoutingProfile            = "/routing-profiles/{InstanceId}"
	PathDescribeRoutingProfile          = "/routing-profiles/{InstanceId}/{RoutingProfileId}"
	PathListRoutingProfiles             = "/routing-profiles-summary/{InstanceId}"
	PathAssociateRoutingProfileQueues   = "/routing-profiles/{InstanceId}/{RoutingProfileId}/associate-queues"
	PathListRoutingProfileQueues        = "/routing-profiles/{InstanceId}/{RoutingProfileId}/queues"
	PathUpdateRoutingProfileConcurrency = "/routing-profiles/{InstanceId}/{RoutingProfileId}/concurrency"
	PathCreateUser                      = "/users/{InstanceId}"
	PathDescribeUser                    = "/users/{InstanceId}/{UserId}"
	PathListUsers                       = "/users-summary/{InstanceId}"
	PathUpdateUserRoutingProfile        = "/users/{InstanceId}/{UserId}/routing-profile"
	PathDeleteUser                      = "/users/{InstanceId}/{UserId}"
	PathPutUserStatus                   = "/users/{InstanceId}/{UserId}/status"
	PathCreateAgentStatus               = "/agent-status/{InstanceId}"
	PathListAgentStatuses               = "/agent-status/{InstanceId}"
	PathCreateHoursOfOperation          = "/hours-of-operations/{InstanceId}"
	PathDescribeHoursOfOperation        = "/hours-of-operations/{InstanceId}/{HoursOfOperationId}"
	PathListHoursOfOperations           = "/hours-of-operations-summary/{InstanceId}"
	PathCreateQuickConnect              = "/quick-connects/{InstanceId}"
	PathDescribeQuickConnect            = "/quick-connects/{InstanceId}/{QuickConnectId}"
	PathListQuickConnects               = "/quick-connects/{InstanceId}"
	PathListSecurityProfiles            = "/security-profiles-summary/{InstanceId}"
)

// Enum values of the admin operations.
var (
	Channels                = []string{"VOICE", "CHAT", "TASK", "EMAIL"}
	QueueTypes              = []string{"STANDARD", "AGENT"}
	QueueStatuses           = []string{"ENABLED", "DISABLED"}
	AgentStatusStates       = []string{"ENABLED", "DISABLED"}
	AgentStatusTypes        = []string{"ROUTABLE", "CUSTOM", "OFFLINE"}
	QuickConnectTypes       = []string{"USER", "QUEUE", "PHONE_NUMBER", "FLOW"}
	PhoneTypes              = []string{"SOFT_PHONE", "DESK_PHONE"}
	HoursOfOperationDays    = []string{"SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"}
	BehaviorTypes           = []string{"ROUTE_CURRENT_CHANNEL_ONLY", "ROUTE_ANY_CHANNEL"}
	AgentAvailabilityTimers = []string{"TIME_SINCE_LAST_ACTIVITY", "TIME_SINCE_LAST_INBOUND"}
	VoiceEnhancementModes   = []string{"VOICE_ISOLATION", "NOISE_SUPPRESSION", "NONE"}
)

// Queues.

// CreateQueueRequest is the body of CreateQueue (PUT /queues/{InstanceId}).
type CreateQueueRequest struct {
	Name                 *string               `json:"Name,omitempty"`
	Description          *string               `json:"Description,omitempty"`
	OutboundCallerConfig *OutboundCallerConfig `json:"OutboundCallerConfig,omitempty"`
	OutboundEmailConfig  *OutboundEmailConfig  `json:"OutboundEmailConfig,omitempty"`
	HoursOfOperationID   *string               `json:"HoursOfOperationId,omitempty"`
	MaxContacts          *int                  `json:"MaxContacts,omitempty"`
	QuickConnectIDs      []string              `json:"QuickConnectIds,omitempty"`
	EmailAddressesConfig []EmailAddressConfig  `json:"EmailAddressesConfig,omitempty"`
	Tags                 map[string]string     `json:"Tags,omitempty"`
}

// OutboundCallerConfig is a queue's outbound caller id (telephony; accepted and ignored by parley).
type OutboundCallerConfig struct {
	OutboundCallerIDName     *string `json:"OutboundCallerIdName,omitempty"`
	OutboundCallerIDNumberID *string `json:"OutboundCallerIdNumberId,omitempty"`
	OutboundFlowID           *string `json:"OutboundFlowId,omitempty"`
}

// OutboundEmailConfig is a queue's outbound email address (accepted and ignored by parley).
type OutboundEmailConfig struct {
	OutboundEmailAddressID *string `json:"OutboundEmailAddressId,omitempty"`
}

// EmailAddressConfig is an email address of a queue (accepted and ignored by parley).
type EmailAddressConfig struct {
	EmailAddressID *string `json:"EmailAddressId,omitempty"`
}

// CreateQueueResponse is its response.
type CreateQueueResponse struct {
	QueueArn string `json:"QueueArn,omitempty"`
	QueueID  string `json:"QueueId,omitempty"`
}

// DescribeQueueResponse is the response of DescribeQueue (GET /queues/{InstanceId}/{QueueId}).
type DescribeQueueResponse struct {
	Queue *Queue `json:"Queue,omitempty"`
}

// Queue describes a queue.
type Queue struct {
	Name               string `json:"Name,omitempty"`
	QueueArn           string `json:"QueueArn,omitempty"`
	QueueID            string `json:"QueueId,omitempty"`
	Description        string `json:"Description,omitempty"`
	HoursOfOperationID string `json:"HoursOfOperationId,omitempty"`
	MaxContacts        *int   `json:"MaxContacts,omitempty"`
	Status             string `json:"Status,omitempty"`
}

// ListQueuesResponse is the response of ListQueues (GET /queues-summary/{InstanceId}).
type ListQueuesResponse struct {
	QueueSummaryList []QueueSummary `json:"QueueSummaryList"`
	NextToken        string         `json:"NextToken,omitempty"`
}

// QueueSummary summarizes a queue.
type QueueSummary struct {
	ID        string `json:"Id,omitempty"`
	Arn       string `json:"Arn,omitempty"`
	Name      string `json:"Name,omitempty"`
	QueueType string `json:"QueueType,omitempty"`
}

// UpdateQueueMaxContactsRequest is the body of UpdateQueueMaxContacts.
type UpdateQueueMaxContactsRequest struct {
	MaxContacts *int `json:"MaxContacts,omitempty"`
}

// UpdateQueueHoursOfOperationRequest is the body of UpdateQueueHoursOfOperation.
type UpdateQueueHoursOfOperationRequest struct {
	HoursOfOperationID *string `json:"HoursOfOperationId,omitempty"`
}

// UpdateQueueStatusRequest is the body of UpdateQueueStatus.
type UpdateQueueStatusRequest struct {
	Status *string `json:"Status,omitempty"`
}

// Routing profiles.

// CreateRoutingProfileRequest is the body of CreateRoutingProfile (PUT /routing-profiles/{InstanceId}).
type CreateRoutingProfileRequest struct {
	Name                         *string                           `json:"Name,omitempty"`
	Description                  *string                           `json:"Description,omitempty"`
	DefaultOutboundQueueID       *string                           `json:"DefaultOutboundQueueId,omitempty"`
	QueueConfigs                 []RoutingProfileQueueConfig       `json:"QueueConfigs,omitempty"`
	ManualAssignmentQueueConfigs []RoutingProfileManualQueueConfig `json:"ManualAssignmentQueueConfigs,omitempty"`
	MediaConcurrencies           []MediaConcurrency                `json:"MediaConcurrencies,omitempty"`
	Tags                         map[string]string                 `json:"Tags,omitempty"`
	AgentAvailabilityTimer       *string                           `json:"AgentAvailabilityTimer,omitempty"`
}

// RoutingProfileQueueConfig is a queue of a routing profile with its priority and delay.
type RoutingProfileQueueConfig struct {
	QueueReference *RoutingProfileQueueReference `json:"QueueReference,omitempty"`
	Priority       *int                          `json:"Priority,omitempty"`
	Delay          *int                          `json:"Delay,omitempty"`
}

// RoutingProfileManualQueueConfig is a manual-assignment queue (accepted and ignored by parley).
type RoutingProfileManualQueueConfig struct {
	QueueReference *RoutingProfileQueueReference `json:"QueueReference,omitempty"`
}

// RoutingProfileQueueReference names a queue and a channel.
type RoutingProfileQueueReference struct {
	QueueID *string `json:"QueueId,omitempty"`
	Channel *string `json:"Channel,omitempty"`
}

// MediaConcurrency is how many contacts of a channel an agent handles at once.
type MediaConcurrency struct {
	Channel              *string               `json:"Channel,omitempty"`
	Concurrency          *int                  `json:"Concurrency,omitempty"`
	CrossChannelBehavior *CrossChannelBehavior `json:"CrossChannelBehavior,omitempty"`
}

// CrossChannelBehavior says whether other channels are routed while one is in use.
type CrossChannelBehavior struct {
	BehaviorType *string `json:"BehaviorType,omitempty"`
}

// CreateRoutingProfileResponse is its response.
type CreateRoutingProfileResponse struct {
	RoutingProfileArn string `json:"RoutingProfileArn,omitempty"`
	RoutingProfileID  string `json:"RoutingProfileId,omitempty"`
}

// DescribeRoutingProfileResponse is the response of DescribeRoutingProfile.
type DescribeRoutingProfileResponse struct {
	RoutingProfile *RoutingProfile `json:"RoutingProfile,omitempty"`
}

// RoutingProfile describes a routing profile.
type RoutingProfile struct {
	InstanceID               string             `json:"InstanceId,omitempty"`
	Name                     string             `json:"Name,omitempty"`
	RoutingProfileArn        string             `json:"RoutingProfileArn,omitempty"`
	RoutingProfileID         string             `json:"RoutingProfileId,omitempty"`
	Description              string             `json:"Description,omitempty"`
	MediaConcurrencies       []MediaConcurrency `json:"MediaConcurrencies"`
	DefaultOutboundQueueID   string             `json:"DefaultOutboundQueueId,omitempty"`
	NumberOfAssociatedQueues int64              `json:"NumberOfAssociatedQueues"`
	AssociatedQueueIDs       []string           `json:"AssociatedQueueIds"`
}

// ListRoutingProfilesResponse is the response of ListRoutingProfiles.
type ListRoutingProfilesResponse struct {
	RoutingProfileSummaryList []Summary `json:"RoutingProfileSummaryList"`
	NextToken                 string    `json:"NextToken,omitempty"`
}

// Summary is the Id, Arn and Name that most summary shapes of the Connect model share.
type Summary struct {
	ID   string `json:"Id,omitempty"`
	Arn  string `json:"Arn,omitempty"`
	Name string `json:"Name,omitempty"`
}

// AssociateRoutingProfileQueuesRequest is the body of AssociateRoutingProfileQueues.
type AssociateRoutingProfileQueuesRequest struct {
	QueueConfigs                 []RoutingProfileQueueConfig       `json:"QueueConfigs,omitempty"`
	ManualAssignmentQueueConfigs []RoutingProfileManualQueueConfig `json:"ManualAssignmentQueueConfigs,omitempty"`
}

// ListRoutingProfileQueuesResponse is the response of ListRoutingProfileQueues.
type ListRoutingProfileQueuesResponse struct {
	RoutingProfileQueueConfigSummaryList []RoutingProfileQueueConfigSummary `json:"RoutingProfileQueueConfigSummaryList"`
	NextToken                            string                             `json:"NextToken,omitempty"`
}

// RoutingProfileQueueConfigSummary is a queue of a routing profile.
type RoutingProfileQueueConfigSummary struct {
	QueueID   string `json:"QueueId"`
	QueueArn  string `json:"QueueArn"`
	QueueName string `json:"QueueName"`
	Priority  int    `json:"Priority"`
	Delay     int    `json:"Delay"`
	Channel   string `json:"Channel"`
}

// UpdateRoutingProfileConcurrencyRequest is the body of UpdateRoutingProfileConcurrency.
type UpdateRoutingProfileConcurrencyRequest struct {
	MediaConcurrencies []MediaConcurrency `json:"MediaConcurrencies,omitempty"`
}

// Users.

// CreateUserRequest is the body of CreateUser (PUT /users/{InstanceId}).
type CreateUserRequest struct {
	Username                    *string                            `json:"Username,omitempty"`
	Password                    *string                            `json:"Password,omitempty"`
	IdentityInfo                *UserIdentityInfo                  `json:"IdentityInfo,omitempty"`
	PhoneConfig                 *UserPhoneConfig                   `json:"PhoneConfig,omitempty"`
	DirectoryUserID             *string                            `json:"DirectoryUserId,omitempty"`
	SecurityProfileIDs          []string                           `json:"SecurityProfileIds,omitempty"`
	RoutingProfileID            *string                            `json:"RoutingProfileId,omitempty"`
	HierarchyGroupID            *string                            `json:"HierarchyGroupId,omitempty"`
	AutoAcceptConfigs           []AutoAcceptConfig                 `json:"AutoAcceptConfigs,omitempty"`
	AfterContactWorkConfigs     []AfterContactWorkConfigPerChannel `json:"AfterContactWorkConfigs,omitempty"`
	PhoneNumberConfigs          []PhoneNumberConfig                `json:"PhoneNumberConfigs,omitempty"`
	PersistentConnectionConfigs []PersistentConnectionConfig       `json:"PersistentConnectionConfigs,omitempty"`
	VoiceEnhancementConfigs     []VoiceEnhancementConfig           `json:"VoiceEnhancementConfigs,omitempty"`
	Tags                        map[string]string                  `json:"Tags,omitempty"`
}

// UserIdentityInfo is a user's name and contact details.
type UserIdentityInfo struct {
	FirstName      *string `json:"FirstName,omitempty"`
	LastName       *string `json:"LastName,omitempty"`
	Email          *string `json:"Email,omitempty"`
	SecondaryEmail *string `json:"SecondaryEmail,omitempty"`
	Mobile         *string `json:"Mobile,omitempty"`
}

// UserPhoneConfig is a user's phone settings; parley keeps AutoAccept and AfterContactWorkTimeLimit.
type UserPhoneConfig struct {
	PhoneType                 *string `json:"PhoneType,omitempty"`
	AutoAccept                *bool   `json:"AutoAccept,omitempty"`
	AfterContactWorkTimeLimit *int    `json:"AfterContactWorkTimeLimit,omitempty"`
	DeskPhoneNumber           *string `json:"DeskPhoneNumber,omitempty"`
	PersistentConnection      *bool   `json:"PersistentConnection,omitempty"`
}

// AutoAcceptConfig is a user's auto-accept setting for one channel.
type AutoAcceptConfig struct {
	Channel                      *string `json:"Channel,omitempty"`
	AutoAccept                   *bool   `json:"AutoAccept,omitempty"`
	AgentFirstCallbackAutoAccept *bool   `json:"AgentFirstCallbackAutoAccept,omitempty"`
}

// AfterContactWorkConfigPerChannel is a user's after-contact work limit for one channel.
type AfterContactWorkConfigPerChannel struct {
	Channel                                  *string                 `json:"Channel,omitempty"`
	AfterContactWorkConfig                   *AfterContactWorkConfig `json:"AfterContactWorkConfig,omitempty"`
	AgentFirstCallbackAfterContactWorkConfig *AfterContactWorkConfig `json:"AgentFirstCallbackAfterContactWorkConfig,omitempty"`
}

// AfterContactWorkConfig is an after-contact work limit in seconds.
type AfterContactWorkConfig struct {
	AfterContactWorkTimeLimit *int `json:"AfterContactWorkTimeLimit,omitempty"`
}

// PhoneNumberConfig is a user's phone type for one channel (accepted and ignored by parley).
type PhoneNumberConfig struct {
	Channel     *string `json:"Channel,omitempty"`
	PhoneType   *string `json:"PhoneType,omitempty"`
	PhoneNumber *string `json:"PhoneNumber,omitempty"`
}

// PersistentConnectionConfig is a user's persistent connection setting for one channel (ignored by parley).
type PersistentConnectionConfig struct {
	Channel              *string `json:"Channel,omitempty"`
	PersistentConnection *bool   `json:"PersistentConnection,omitempty"`
}

// VoiceEnhancementConfig is a user's voice enhancement for one channel (ignored by parley).
type VoiceEnhancementConfig struct {
	Channel              *string `json:"Channel,omitempty"`
	VoiceEnhancementMode *string `json:"VoiceEnhancementMode,omitempty"`
}

// CreateUserResponse is its response.
type CreateUserResponse struct {
	UserID  string `json:"UserId,omitempty"`
	UserArn string `json:"UserArn,omitempty"`
}

// DescribeUserResponse is the response of DescribeUser.
type DescribeUserResponse struct {
	User *User `json:"User,omitempty"`
}

// User describes a user. Timestamps are epoch seconds.
type User struct {
	ID                      string                             `json:"Id,omitempty"`
	Arn                     string                             `json:"Arn,omitempty"`
	Username                string                             `json:"Username,omitempty"`
	IdentityInfo            *UserIdentityInfo                  `json:"IdentityInfo,omitempty"`
	PhoneConfig             *UserPhoneConfig                   `json:"PhoneConfig,omitempty"`
	SecurityProfileIDs      []string                           `json:"SecurityProfileIds,omitempty"`
	RoutingProfileID        string                             `json:"RoutingProfileId,omitempty"`
	AutoAcceptConfigs       []AutoAcceptConfig                 `json:"AutoAcceptConfigs,omitempty"`
	AfterContactWorkConfigs []AfterContactWorkConfigPerChannel `json:"AfterContactWorkConfigs,omitempty"`
	LastModifiedTime        *EpochSeconds                      `json:"LastModifiedTime,omitempty"`
	LastModifiedRegion      string                             `json:"LastModifiedRegion,omitempty"`
}

// ListUsersResponse is the response of ListUsers.
type ListUsersResponse struct {
	UserSummaryList []UserSummary `json:"UserSummaryList"`
	NextToken       string        `json:"NextToken,omitempty"`
}

// UserSummary summarizes a user.
type UserSummary struct {
	ID                 string        `json:"Id,omitempty"`
	Arn                string        `json:"Arn,omitempty"`
	Username           string        `json:"Username,omitempty"`
	LastModifiedTime   *EpochSeconds `json:"LastModifiedTime,omitempty"`
	LastModifiedRegion string        `json:"LastModifiedRegion,omitempty"`
}

// UpdateUserRoutingProfileRequest is the body of UpdateUserRoutingProfile.
type UpdateUserRoutingProfileRequest struct {
	RoutingProfileID *string `json:"RoutingProfileId,omitempty"`
}

// PutUserStatusRequest is the body of PutUserStatus.
type PutUserStatusRequest struct {
	AgentStatusID *string `json:"AgentStatusId,omitempty"`
}

// Agent statuses.

// CreateAgentStatusRequest is the body of CreateAgentStatus (PUT /agent-status/{InstanceId}).
type CreateAgentStatusRequest struct {
	Name         *string           `json:"Name,omitempty"`
	Description  *string           `json:"Description,omitempty"`
	State        *string           `json:"State,omitempty"`
	DisplayOrder *int              `json:"DisplayOrder,omitempty"`
	Tags         map[string]string `json:"Tags,omitempty"`
}

// CreateAgentStatusResponse is its response (note the model's upper-case ARN).
type CreateAgentStatusResponse struct {
	AgentStatusARN string `json:"AgentStatusARN,omitempty"`
	AgentStatusID  string `json:"AgentStatusId,omitempty"`
}

// ListAgentStatusesResponse is the response of ListAgentStatuses (GET /agent-status/{InstanceId}).
type ListAgentStatusesResponse struct {
	AgentStatusSummaryList []AgentStatusSummary `json:"AgentStatusSummaryList"`
	NextToken              string               `json:"NextToken,omitempty"`
}

// AgentStatusSummary summarizes an agent status.
type AgentStatusSummary struct {
	ID   string `json:"Id,omitempty"`
	Arn  string `json:"Arn,omitempty"`
	Name string `json:"Name,omitempty"`
	Type string `json:"Type,omitempty"`
}

// Hours of operation.

// CreateHoursOfOperationRequest is the body of CreateHoursOfOperation (PUT /hours-of-operations/{InstanceId}).
type CreateHoursOfOperationRequest struct {
	Name                          *string                        `json:"Name,omitempty"`
	Description                   *string                        `json:"Description,omitempty"`
	TimeZone                      *string                        `json:"TimeZone,omitempty"`
	Config                        []HoursOfOperationConfig       `json:"Config,omitempty"`
	ParentHoursOfOperationConfigs []ParentHoursOfOperationConfig `json:"ParentHoursOfOperationConfigs,omitempty"`
	Tags                          map[string]string              `json:"Tags,omitempty"`
}

// HoursOfOperationConfig is an opening interval on one day.
type HoursOfOperationConfig struct {
	Day       *string                    `json:"Day,omitempty"`
	StartTime *HoursOfOperationTimeSlice `json:"StartTime,omitempty"`
	EndTime   *HoursOfOperationTimeSlice `json:"EndTime,omitempty"`
}

// HoursOfOperationTimeSlice is a time of day. Both members are always sent, 0 included.
type HoursOfOperationTimeSlice struct {
	Hours   *int `json:"Hours,omitempty"`
	Minutes *int `json:"Minutes,omitempty"`
}

// ParentHoursOfOperationConfig names parent hours (not supported by parley).
type ParentHoursOfOperationConfig struct {
	HoursOfOperationID *string `json:"HoursOfOperationId,omitempty"`
}

// CreateHoursOfOperationResponse is its response.
type CreateHoursOfOperationResponse struct {
	HoursOfOperationID  string `json:"HoursOfOperationId,omitempty"`
	HoursOfOperationArn string `json:"HoursOfOperationArn,omitempty"`
}

// DescribeHoursOfOperationResponse is the response of DescribeHoursOfOperation.
type DescribeHoursOfOperationResponse struct {
	HoursOfOperation *HoursOfOperation `json:"HoursOfOperation,omitempty"`
}

// HoursOfOperation describes hours of operation.
type HoursOfOperation struct {
	HoursOfOperationID  string                   `json:"HoursOfOperationId,omitempty"`
	HoursOfOperationArn string                   `json:"HoursOfOperationArn,omitempty"`
	Name                string                   `json:"Name,omitempty"`
	Description         string                   `json:"Description,omitempty"`
	TimeZone            string                   `json:"TimeZone,omitempty"`
	Config              []HoursOfOperationConfig `json:"Config"`
}

// ListHoursOfOperationsResponse is the response of ListHoursOfOperations.
type ListHoursOfOperationsResponse struct {
	HoursOfOperationSummaryList []Summary `json:"HoursOfOperationSummaryList"`
	NextToken                   string    `json:"NextToken,omitempty"`
}

// Quick connects.

// CreateQuickConnectRequest is the body of CreateQuickConnect (PUT /quick-connects/{InstanceId}).
type CreateQuickConnectRequest struct {
	Name               *string             `json:"Name,omitempty"`
	Description        *string             `json:"Description,omitempty"`
	QuickConnectConfig *QuickConnectConfig `json:"QuickConnectConfig,omitempty"`
	Tags               map[string]string   `json:"Tags,omitempty"`
}

// QuickConnectConfig is a quick connect's type and destination.
type QuickConnectConfig struct {
	QuickConnectType *string                  `json:"QuickConnectType,omitempty"`
	UserConfig       *UserQuickConnectConfig  `json:"UserConfig,omitempty"`
	QueueConfig      *QueueQuickConnectConfig `json:"QueueConfig,omitempty"`
	PhoneConfig      *PhoneQuickConnectConfig `json:"PhoneConfig,omitempty"`
	FlowConfig       *FlowQuickConnectConfig  `json:"FlowConfig,omitempty"`
}

// UserQuickConnectConfig is a USER quick connect's destination.
type UserQuickConnectConfig struct {
	UserID        *string `json:"UserId,omitempty"`
	ContactFlowID *string `json:"ContactFlowId,omitempty"`
}

// QueueQuickConnectConfig is a QUEUE quick connect's destination.
type QueueQuickConnectConfig struct {
	QueueID       *string `json:"QueueId,omitempty"`
	ContactFlowID *string `json:"ContactFlowId,omitempty"`
}

// PhoneQuickConnectConfig is a PHONE_NUMBER quick connect's destination.
type PhoneQuickConnectConfig struct {
	PhoneNumber *string `json:"PhoneNumber,omitempty"`
}

// FlowQuickConnectConfig is a FLOW quick connect's destination.
type FlowQuickConnectConfig struct {
	ContactFlowID *string `json:"ContactFlowId,omitempty"`
}

// CreateQuickConnectResponse is its response (note the model's upper-case ARN).
type CreateQuickConnectResponse struct {
	QuickConnectARN string `json:"QuickConnectARN,omitempty"`
	QuickConnectID  string `json:"QuickConnectId,omitempty"`
}

// DescribeQuickConnectResponse is the response of DescribeQuickConnect.
type DescribeQuickConnectResponse struct {
	QuickConnect *QuickConnect `json:"QuickConnect,omitempty"`
}

// QuickConnect describes a quick connect.
type QuickConnect struct {
	QuickConnectARN    string              `json:"QuickConnectARN,omitempty"`
	QuickConnectID     string              `json:"QuickConnectId,omitempty"`
	Name               string              `json:"Name,omitempty"`
	Description        string              `json:"Description,omitempty"`
	QuickConnectConfig *QuickConnectConfig `json:"QuickConnectConfig,omitempty"`
}

// ListQuickConnectsResponse is the response of ListQuickConnects (GET /quick-connects/{InstanceId}).
type ListQuickConnectsResponse struct {
	QuickConnectSummaryList []QuickConnectSummary `json:"QuickConnectSummaryList"`
	NextToken               string                `json:"NextToken,omitempty"`
}

// QuickConnectSummary summarizes a quick connect.
type QuickConnectSummary struct {
	ID               string `json:"Id,omitempty"`
	Arn              string `json:"Arn,omitempty"`
	Name             string `json:"Name,omitempty"`
	QuickConnectType string `json:"QuickConnectType,omitempty"`
}

// ListSecurityProfilesResponse is the response of ListSecurityProfiles.
type ListSecurityProfilesResponse struct {
	SecurityProfileSummaryList []Summary `json:"SecurityProfileSummaryList"`
	NextToken                  string    `json:"NextToken,omitempty"`
}
