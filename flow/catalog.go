package flow

// support says what parley does with an action type of the Flow Language on a chat contact.
type support int

const (
	// runs: parley runs the action as Connect does on a chat (see docs/flows.md for the differences).
	runs support = iota + 1
	// noEffect: the action is accepted and has no effect on a chat; the flow takes its NextAction.
	noEffect
	// errorBranch: the action exists in the Flow Language but parley (or Connect, on a chat) cannot run it; the
	// flow takes its error branch.
	errorBranch
)

// catalog lists every action type of the Flow Language ("Actions in the Amazon Connect Flow language", API
// Reference: contact actions, flow control actions, interactions, participant actions), plus the legacy
// InvokeExternalResource that older exports still carry. A type not listed here is rejected by Validate.
var catalog = map[string]support{
	// Participant actions.
	"MessageParticipant":              runs,
	"MessageParticipantIteratively":   runs,
	"GetParticipantInput":             runs,
	"DisconnectParticipant":           runs,
	"ShowView":                        runs,
	"AuthenticateParticipant":         runs,
	"ConnectParticipantWithLexBot":    errorBranch,
	"TransferParticipantToThirdParty": errorBranch,

	// Contact actions.
	"UpdateContactAttributes":                    runs,
	"UpdateContactData":                          runs,
	"UpdateContactTargetQueue":                   runs,
	"TransferContactToQueue":                     runs,
	"TransferContactToAgent":                     runs,
	"UpdateContactEventHooks":                    runs,
	"UpdateContactRoutingBehavior":               runs,
	"UpdateContactRecordingBehavior":             noEffect,
	"UpdateContactRecordingAndAnalyticsBehavior": noEffect,
	"UpdateContactTextToSpeechVoice":             noEffect,
	"TagContact":                                 noEffect,
	"UnTagContact":                               noEffect,
	"CompleteOutboundCall":                       errorBranch,
	"CreateCase":                                 errorBranch,
	"CreateTask":                                 errorBranch,
	"CreateWisdomSession":                        errorBranch,
	"DequeueContactAndTransferToQueue":           errorBranch,
	"EndFlowModuleExecution":                     errorBranch,
	"GetCase":                                    errorBranch,
	"InvokeFlowModule":                           errorBranch,
	"StartOutboundChatContact":                   errorBranch,
	"ResumeContact":                              errorBranch,
	"UpdateCase":                                 errorBranch,
	"UpdateContactCallbackNumber":                errorBranch,
	"UpdateContactMediaProcessing":               errorBranch,
	"UpdateContactMediaStreamingBehavior":        errorBranch,
	"UpdatePreviousContactParticipantState":      errorBranch,

	// Flow control actions.
	"Compare":                   runs,
	"CheckHoursOfOperation":     runs,
	"CheckMetricData":           runs,
	"GetMetricData":             runs,
	"DistributeByPercentage":    runs,
	"Wait":                      runs,
	"TransferToFlow":            runs,
	"EndFlowExecution":          runs,
	"UpdateFlowAttributes":      runs,
	"UpdateFlowLoggingBehavior": noEffect,
	"CheckOutboundCallStatus":   errorBranch,
	"CheckVoiceId":              errorBranch,
	"Loop":                      errorBranch,
	"StartVoiceIdStream":        errorBranch,
	"UpdateRoutingCriteria":     errorBranch,

	// Interactions.
	"InvokeLambdaFunction":                      runs,
	"InvokeExternalResource":                    runs,
	"AssociateContactToCustomerProfile":         errorBranch,
	"CreateCallbackContact":                     errorBranch,
	"CreateCustomerProfile":                     errorBranch,
	"GetCustomerProfile":                        errorBranch,
	"GetCustomerProfileObject":                  errorBranch,
	"GetCalculatedAttributesForCustomerProfile": errorBranch,
	"UpdateCustomerProfile":                     errorBranch,
}

// waits reports whether an action of type t stops the flow until the customer or a timer moves it (or, for
// Loop, runs a bounded number of times), so a loop through it is not a busy loop.
func waits(t string) bool {
	switch t {
	case "GetParticipantInput", "Wait", "MessageParticipantIteratively", "ShowView", "ConnectParticipantWithLexBot",
		"Loop", "AuthenticateParticipant":
		return true
	}
	return false
}

// eventHooks are the keys UpdateContactEventHooks accepts.
var eventHooks = map[string]bool{
	"AgentHold": true, "AgentWhisper": true, "CustomerHold": true, "CustomerQueue": true, "CustomerRemaining": true,
	"CustomerWhisper": true, "DefaultAgentUI": true, "DisconnectAgentUI": true, "PauseContact": true,
	"ResumeContact": true,
}

// metricTypes are the metrics CheckMetricData reads.
var metricTypes = map[string]bool{
	"NumberOfAgentsAvailable": true, "NumberOfAgentsStaffed": true, "NumberOfAgentsOnline": true,
	"OldestContactInQueueAgeSeconds": true, "NumberOfContactsInQueue": true,
}

// operators are the condition operators of the Flow Language.
var operators = map[string]bool{
	"Equals": true, "NumberGreaterThan": true, "NumberGreaterOrEqualTo": true, "NumberLessThan": true,
	"NumberLessOrEqualTo": true, "TextContains": true, "TextStartsWith": true, "TextEndsWith": true,
}
