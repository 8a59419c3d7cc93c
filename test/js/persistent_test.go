package js_test

import (
	"testing"

	"github.com/parley-chat/parley/internal/testserver"
)

// TestChatJSPersistentChat: the unmodified ChatJS, in a chat that continues an ended one (StartChatContact's
// PersistentChat), reads the past session's messages with their original Ids and ContactId (persistent.test.js).
func TestChatJSPersistentChat(t *testing.T) {
	node, dir := nodeAndModules(t)
	srv := testserver.Start(t)
	runNode(t, node, dir, "persistent.test.js",
		"PARLEY_ENDPOINT="+srv.URL,
		"PARLEY_REGION="+srv.Region,
		"PARLEY_INSTANCE_ID="+srv.InstanceID,
		"PARLEY_FLOW_ID="+srv.ContactFlowID)
}
