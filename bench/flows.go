package bench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/parley-chat/parley/wire"
)

// Flow references of another instance, rewritten when a flow is imported for a run.
var (
	foreignQueue = regexp.MustCompile(`arn:aws:connect:[^"]*?:instance/[^"/]+/queue/[0-9a-f-]+`)
	foreignFlow  = regexp.MustCompile(`arn:aws:connect:[^"]*?:instance/[^"/]+/contact-flow/[0-9a-f-]+`)
	placeholder  = regexp.MustCompile(`\$\{aws_connect_contact_flow\.[a-z_]+\.contact_flow_id\}`)
)

// endFlow is a customer-queue flow that ends at once: what references to another instance's flows by ARN (in
// Amazon's samples, the event hooks) point at.
const endFlow = `{"Version":"2019-10-30","StartAction":"end","Actions":[{"Identifier":"end","Type":"EndFlowExecution","Parameters":{},"Transitions":{}}]}`

// importFlows creates the flows of files (Flow Language, as Connect exports them) in the instance, in order,
// with CreateContactFlow, and returns the id of the last, which the run's chats start on. References to another
// instance's queues are rewritten to BasicQueue, to its flows by ARN (the samples' event hooks) to a flow that
// ends at once, and Terraform placeholders of flow ids (the samples' TransferToFlow targets) to the flow imported
// just before. So `--flow sample-queue-configurations.json --flow sample-inbound-first-contact.json` runs
// Amazon's sample inbound flow into its queue configurations flow; when an agent ends the chat, its disconnect
// flow ends it.
func importFlows(ctx context.Context, a *api, instanceID string, files []string) (string, error) {
	var queues wire.ListQueuesResponse
	if err := a.do(ctx, http.MethodGet, strings.Replace(wire.PathListQueues, "{InstanceId}", instanceID, 1), nil, nil, &queues); err != nil {
		return "", fmt.Errorf("ListQueues: %w", err)
	}
	basic := ""
	for _, q := range queues.QueueSummaryList {
		if q.Name == "BasicQueue" {
			basic = q.Arn
		}
	}
	if basic == "" {
		return "", fmt.Errorf("ListQueues: the instance has no BasicQueue")
	}
	prevID, endARN, err := createFlow(ctx, a, instanceID, "bench: end", "CUSTOMER_QUEUE", endFlow)
	if err != nil {
		return "", err
	}
	for i, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		content := foreignQueue.ReplaceAllString(string(b), basic)
		content = foreignFlow.ReplaceAllString(content, endARN)
		content = placeholder.ReplaceAllString(content, prevID)
		name := fmt.Sprintf("bench %d: %s", i+1, filepath.Base(file))
		if prevID, _, err = createFlow(ctx, a, instanceID, name, "CONTACT_FLOW", content); err != nil {
			return "", fmt.Errorf("%s: %w", file, err)
		}
	}
	return prevID, nil
}

func createFlow(ctx context.Context, a *api, instanceID, name, typ, content string) (id, arn string, err error) {
	req := wire.CreateContactFlowRequest{Name: &name, Type: &typ, Content: &content}
	var out wire.CreateContactFlowResponse
	if err := a.do(ctx, http.MethodPut, strings.Replace(wire.PathCreateContactFlow, "{InstanceId}", instanceID, 1), nil, req, &out); err != nil {
		return "", "", fmt.Errorf("CreateContactFlow %s: %w", name, err)
	}
	return out.ContactFlowID, out.ContactFlowArn, nil
}
