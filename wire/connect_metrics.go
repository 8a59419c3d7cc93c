package wire

// The real-time metrics operations of the Connect Service, GetCurrentMetricData and GetCurrentUserData, with the
// paths and member names of aws-sdk-go-v2 service/connect v1.175.2.

// The URIs of the real-time metrics operations (POST), labels in braces.
const (
	PathGetCurrentMetricData = "/metrics/current/{InstanceId}"
	PathGetCurrentUserData   = "/metrics/userdata/{InstanceId}"
)

// Enum values of the real-time metrics operations.
var (
	CurrentMetricNames = []string{"AGENTS_ONLINE", "AGENTS_AVAILABLE", "AGENTS_ON_CALL", "AGENTS_NON_PRODUCTIVE",
		"AGENTS_AFTER_CONTACT_WORK", "AGENTS_ERROR", "AGENTS_STAFFED", "CONTACTS_IN_QUEUE", "OLDEST_CONTACT_AGE",
		"CONTACTS_SCHEDULED", "AGENTS_ON_CONTACT", "SLOTS_ACTIVE", "SLOTS_AVAILABLE", "ESTIMATED_WAIT_TIME"}
	MetricUnits       = []string{"SECONDS", "COUNT", "PERCENT"}
	Groupings         = []string{"QUEUE", "CHANNEL", "ROUTING_PROFILE", "ROUTING_STEP_EXPRESSION", "AGENT_STATUS", "SUBTYPE", "VALIDATION_TEST_TYPE"}
	SortOrders        = []string{"ASCENDING", "DESCENDING"}
	ContactStates     = []string{"INCOMING", "PENDING", "CONNECTING", "CONNECTED", "CONNECTED_ONHOLD", "MISSED", "ERROR", "ENDED", "REJECTED"}
	InitiationMethods = []string{"INBOUND", "OUTBOUND", "TRANSFER", "QUEUE_TRANSFER", "CALLBACK", "API", "DISCONNECT",
		"MONITOR", "EXTERNAL_OUTBOUND", "WEBRTC_API", "AGENT_REPLY", "FLOW"}
)

// GetCurrentMetricDataRequest is the body of GetCurrentMetricData (POST /metrics/current/{InstanceId}).
type GetCurrentMetricDataRequest struct {
	Filters        *MetricFilters              `json:"Filters,omitempty"`
	Groupings      []string                    `json:"Groupings,omitempty"`
	CurrentMetrics []CurrentMetric             `json:"CurrentMetrics,omitempty"`
	NextToken      *string                     `json:"NextToken,omitempty"`
	MaxResults     *int                        `json:"MaxResults,omitempty"`
	SortCriteria   []CurrentMetricSortCriteria `json:"SortCriteria,omitempty"`
}

// MetricFilters is the model's Filters structure.
type MetricFilters struct {
	Queues                 []string `json:"Queues,omitempty"`
	Channels               []string `json:"Channels,omitempty"`
	RoutingProfiles        []string `json:"RoutingProfiles,omitempty"`
	RoutingStepExpressions []string `json:"RoutingStepExpressions,omitempty"`
	AgentStatuses          []string `json:"AgentStatuses,omitempty"`
	Subtypes               []string `json:"Subtypes,omitempty"`
	ValidationTestTypes    []string `json:"ValidationTestTypes,omitempty"`
}

// CurrentMetric names a real-time metric, by Name or by MetricId.
type CurrentMetric struct {
	Name     *string `json:"Name,omitempty"`
	MetricID *string `json:"MetricId,omitempty"`
	Unit     *string `json:"Unit,omitempty"`
}

// CurrentMetricSortCriteria orders the results by one metric.
type CurrentMetricSortCriteria struct {
	SortByMetric *string `json:"SortByMetric,omitempty"`
	SortOrder    *string `json:"SortOrder,omitempty"`
}

