package js_test

import (
	"context"
	"testing"

	"github.com/parley-chat/parley/admin"
	"github.com/parley-chat/parley/internal/testserver"
)

// viewFlow shows the AWS managed Form view and thanks the customer with what the form collected.
const viewFlow = `{"Version":"2019-10-30","StartAction":"form","Actions":[
{"Identifier":"form","Type":"ShowView","Parameters":{"ViewResource":{"Id":"form"},"InvocationTimeLimitSeconds":"600",
 "ViewData":{"Heading":"Your address","Sections":[{"Items":[{"Type":"FormInput","Name":"city","Label":"City"}]}]}},
 "Transitions":{"NextAction":"end","Conditions":[{"NextAction":"thanks","Condition":{"Operator":"Equals","Operands":["Next"]}}],
  "Errors":[{"NextAction":"end","ErrorType":"NoMatchingError"}]}},
{"Identifier":"thanks","Type":"MessageParticipant","Parameters":{"Text":"See you in $.Views.ViewResultData.city"},"Transitions":{"NextAction":"end"}},
{"Identifier":"end","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}`

// TestChatJSViews: the unmodified ChatJS receives a ShowView message, describes the view with its token
// (session.describeView), submits the form as an interactive response, and sees the flow's answer.
func TestChatJSViews(t *testing.T) {
	node, dir := nodeAndModules(t)
	srv := testserver.Start(t)
	f, err := srv.Admin().CreateContactFlow(context.Background(), srv.InstanceID, admin.FlowInput{Name: "Views",
		Type: admin.FlowTypeContactFlow, Content: viewFlow})
	if err != nil {
		t.Fatal(err)
	}
	runNode(t, node, dir, "views.test.js",
		"PARLEY_ENDPOINT="+srv.URL,
		"PARLEY_REGION="+srv.Region,
		"PARLEY_INSTANCE_ID="+srv.InstanceID,
		"PARLEY_FLOW_ID="+f.ID)
}
