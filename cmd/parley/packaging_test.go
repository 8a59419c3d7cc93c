package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parley-chat/parley/server"
)

// instruction is one instruction of a Dockerfile: its keyword, upper case, and its arguments.
type instruction struct {
	cmd, args string
	line      int
}

// parseDockerfile reads a Dockerfile's instructions, joining continued lines and dropping comments.
func parseDockerfile(t *testing.T, path string) []instruction {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []instruction
	var cur strings.Builder
	start := 0
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if cur.Len() == 0 {
			start = n
		}
		if s, ok := strings.CutSuffix(line, `\`); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(line)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, instruction{strings.ToUpper(cmd), strings.TrimSpace(args), start})
		cur.Reset()
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDockerfile lints the Dockerfile: a builder stage that builds a static binary, a final stage on distroless
// or scratch, images pinned by tag, a non-root user, the /data volume, the server's default port exposed, and an
// entrypoint that runs a real command whose flags parse. Where an image builder works, it also builds the image
// and runs parley version in it (skipped with -short).
func TestDockerfile(t *testing.T) {
	path := filepath.Join("..", "..", "Dockerfile")
	ins := parseDockerfile(t, path)
	var stages [][]instruction
	for _, in := range ins {
		if in.cmd == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			t.Fatalf("line %d: %s before the first FROM", in.line, in.cmd)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], in)
	}
	if len(stages) < 2 {
		t.Fatalf("%d stages, want a builder and a final stage", len(stages))
	}
	for _, st := range stages {
		image := strings.Fields(st[0].args)[0]
		name, tag, ok := strings.Cut(image[strings.LastIndex(image, "/")+1:], ":")
		if (!ok || tag == "" || tag == "latest") && !strings.Contains(image, "@sha256:") && name != "scratch" {
			t.Errorf("line %d: FROM %s is not pinned by a tag", st[0].line, image)
		}
	}
	var build string
	for _, in := range stages[0] {
		if in.cmd == "RUN" && strings.Contains(in.args, "go build") {
			build = in.args
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "./cmd/parley"} {
		if !strings.Contains(build, want) {
			t.Errorf("the builder's go build (%q) lacks %s", build, want)
		}
	}

	final := stages[len(stages)-1]
	if image := strings.Fields(final[0].args)[0]; !strings.HasPrefix(image, "gcr.io/distroless/static") && image != "scratch" {
		t.Errorf("the final stage is FROM %s, want distroless/static or scratch", image)
	}
	last := map[string]string{}
	var volumes, copies []string
	for _, in := range final {
		last[in.cmd] = in.args
		switch in.cmd {
		case "VOLUME":
			volumes = append(volumes, strings.Fields(strings.Trim(in.args, "[]"))...)
		case "COPY":
			copies = append(copies, in.args)
		}
	}
	if u, _, _ := strings.Cut(last["USER"], ":"); u == "" || u == "root" || u == "0" {
		t.Errorf("USER %q: want a non-root user", last["USER"])
	}
	if !slices.ContainsFunc(volumes, func(v string) bool { return strings.Trim(v, `"`) == "/data" }) {
		t.Errorf("VOLUME %q: want /data", volumes)
	}
	var entry []string
	if err := json.Unmarshal([]byte(last["ENTRYPOINT"]), &entry); err != nil || len(entry) < 2 {
		t.Fatalf("ENTRYPOINT %s: want the exec form naming a command (%v)", last["ENTRYPOINT"], err)
	}
	if !slices.ContainsFunc(copies, func(c string) bool { return strings.HasSuffix(c, " "+entry[0]) }) {
		t.Errorf("ENTRYPOINT runs %s, which no COPY of the final stage puts there", entry[0])
	}
	c := root().find(entry[1])
	if c == nil || c.run == nil || c.hidden {
		t.Fatalf("ENTRYPOINT: %q is not a parley command", entry[1])
	}
	opts, err := loadOptions(entry[2:], noEnv, io.Discard)
	if err != nil {
		t.Fatalf("ENTRYPOINT: parley serve %q: %v", entry[2:], err)
	}
	_, port, _ := net.SplitHostPort(opts.Listen)
	_, defPort, _ := net.SplitHostPort(server.Config{}.WithDefaults().Listen)
	if opts.DataDir != "/data" || port != defPort || last["EXPOSE"] != port {
		t.Errorf("ENTRYPOINT serves --data %s on port %s, EXPOSE %s; want /data and the default port %s", opts.DataDir, port,
			last["EXPOSE"], defPort)
	}

	if testing.Short() {
		return
	}
	builder := imageBuilder()
	if builder == "" {
		t.Log("no working docker, podman or buildah: the Dockerfile is linted, not built")
		return
	}
	tag := "parley-test:" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	ctx := t.Context()
	if out, err := exec.CommandContext(ctx, builder, "build", "-t", tag, "-f", path, filepath.Join("..", "..")).CombinedOutput(); err != nil {
		t.Fatalf("%s build: %v\n%s", builder, err, out)
	}
	t.Cleanup(func() { _ = exec.Command(builder, "rmi", tag).Run() })
	if builder == "buildah" {
		return // buildah builds; it does not run
	}
	out, err := exec.CommandContext(ctx, builder, "run", "--rm", "--entrypoint", entry[0], tag, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "parley ") {
		t.Errorf("parley version in the image: %v, %q", err, out)
	}
}

// imageBuilder returns the first of docker, podman and buildah that is installed and works ("" if none).
func imageBuilder() string {
	for _, b := range []string{"docker", "podman", "buildah"} {
		if _, err := exec.LookPath(b); err != nil {
			continue
		}
		check := []string{"info"}
		if b == "buildah" {
			check = []string{"version"}
		}
		if exec.CommandContext(context.Background(), b, check...).Run() == nil {
			return b
		}
	}
	return ""
}

// TestGoInstall: `go install github.com/parley-chat/parley/cmd/parley@latest` needs a go.mod with the module's
// own path and neither replace nor exclude directives (the go command refuses them in an installed module).
func TestGoInstall(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	var module string
	for i, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		switch fields[0] {
		case "module":
			module = fields[1]
		case "replace", "exclude":
			t.Errorf("go.mod:%d: a %s directive breaks go install ...@latest", i+1, fields[0])
		}
	}
	if module != "github.com/parley-chat/parley" {
		t.Errorf("module %q, want github.com/parley-chat/parley (the path docs/deploy.md installs)", module)
	}
}
