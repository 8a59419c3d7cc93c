package admin

import (
	"context"
	"strings"

	"github.com/parley-chat/parley"
)

// Names of the flows every instance gets, once (the counterparts of flows a new Amazon Connect instance has).
const (
	FirstContactFlowName   = "First contact flow"
	QueueTransferFlowName  = "Default queue transfer"
	CustomerQueueFlowName  = "Default customer queue"
	DisconnectFlowName     = "Default disconnect flow"
	flowTypeQueueTransfer  = "QUEUE_TRANSFER"
	defaultFlowsTokenTail  = "/default-flows"
	defaultFlowDescription = "Created by parley with the instance; edit or delete it as any flow"
)

// defaultFlows are the flows an instance gets, in the order they are created: a flow may name the ARN of one
// made before it as %NAME% (its name in capitals, spaces as underscores); %QUEUE% is BasicQueue's ARN.
var defaultFlows = []struct{ name, typ, content string }{
	// While a chat waits: how many customers are ahead, then a reminder every five minutes.
	{CustomerQueueFlowName, FlowTypeCustomerQueue, `{"Version":"2019-10-30","StartAction":"metrics","Actions":[
{"Identifier":"metrics","Type":"GetMetricData","Parameters":{},"Transitions":{"NextAction":"ahead","Errors":[{"NextAction":"remind","ErrorType":"NoMatchingError"}]}},
{"Identifier":"ahead","Type":"Compare","Parameters":{"ComparisonValue":"$.Metrics.Queue.Size"},"Transitions":{"NextAction":"remind","Conditions":[{"NextAction":"position","Condition":{"Operator":"NumberGreaterThan","Operands":["0"]}}],"Errors":[{"NextAction":"remind","ErrorType":"NoMatchingCondition"}]}},
{"Identifier":"position","Type":"MessageParticipant","Parameters":{"Text":"Customers ahead of you: $.Metrics.Queue.Size."},"Transitions":{"NextAction":"remind"}},
{"Identifier":"remind","Type":"MessageParticipantIteratively","Parameters":{"Messages":[{"Text":"Thank you for waiting. An agent will be with you as soon as possible."}],"InterruptFrequencySeconds":"300"},"Transitions":{"NextAction":"remind","Errors":[{"NextAction":"end","ErrorType":"NoMatchingError"}]}},
{"Identifier":"end","Type":"EndFlowExecution","Parameters":{},"Transitions":{}}]}`},
	// When the agent leaves first: the customer may come back within 15 minutes and is queued again.
	{DisconnectFlowName, FlowTypeContactFlow, `{"Version":"2019-10-30","StartAction":"left","Actions":[
{"Identifier":"left","Type":"MessageParticipant","Parameters":{"Text":"The agent has left the chat. Send a message within 15 minutes and we will find you another agent."},"Transitions":{"NextAction":"wait"}},
{"Identifier":"wait","Type":"Wait","Parameters":{"TimeLimitSeconds":"900","Events":["CustomerReturned"]},"Transitions":{"NextAction":"bye","Conditions":[{"NextAction":"again","Condition":{"Operator":"Equals","Operands":["CustomerReturned"]}},{"NextAction":"bye","Condition":{"Operator":"Equals","Operands":["WaitCompleted"]}}],"Errors":[{"NextAction":"bye","ErrorType":"NoMatchingError"}]}},
{"Identifier":"again","Type":"MessageParticipant","Parameters":{"Text":"You are being placed in queue to chat with another agent."},"Transitions":{"NextAction":"queue"}},
{"Identifier":"queue","Type":"TransferContactToQueue","Parameters":{},"Transitions":{"NextAction":"bye","Errors":[{"NextAction":"bye","ErrorType":"QueueAtCapacity"},{"NextAction":"bye","ErrorType":"NoMatchingError"}]}},
{"Identifier":"bye","Type":"MessageParticipant","Parameters":{"Text":"The chat has ended. Goodbye."},"Transitions":{"NextAction":"end"}},
{"Identifier":"end","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`},
	// A quick connect's transfer to a queue.
	{QueueTransferFlowName, flowTypeQueueTransfer, `{"Version":"2019-10-30","StartAction":"say","Actions":[
{"Identifier":"say","Type":"MessageParticipant","Parameters":{"Text":"Your chat is being transferred. Please wait for the next available agent."},"Transitions":{"NextAction":"transfer"}},
{"Identifier":"transfer","Type":"TransferContactToQueue","Parameters":{},"Transitions":{"NextAction":"failed","Errors":[{"NextAction":"failed","ErrorType":"QueueAtCapacity"},{"NextAction":"failed","ErrorType":"NoMatchingError"}]}},
{"Identifier":"failed","Type":"MessageParticipant","Parameters":{"Text":"Sorry, the transfer failed. Goodbye."},"Transitions":{"NextAction":"end"}},
{"Identifier":"end","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`},
	// A first contact: the hooks above, a greeting, the queue's hours, the queue.
	{FirstContactFlowName, FlowTypeContactFlow, `{"Version":"2019-10-30","StartAction":"hooks","Actions":[
{"Identifier":"hooks","Type":"UpdateContactEventHooks","Parameters":{"EventHooks":{"CustomerQueue":"%DEFAULT_CUSTOMER_QUEUE%"}},"Transitions":{"NextAction":"remaining","Errors":[{"NextAction":"remaining","ErrorType":"NoMatchingError"}]}},
{"Identifier":"remaining","Type":"UpdateContactEventHooks","Parameters":{"EventHooks":{"CustomerRemaining":"%DEFAULT_DISCONNECT_FLOW%"}},"Transitions":{"NextAction":"hello","Errors":[{"NextAction":"hello","ErrorType":"NoMatchingError"}]}},
{"Identifier":"hello","Type":"MessageParticipant","Parameters":{"Text":"Hello, thanks for contacting us."},"Transitions":{"NextAction":"set-queue"}},
{"Identifier":"set-queue","Type":"UpdateContactTargetQueue","Parameters":{"QueueId":"%QUEUE%"},"Transitions":{"NextAction":"hours","Errors":[{"NextAction":"failed","ErrorType":"NoMatchingError"}]}},
{"Identifier":"hours","Type":"CheckHoursOfOperation","Parameters":{},"Transitions":{"NextAction":"failed","Conditions":[{"NextAction":"placing","Condition":{"Operator":"Equals","Operands":["True"]}},{"NextAction":"closed","Condition":{"Operator":"Equals","Operands":["False"]}}],"Errors":[{"NextAction":"failed","ErrorType":"NoMatchingError"}]}},
{"Identifier":"placing","Type":"MessageParticipant","Parameters":{"Text":"You are now being placed in queue to chat with an agent."},"Transitions":{"NextAction":"transfer"}},
{"Identifier":"transfer","Type":"TransferContactToQueue","Parameters":{},"Transitions":{"NextAction":"failed","Errors":[{"NextAction":"failed","ErrorType":"QueueAtCapacity"},{"NextAction":"failed","ErrorType":"NoMatchingError"}]}},
{"Identifier":"closed","Type":"MessageParticipant","Parameters":{"Text":"We are closed right now. Please come back during our opening hours."},"Transitions":{"NextAction":"end"}},
{"Identifier":"failed","Type":"MessageParticipant","Parameters":{"Text":"Sorry, we cannot take your chat right now. Goodbye."},"Transitions":{"NextAction":"end"}},
{"Identifier":"end","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`},
}

