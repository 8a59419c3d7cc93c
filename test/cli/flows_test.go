package cli_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/parley-chat/parley/internal/testserver"
)

// TestAWSCLIFlows imports Amazon Connect's sample flows with the unmodified AWS CLI (flows.sh), checks that bad
// flows are refused with InvalidContactFlowException, and runs a chat through the imported flows. It skips where
// ../shared/flows is absent.
func TestAWSCLIFlows(t *testing.T) {
	flows, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "flows"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(flows, "sample-inbound-first-contact.json")); err != nil {
		t.Skipf("sample flows not available (../shared/flows): %v", err)
	}
	eachCLI(t, "flows.sh", func(t *testing.T, bash, script, aws string) {
		srv := testserver.Start(t)
		runStep(t, bash, script, aws, srv, "", "FLOWS="+flows)
	})
}
