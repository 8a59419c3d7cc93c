// Package functions calls the Lambda functions contact flows invoke, without AWS: the operator maps each
// function ARN to an HTTP endpoint, and an Invoker POSTs it exactly the event Amazon Connect sends to Lambda
// ({"Name":"ContactFlowEvent","Details":{"ContactData":{…},"Parameters":{…}}}) and reads the JSON object it
// answers. So a team's function code runs unchanged behind any HTTP front that hands the body to the handler
// as its event and answers with what the handler returns: the Lambda Runtime Interface Emulator of the
// official Lambda container images, a small local server, a test's httptest server.
//
// It is an adapter (net/http) plugged into the chat core's flows (chat.Functions) and into `parley flow run`.
//
// Concurrency: an Invoker's methods may be called from any number of goroutines once its fields are set; the
// fields must not change afterwards. Asynchronous invocations run on goroutines the Invoker owns, at most
// MaxAsync at a time; Close waits for them.
package functions