// ensureFlows creates the default flows of an instance once: a flow deleted since is not made again, and a flow
// of the same name made by the operator is kept as it is.
func (s *Service) ensureFlows(ctx context.Context, tx parley.Tx, inst *parley.Instance, queue *parley.Queue) error {
	token := inst.ID + defaultFlowsTokenTail
	_, err := tx.Idempotent(ctx, bootstrapScope, token)
	switch {
	case err == nil:
		return nil // made once already
	case !parley.IsCode(err, parley.ENOTFOUND):
		return err
	}
	flows, err := tx.ListContactFlows(ctx, inst.ID)
	if err != nil {
		return err
	}
	refs := []string{"%QUEUE%", queue.ARN}
	for _, def := range defaultFlows {
		f := byName(flows, def.name, func(f *parley.ContactFlow) string { return f.Name })
		if f == nil {
			id := newID()
			f = &parley.ContactFlow{ID: id, InstanceID: inst.ID, ARN: inst.ARN + "/" + arnFlow + "/" + id, Name: def.name,
				Type: def.typ, State: FlowStateActive, Status: FlowStatusPublished, Description: defaultFlowDescription,
				Content: strings.NewReplacer(refs...).Replace(def.content)}
			if err := tx.PutContactFlow(ctx, f); err != nil {
				return err
			}
		}
		refs = append(refs, "%"+strings.ToUpper(strings.ReplaceAll(def.name, " ", "_"))+"%", f.ARN)
	}
	return tx.PutIdempotent(ctx, bootstrapScope, token, []byte(inst.ID))
}
