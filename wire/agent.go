package wire

// Shapes of parley's agent API (docs/agent-api.md). Amazon Connect's agent protocol is private; this one is
// parley's own, in the same JSON style as the AWS APIs.

// Agent contact states.
const (
	AgentContactOffered   = "OFFERED"
	AgentContactConnected = "CONNECTED"
	AgentContactACW       = "AFTER_CONTACT_WORK"
)

// Agent system states (AgentState.System).
const (
	SystemAvailable = "Available"
	SystemPending   = "Pending"
	SystemBusy      = "Busy"
	SystemACW       = "AfterContactWork"
	SystemMissed    = "Missed"
	SystemOffline   = "Offline"
	SystemCustom    = "Unavailable"
)

// LoginRequest is the body of POST /agent/v1/login.
type LoginRequest struct {
	Username   string `json:"Username"`
	Password   string `json:"Password"`
	InstanceID string `json:"InstanceId,omitempty"`
}

// LoginResponse is its response.
type LoginResponse struct {
	Token  string    `json:"Token"`
	Expiry string    `json:"Expiry"`
	User   AgentUser `json:"User"`
}

// AgentUser describes the logged-in user.
type AgentUser struct {
	ID               string `json:"Id"`
	Username         string `json:"Username"`
	FirstName        string `json:"FirstName,omitempty"`
	LastName         string `json:"LastName,omitempty"`
	Role             string `json:"Role"`
	InstanceID       string `json:"InstanceId"`
	RoutingProfileID string `json:"RoutingProfileId,omitempty"`
	AutoAccept       bool   `json:"AutoAccept"`
}

// StatusRequest is the body of PUT /agent/v1/status.
type StatusRequest struct {
	Status string `json:"Status"`
}

// AgentState is an agent's chosen status and its system state.
type AgentState struct {
	UserID     string         `json:"UserId"`
	Username   string         `json:"Username,omitempty"`
	Status     string         `json:"Status"`
	StatusType string         `json:"StatusType"`
	Since      string         `json:"Since,omitempty"`
	System     string         `json:"System"`
	Slots      int            `json:"Slots"`
	Contacts   []AgentContact `json:"Contacts"`
}

// AgentContact is a contact as its agent sees it.
type AgentContact struct {
	ContactID        string            `json:"ContactId"`
	InitialContactID string            `json:"InitialContactId"`
	QueueID          string            `json:"QueueId,omitempty"`
	QueueName        string            `json:"QueueName,omitempty"`
	State            string            `json:"State"`
	AgentID          string            `json:"AgentId,omitempty"`
	OfferDeadline    string            `json:"OfferDeadline,omitempty"`
	ConnectedAt      string            `json:"ConnectedAt,omitempty"`
	EndedAt          string            `json:"EndedAt,omitempty"`
	EndReason        string            `json:"EndReason,omitempty"`
	CustomerName     string            `json:"CustomerName,omitempty"`
	CustomerID       string            `json:"CustomerId,omitempty"`
	Attributes       map[string]string `json:"Attributes,omitempty"`
	ParticipantID    string            `json:"ParticipantId,omitempty"`
	ParticipantToken string            `json:"ParticipantToken,omitempty"`
}

// ContactTranscriptResponse is a page of a contact's transcript (GET /agent/v1/contacts/{id}/transcript):
// items oldest first as the Participant API shapes them, and the NextToken of the next page.
type ContactTranscriptResponse struct {
	InitialContactID string `json:"InitialContactId"`
	Transcript       []Item `json:"Transcript"`
	NextToken        string `json:"NextToken,omitempty"`
}

// AgentContactsResponse lists contacts.
type AgentContactsResponse struct {
	Contacts []AgentContact `json:"Contacts"`
}

// TransferRequest is the body of POST /agent/v1/contacts/{ContactId}/transfer: exactly one member.
type TransferRequest struct {
	QueueID        string `json:"QueueId,omitempty"`
	QuickConnectID string `json:"QuickConnectId,omitempty"`
	UserID         string `json:"UserId,omitempty"`
}

// TransferResponse is its response.
type TransferResponse struct {
	ContactID string `json:"ContactId"`
}

// AgentQuickConnect is a transfer target as GET /agent/v1/quick-connects lists it: a queue or a user.
type AgentQuickConnect struct {
	ID      string `json:"Id"`
	Name    string `json:"Name"`
	Type    string `json:"Type"`
	QueueID string `json:"QueueId,omitempty"`
	UserID  string `json:"UserId,omitempty"`
}

// QuickConnectsResponse is the response of GET /agent/v1/quick-connects.
type QuickConnectsResponse struct {
	QuickConnects []AgentQuickConnect `json:"QuickConnects"`
}

// MonitorRequest is the body of POST /agent/v1/contacts/{ContactId}/monitor.
type MonitorRequest struct {
	Mode string `json:"Mode,omitempty"` // SILENT (default)
}

// MonitorResponse carries the supervisor's participant credentials.
type MonitorResponse struct {
	ContactID        string `json:"ContactId"`
	ParticipantID    string `json:"ParticipantId"`
	ParticipantToken string `json:"ParticipantToken"`
}

// QueueStatus is a queue as a supervisor sees it.
type QueueStatus struct {
	ID                      string `json:"Id"`
	Name                    string `json:"Name"`
	Waiting                 int    `json:"Waiting"`
	OldestContactAgeSeconds int64  `json:"OldestContactAgeSeconds"`
	AgentsAvailable         int    `json:"AgentsAvailable"`
	AgentsOnContact         int    `json:"AgentsOnContact"`
}

// AgentInstance is the instance of an admin's session (GET /agent/v1/instance).
type AgentInstance struct {
	ID          string `json:"Id"`
	Arn         string `json:"Arn"`
	Alias       string `json:"Alias"`
	CreatedTime string `json:"CreatedTime"`
}

// AgentUsersResponse lists the users of an admin's instance (GET /agent/v1/users).
type AgentUsersResponse struct {
	Users []AgentUser `json:"Users"`
}

// PasswordRequest is the body of PUT /agent/v1/users/{Username}/password: the new password, or none for a
// generated one.
type PasswordRequest struct {
	Password string `json:"Password,omitempty"`
}

// PasswordResponse is its response: the generated password, when the request gave none.
type PasswordResponse struct {
	Password string `json:"Password,omitempty"`
}

// AgentEvent is one frame of the agent event stream.
type AgentEvent struct {
	Type      string        `json:"Type"`
	State     *AgentState   `json:"State,omitempty"`
	Contact   *AgentContact `json:"Contact,omitempty"`
	ContactID string        `json:"ContactId,omitempty"`
	Reason    string        `json:"Reason,omitempty"`
}

// Agent event types.
const (
	EventState            = "state"
	EventOffer            = "offer"
	EventOfferWithdrawn   = "offer.withdrawn"
	EventContactConnected = "contact.connected"
	EventContactEnded     = "contact.ended"
	EventContactCleared   = "contact.cleared"
)
