// Package crash_test kills a real `parley serve` with SIGKILL under load, again and again, and checks that no
// acknowledged message was lost, duplicated, reordered or renumbered, and that every chat still ends (issue 14,
// "kill -9 in CI"). It builds the server binary and runs bench.Soak, the scenario behind `parley bench soak`,
// briefly: 16 chats, 32 senders, 3 kills under load plus one after it. TestClusterNodeLoss does the same to one
// of three nodes on Postgres and NATS, which stays down (issue 15, "Node loss").
//
// Under -race the server is built with -race too: its packages are then in the build cache already (go test
// -race ./... compiled them), and a data race in the server's start or recovery fails the test.
package crash_test

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/bench"
)

func TestKill9(t *testing.T) {
	skipUnlessCrashable(t, "building and killing the server takes about 20 s")
	bin := buildServer(t)
	dir := filepath.Dir(bin)

	var serverLog lockedBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// Soak kills its server before it returns, and the kernel kills it if this process dies first.
	r, err := bench.Soak(ctx, bench.SoakConfig{
		Binary:    bin,
		Data:      filepath.Join(dir, "data"),
		Duration:  time.Minute, // a bound: the load ends one interval after the third kill
		KillEvery: 1250 * time.Millisecond,
		MaxKills:  3,
		Chats:     16,
		Rate:      0, // each sender always has a request in flight, for a kill to cut
		Log:       testLog{t},
		ServerLog: &serverLog,
	})
	checkSoak(t, r, err, &serverLog)
	if r.Kills < 4 || r.Restarts != r.Kills {
		t.Errorf("kills %d, restarts %d: want 3 under load and 1 after, each restarted", r.Kills, r.Restarts)
	}
	// 32 senders for about 5 s of load: even a loaded machine acknowledges a few hundred (here: thousands).
	if r.Acknowledged < 200 {
		t.Errorf("only %d messages acknowledged", r.Acknowledged)
	}
	if r.Retried == 0 {
		t.Errorf("no send was retried: the kills never hit a request")
	}
}

// skipUnlessCrashable skips the test where it does not run: not on Linux, or under -short (why: the reason).
func skipUnlessCrashable(t *testing.T, why string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skipf("SIGKILL and restart are tested on Linux only (this is %s)", runtime.GOOS)
	}
	if testing.Short() {
		t.Skip("-short: " + why)
	}
}

// buildServer builds the server into a temporary directory, with -race when the test runs under it, or skips
// the test without a go tool.
func buildServer(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go tool to build the server: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "parley")
	args := []string{"build", "-o", bin}
	if race {
		args = append(args, "-race")
	}
	build := exec.Command(goTool, append(args, "github.com/parley-chat/parley/cmd/parley")...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Skipf("cannot build the server (go build: %v):\n%s", err, out)
	}
	return bin
}

// checkSoak fails the test on a run that could not be carried out, a data race in the servers' log, or a broken
// promise, and logs the report.
func checkSoak(t *testing.T, r *bench.SoakReport, err error, serverLog *lockedBuffer) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if log := serverLog.String(); strings.Contains(log, "WARNING: DATA RACE") {
		t.Errorf("the server reported a data race:\n%s", log)
	}
	var text bytes.Buffer
	r.Text(&text)
	t.Log("\n" + text.String())
	if !r.OK() {
		t.Errorf("lost %d, duplicated %d, reordered %d, mismatched %d, unknown %d, stuck %d, unhealthy %d, errors %d: %q %q",
			r.Lost, r.Duplicated, r.Reordered, r.Mismatched, r.Unknown, r.Stuck, r.Unhealthy, r.Errors, r.Problems,
			r.ErrorSamples)
	}
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