// GetCurrentMetricDataResponse is its response.
type GetCurrentMetricDataResponse struct {
	MetricResults         []CurrentMetricResult `json:"MetricResults"`
	DataSnapshotTime      *EpochSeconds         `json:"DataSnapshotTime,omitempty"`
	ApproximateTotalCount int64                 `json:"ApproximateTotalCount"`
	NextToken             string                `json:"NextToken,omitempty"`
}

// CurrentMetricResult is the metrics of one group.
type CurrentMetricResult struct {
	Dimensions  *MetricDimensions   `json:"Dimensions,omitempty"`
	Collections []CurrentMetricData `json:"Collections"`
}

// MetricDimensions names the group of a result.
type MetricDimensions struct {
	Queue          *Reference `json:"Queue,omitempty"`
	Channel        string     `json:"Channel,omitempty"`
	RoutingProfile *Reference `json:"RoutingProfile,omitempty"`
}

// Reference is the model's QueueReference, RoutingProfileReference and UserReference: an id and an ARN.
type Reference struct {
	ID  string `json:"Id"`
	Arn string `json:"Arn"`
}

// CurrentMetricData is one metric's value; Value is absent when it cannot be computed.
type CurrentMetricData struct {
	Metric CurrentMetric `json:"Metric"`
	Value  *float64      `json:"Value,omitempty"`
}

// GetCurrentUserDataRequest is the body of GetCurrentUserData (POST /metrics/userdata/{InstanceId}).
type GetCurrentUserDataRequest struct {
	Filters    *UserDataFilters `json:"Filters,omitempty"`
	NextToken  *string          `json:"NextToken,omitempty"`
	MaxResults *int             `json:"MaxResults,omitempty"`
}

// UserDataFilters selects the users of GetCurrentUserData.
type UserDataFilters struct {
	Queues              []string       `json:"Queues,omitempty"`
	ContactFilter       *ContactFilter `json:"ContactFilter,omitempty"`
	RoutingProfiles     []string       `json:"RoutingProfiles,omitempty"`
	Agents              []string       `json:"Agents,omitempty"`
	UserHierarchyGroups []string       `json:"UserHierarchyGroups,omitempty"`
}

// ContactFilter keeps the users holding a contact in one of ContactStates.
type ContactFilter struct {
	ContactStates []string `json:"ContactStates,omitempty"`
}

// GetCurrentUserDataResponse is its response.
type GetCurrentUserDataResponse struct {
	UserDataList          []UserData `json:"UserDataList"`
	ApproximateTotalCount int64      `json:"ApproximateTotalCount"`
	NextToken             string     `json:"NextToken,omitempty"`
}

// UserData is one user's current state.
type UserData struct {
	User                    *Reference              `json:"User,omitempty"`
	RoutingProfile          *Reference              `json:"RoutingProfile,omitempty"`
	Status                  *AgentStatusReference   `json:"Status,omitempty"`
	AvailableSlotsByChannel map[string]int          `json:"AvailableSlotsByChannel"`
	MaxSlotsByChannel       map[string]int          `json:"MaxSlotsByChannel"`
	ActiveSlotsByChannel    map[string]int          `json:"ActiveSlotsByChannel"`
	Contacts                []AgentContactReference `json:"Contacts"`
}

// AgentStatusReference is the status a user chose.
type AgentStatusReference struct {
	StatusStartTimestamp *EpochSeconds `json:"StatusStartTimestamp,omitempty"`
	StatusArn            string        `json:"StatusArn,omitempty"`
	StatusName           string        `json:"StatusName,omitempty"`
}

// AgentContactReference is a contact a user holds.
type AgentContactReference struct {
	ContactID                 string        `json:"ContactId"`
	Channel                   string        `json:"Channel"`
	InitiationMethod          string        `json:"InitiationMethod,omitempty"`
	AgentContactState         string        `json:"AgentContactState"`
	StateStartTimestamp       *EpochSeconds `json:"StateStartTimestamp,omitempty"`
	ConnectedToAgentTimestamp *EpochSeconds `json:"ConnectedToAgentTimestamp,omitempty"`
	Queue                     *Reference    `json:"Queue,omitempty"`
}
