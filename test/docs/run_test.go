//go:build unix

package docs_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	// docTimeout bounds one file's commands (README.md: about a dozen AWS CLI calls of a second or so each).
	docTimeout = 3 * time.Minute
	// startTimeout bounds a server's start, until its banner is printed.
	startTimeout = time.Minute
	// stopTimeout bounds a server's shutdown after SIGTERM.
	stopTimeout = 30 * time.Second
)

// tools are the programs a command block may need beyond bash, parley and coreutils; a file whose run blocks use
// a missing one is skipped, saying which.
var tools = map[string]string{
	"aws":  "pip install awscli, or apt-get install awscli as scripts/test.sh does",
	"jq":   "apt-get install jq, as scripts/test.sh does",
	"curl": "apt-get install curl, as scripts/test.sh does",
}

// TestCommands runs the command blocks of each file of the docs against a fresh `parley serve` of its own, on a
// loopback port with its data in ./parley-data of a new directory, in which the blocks run in order in one bash
// (-euo pipefail), as a reader pasting them into one terminal would: the docs' http://127.0.0.1:8080 (or
// localhost:8080) becomes the server's address, and <InstanceId>, <ContactFlowId> and <password> the values of
// its banner. The parley binary is first on PATH; AWS credentials and PARLEY_* settings are cleared, so a file
// must set what it needs.
func TestCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: starts a server per page and runs the AWS CLI")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found")
	}
	var files []docFile
	for _, f := range docFiles(t) {
		if _, run, _ := f.script(strings.NewReplacer()); len(run) > 0 {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		t.Fatal("no command block to run in README.md or docs/")
	}
	bin := buildParley(t)
	env := cleanEnv(bin)
	for _, f := range files {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			runFile(t, bash, bin, f, env)
		})
	}
}

// runFile starts a server for f, then runs f's command blocks.
func runFile(t *testing.T, bash, bin string, f docFile, env []string) {
	script, run, skipped := f.script(strings.NewReplacer())
	for _, s := range skipped {
		t.Logf("not run: %s", s)
	}
	for tool, install := range tools {
		used := regexp.MustCompile(`(^|[\s;|&(!])` + tool + `\s`)
		if used.MatchString(script) {
			if _, err := exec.LookPath(tool); err != nil {
				t.Skipf("%s needs `%s`, which is not on PATH (%s)", f.Name, tool, install)
			}
		}
	}
	dir := t.TempDir()
	srv := startServer(t, filepath.Join(bin, "parley"), dir, env)
	script, _, _ = f.script(strings.NewReplacer(
		"127.0.0.1:8080", srv.HostPort, "localhost:8080", srv.HostPort,
		"<InstanceId>", srv.InstanceID, "<ContactFlowId>", srv.FlowID, "<password>", srv.Password))
	ctx, cancel := context.WithTimeout(context.Background(), docTimeout)
	defer cancel()
	// bash -c names the file in its messages ("docs/admin.md: line 140: pc: command not found").
	cmd := exec.CommandContext(ctx, bash, "-euo", "pipefail", "-c", script, f.Name)
	cmd.Dir = dir
	cmd.Env = env
	killGroupOnCancel(cmd)
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	t.Logf("output of %s's commands:\n%s", f.Name, out.String())
	switch {
	case ctx.Err() != nil:
		t.Errorf("%s did not finish within %v (killed); %s", f.Name, docTimeout, where(f, run, out.String()))
	case err != nil:
		t.Errorf("%s: %v; %s", f.Name, err, where(f, run, out.String()))
	}
}

// where names the block and the line that ran last, from bash's trace (PS4 is "+ FILE:LINENO: ").
func where(f docFile, run []block, out string) string {
	re := regexp.MustCompile(`(?m)^\++ ` + regexp.QuoteMeta(f.Name) + `:(\d+): `)
	all := re.FindAllStringSubmatch(out, -1)
	if len(all) == 0 {
		return "no command ran (see the output above)"
	}
	line, _ := strconv.Atoi(all[len(all)-1][1])
	for _, b := range run {
		if line > b.Fence && line <= b.Fence+len(b.Lines) {
			return fmt.Sprintf("the last command ran at %s:%d, in the block at line %d (see the output above)",
				f.Name, line, b.Fence)
		}
	}
	return fmt.Sprintf("the last command was at %s:%d", f.Name, line)
}

// server is a `parley serve` started for one file.
type server struct {
	HostPort, InstanceID, FlowID, Password string
}

