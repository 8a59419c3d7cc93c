// Package cli_test runs whole chats through the unmodified AWS CLI against an in-process parley server: chat.sh is
// the test, this file starts the server and runs it once per installed CLI (v1 from pip as `aws` on PATH, and
// Debian's awscli v2 at /usr/bin/aws).
package cli_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/testserver"
)

// scriptTimeout bounds one run of a script (chat.sh: two chats, a dozen CLI invocations at about a second each).
const scriptTimeout = 3 * time.Minute

func TestAWSCLI(t *testing.T) {
	eachCLI(t, "chat.sh", runScript)
}

// eachCLI runs a script once per installed AWS CLI: the `aws` on PATH (here AWS CLI v1 from pip) and Debian's
// /usr/bin/aws (v2), skipping a missing one with a clear message and failing when there is none.
func eachCLI(t *testing.T, name string, run func(t *testing.T, bash, script, cli string)) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found")
	}
	script, err := filepath.Abs(name)
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
		run(t, bash, script, pathCLI)
	})
	t.Run("debian", func(t *testing.T) {
		if _, err := os.Stat(debianCLI); err != nil {
			t.Skipf("%s missing: apt-get install awscli (scripts/test.sh does) to also test AWS CLI v2", debianCLI)
		}
		if pathErr == nil && sameFile(pathCLI, debianCLI) {
			t.Skipf("%s is the `aws` on PATH, already tested", debianCLI)
		}
		ran++
		run(t, bash, script, debianCLI)
	})
	if ran == 0 {
		t.Fatalf("no AWS CLI found: neither `aws` on PATH nor %s (scripts/test.sh installs Debian's awscli)", debianCLI)
	}
}

func sameFile(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

func runScript(t *testing.T, bash, script, aws string) {
	srv := testserver.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), scriptTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash, script)
	cmd.Dir = filepath.Dir(script)
	cmd.Env = append(os.Environ(),
		"AWS="+aws,
		"ENDPOINT="+srv.URL,
		"REGION="+srv.Region,
		"INSTANCE_ID="+srv.InstanceID,
		"FLOW_ID="+srv.ContactFlowID,
	)
	cmd.WaitDelay = 5 * time.Second
	out := &lineLogger{t: t}
	cmd.Stdout = out
	cmd.Stderr = out
	err := cmd.Run()
	out.flush()
	name := filepath.Base(script)
	if ctx.Err() != nil {
		t.Fatalf("%s with %s did not finish within %v (killed)", name, aws, scriptTimeout)
	}
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("%s with %s failed (exit code %d); see the output above", name, aws, exit.ExitCode())
		}
		t.Fatalf("%s with %s: %v", name, aws, err)
	}
}

// lineLogger passes the script's output to t.Log line by line as it arrives.
type lineLogger struct {
	t   *testing.T
	mu  sync.Mutex
	buf []byte
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		l.t.Log(string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
	return len(p), nil
}

func (l *lineLogger) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.t.Log(string(l.buf))
		l.buf = nil
	}
}
