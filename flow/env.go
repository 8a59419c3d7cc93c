package flow

import (
	"context"
	"errors"
	"time"
)

// Env is the world a flow runs in: every effect of an action and every fact from outside the flow goes through
// it. Step calls it on the caller's goroutine, never concurrently.
//
// An error from a method that carries out an action makes the action take its error branch (NoMatchingError,
// unless the method documents another), except when it wraps ErrAbort or ctx is done: then Step stops and
// returns the error.
type Env interface {
	// Now is the current time. Step reads it once, at its start.
	Now() time.Time
	// Contact returns the contact's data as it stands when Step starts; Step keeps its own copy up to date with
	// the changes the flow makes. An error aborts Step.
	Contact(ctx context.Context) (Contact, error)
	// LoadFlow returns the flow a reference (an id or an ARN) names and its canonical id. TransferToFlow and
	// Step use it; a flow that does not exist is an error.
	LoadFlow(ctx context.Context, ref string) (id string, f *Flow, err error)

	// SendMessage sends a message to the chat as the SYSTEM participant.
	SendMessage(ctx context.Context, m Message) error
	// UpdateAttributes sets user-defined attributes on the current contact (target "Current") or the related
	// contact ("Related"), all or none (Connect's 32 KB limit is the Env's to enforce).
	UpdateAttributes(ctx context.Context, target string, attrs map[string]string) error
	// UpdateContactData sets contact properties (Name, Description, LanguageCode, CustomerId, …) as written in
	// an UpdateContactData action, with references resolved.
	UpdateContactData(ctx context.Context, target string, data map[string]string) error
	// SetQueue sets the contact's working queue (a standard queue, or an agent's queue when AgentID is set) and
	// returns it.
	SetQueue(ctx context.Context, t QueueTarget) (Queue, error)
	// TransferToQueue places the contact in its working queue. The flow ends when it succeeds. An error that
	// wraps ErrQueueAtCapacity takes the QueueAtCapacity branch.
	TransferToQueue(ctx context.Context) error
	// TransferToAgent hands the contact to the agent of its working (agent) queue. The flow ends when it
	// succeeds.
	TransferToAgent(ctx context.Context) error
	// SetEventHook sets the flow run on a contact event (CustomerQueue, CustomerRemaining, …).
	SetEventHook(ctx context.Context, hook, flowRef string) error
	// SetRoutingBehavior changes the contact's priority or age in its queue.
	SetRoutingBehavior(ctx context.Context, r Routing) error
	// Disconnect ends the chat for the customer. The flow ends.
	Disconnect(ctx context.Context) error

	// HoursOpen reports whether the hours of operation hoursRef (an id or ARN; "" for the working queue's) are
	// open at the time at.
	HoursOpen(ctx context.Context, hoursRef string, at time.Time) (bool, error)
	// Metrics returns the current metrics of a queue (an empty QueueMetric: the working queue).
	Metrics(ctx context.Context, q MetricQuery) (Metrics, error)
	// Invoke calls a Lambda function (in parley, the endpoint the operator maps its ARN to) with the event
	// Connect sends and returns its answer, a JSON object. The Env enforces inv.Timeout.
	Invoke(ctx context.Context, inv Invocation) (map[string]any, error)
	// Percent returns a number from 1 to 100, chosen at random, for DistributeByPercentage.
	Percent() int
}

// Errors an Env returns to steer the flow.
var (
	// ErrQueueAtCapacity: the working queue is full; TransferContactToQueue takes its QueueAtCapacity branch.
	ErrQueueAtCapacity = errors.New("flow: queue at capacity")
	// ErrAbort: the Env cannot go on (the store failed, say); Step returns the error instead of taking the
	// action's error branch.
	ErrAbort = errors.New("flow: aborted")
)

// Contact is the contact data references read ($.ContactId, $.Attributes.x, $.Queue.Name, …).
type Contact struct {
	ContactID, InitialContactID, PreviousContactID, RelatedContactID string
	Channel                                                          string // "CHAT"
	InitiationMethod                                                 string // "API", "TRANSFER", …
	InstanceARN                                                      string
	Name, Description, LanguageCode, CustomerID                      string
	Attributes                                                       map[string]string
	SegmentAttributes                                                map[string]string
	CustomerEndpoint, SystemEndpoint                                 Endpoint
	Queue                                                            Queue // the working queue; zero when none
	Agent                                                            Agent // the connected agent; zero when none
}

// Endpoint is a customer or system endpoint.
type Endpoint struct{ Address, Type string }

// Queue is a working queue.
type Queue struct{ ID, ARN, Name string }

// Agent is the agent connected to the contact.
type Agent struct{ ARN, UserName, FirstName, LastName string }

// Content types of the messages a flow sends.
const (
	ContentTypePlain       = "text/plain"
	ContentTypeInteractive = "application/vnd.amazonaws.connect.message.interactive"
)

// Message is a message the flow sends to the chat.
type Message struct {
	ContentType string // ContentTypePlain or ContentTypeInteractive
	Content     string
}

// QueueTarget names the working queue to set: QueueID, or AgentID for an agent's queue. Both are references as
// the flow writes them (an id or an ARN).
type QueueTarget struct{ QueueID, AgentID string }

// Routing is a change of the contact's routing: a priority (lower first) or an age adjustment. Nil means
// unchanged.
type Routing struct {
	QueuePriority       *int
	QueueTimeAdjustment *time.Duration
}

// MetricQuery names the queue CheckMetricData reads: QueueID, AgentID (an agent's queue), or neither (the
// working queue).
type MetricQuery struct{ QueueID, AgentID string }

// Metrics are the current metrics of a queue.
type Metrics struct {
	ContactsInQueue  int
	OldestContactAge time.Duration
	AgentsOnline     int
	AgentsAvailable  int
	AgentsStaffed    int
}

// Invocation is a Lambda call.
type Invocation struct {
	FunctionARN string
	// Parameters are the action's LambdaInvocationAttributes (Details.Parameters of the event), references
	// resolved.
	Parameters map[string]string
	Timeout    time.Duration
	// ResponseType is "STRING_MAP" (the default: a flat object) or "JSON"; Step checks the answer against it.
	ResponseType string
	// Async is set for InvocationType ASYNCHRONOUS: the answer is not waited for and not used.
	Async bool
}