var bannerRE = map[string]*regexp.Regexp{
	"url":      regexp.MustCompile(`serving .* at http://(\S+)`),
	"instance": regexp.MustCompile(`^\s*InstanceId\s+(\S+)`),
	"flow":     regexp.MustCompile(`^\s*ContactFlowId\s+(\S+)`),
	"password": regexp.MustCompile(`^Demo agent: username agent, password (\S+)`),
}

// startServer runs the parley binary's `serve` in dir until the test ends, and reads its banner.
func startServer(t *testing.T, parley, dir string, env []string) *server {
	cmd := exec.Command(parley, "serve", "--listen", "127.0.0.1:0")
	cmd.Dir = dir
	cmd.Env = env
	banner := &bannerWriter{found: map[string]string{}, done: make(chan struct{})}
	var logs bytes.Buffer // read once the process has exited
	cmd.Stdout = banner
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("parley serve: %v", err)
			}
		case <-time.After(stopTimeout):
			_ = cmd.Process.Kill()
			<-exited
			t.Errorf("parley serve did not stop within %v of SIGTERM (killed)", stopTimeout)
		}
		if log := logs.String(); strings.Contains(log, "WARNING: DATA RACE") {
			t.Errorf("the server reported a data race:\n%s", log)
		} else if t.Failed() {
			t.Logf("server log:\n%s", log)
		}
	})
	select {
	case <-banner.done:
	case err := <-exited:
		exited <- err
		t.Fatalf("parley serve exited before it printed its banner (%v):\n%s%s", err, banner.text(), logs.String())
	case <-time.After(startTimeout):
		_ = cmd.Process.Kill()
		exited <- <-exited
		t.Fatalf("parley serve printed no complete banner within %v:\n%s%s", startTimeout, banner.text(), logs.String())
	}
	f := banner.found
	return &server{HostPort: f["url"], InstanceID: f["instance"], FlowID: f["flow"], Password: f["password"]}
}

// bannerWriter is a server's stdout: it finds the banner's values, and closes done once it has them all.
type bannerWriter struct {
	mu     sync.Mutex
	buf    []byte
	parsed int // bytes of buf read as complete lines
	found  map[string]string
	done   chan struct{}
}

func (w *bannerWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for len(w.found) < len(bannerRE) {
		i := bytes.IndexByte(w.buf[w.parsed:], '\n')
		if i < 0 {
			break
		}
		line := string(w.buf[w.parsed : w.parsed+i])
		w.parsed += i + 1
		for key, re := range bannerRE {
			if m := re.FindStringSubmatch(line); m != nil && w.found[key] == "" {
				w.found[key] = m[1]
			}
		}
		if len(w.found) == len(bannerRE) {
			close(w.done)
		}
	}
	return len(p), nil
}

func (w *bannerWriter) text() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.buf)
}

// buildParley builds cmd/parley into a new directory (with -race when the test runs under it), or skips the test
// without a go tool.
func buildParley(t *testing.T) string {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go tool to build parley: %v", err)
	}
	bin := t.TempDir()
	args := []string{"build", "-o", filepath.Join(bin, "parley")}
	if race {
		args = append(args, "-race")
	}
	out, err := exec.Command(goTool, append(args, "github.com/parley-chat/parley/cmd/parley")...).CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// cleanEnv is the environment of the servers and the commands: this process's, with bin first on PATH, without
// PARLEY_* settings and AWS credentials or configuration, and with no EC2 metadata lookups.
func cleanEnv(bin string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "PARLEY_"), strings.HasPrefix(k, "AWS_"):
		case k == "PATH":
			env = append(env, "PATH="+bin+string(os.PathListSeparator)+v)
		default:
			env = append(env, kv)
		}
	}
	if !slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "PATH=") }) {
		env = append(env, "PATH="+bin)
	}
	return append(env, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=")
}

// killGroupOnCancel runs cmd in its own process group and kills the whole group when its context ends, so that
// what a block started does not outlive a timeout.
func killGroupOnCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}

func TestWhere(t *testing.T) {
	f := docFile{Name: "docs/page.md"}
	run := []block{{Fence: 2, Lines: []string{"a", "b"}}, {Fence: 10, Lines: []string{"c"}}}
	out := "+ docs/page.md:3: a\nok\n++ docs/page.md:11: c\nc: command not found\n"
	if got, want := where(f, run, out), "docs/page.md:11, in the block at line 10"; !strings.Contains(got, want) {
		t.Errorf("where = %q, want it to contain %q", got, want)
	}
	if got := where(f, run, "bash: syntax error\n"); !strings.Contains(got, "no command ran") {
		t.Errorf("where without a trace = %q", got)
	}
}
