package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestAWSCLIAdmin runs admin.sh, which configures a fresh server (hours, a queue, a routing profile, a user)
// with the unmodified AWS CLI, once per installed CLI, each against its own fresh server.
func TestAWSCLIAdmin(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found")
	}
	script, err := filepath.Abs("admin.sh")
	if err != nil {
		t.Fatal(err)
	}

	const debianCLI = "/usr/bin/aws"
	ran := 0
	pathCLI, pathErr := exec.LookPath("aws")
	t.Run("PATH", func(t *testing.T) {
		if pathErr != nil {
			t.Skip("no `aws` on PATH (pip install awscli gives AWS CLI v1)")
		}
		ran++
		runScript(t, bash, script, pathCLI)
	})
	t.Run("debian", func(t *testing.T) {
		if _, err := os.Stat(debianCLI); err != nil {
			t.Skipf("%s missing: apt-get install awscli (scripts/test.sh does) to also test AWS CLI v2", debianCLI)
		}
		if pathErr == nil && sameFile(pathCLI, debianCLI) {
			t.Skipf("%s is the `aws` on PATH, already tested", debianCLI)
		}
		ran++
		runScript(t, bash, script, debianCLI)
	})
	if ran == 0 {
		t.Fatalf("no AWS CLI found: neither `aws` on PATH nor %s (scripts/test.sh installs Debian's awscli)", debianCLI)
	}
}
