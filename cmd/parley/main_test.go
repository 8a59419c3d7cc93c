package main

import (
	"errors"
	"flag"
	"strings"
	"testing"
)

// TestCommandLine: a bare parley lists the commands; help and version answer on stdout; a flag before any
// command is refused with the command it probably meant; a flag error is a usage error (exit 2, said once by
// the flag package), a request for help is not.
func TestCommandLine(t *testing.T) {
	for _, args := range [][]string{nil, {"help"}, {"-h"}, {"--help"}} {
		out, _, err := runParley(t, "", args...)
		if err != nil || !strings.Contains(out, "commands:") || !strings.Contains(out, "serve") || !strings.Contains(out, "bench") {
			t.Errorf("parley %q: %v, output %q", args, err, out)
		}
	}
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		out, _, err := runParley(t, "", args...)
		if err != nil || !strings.HasPrefix(out, "parley ") || !strings.Contains(out, "go1.") {
			t.Errorf("parley %q: %v, output %q", args, err, out)
		}
	}
	if _, _, err := runParley(t, "", "--listen", "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "parley serve --listen") {
		t.Errorf("a flag before the command: %v", err)
	}
	_, _, err := runParley(t, "", "serve", "--no-such-flag")
	var ue usageError
	if !errors.As(err, &ue) {
		t.Errorf("an unknown flag: %v, want a usage error", err)
	}
	if _, _, err := runParley(t, "", "serve", "-h"); !errors.Is(err, flag.ErrHelp) || !askedForHelp([]string{"serve", "-h"}) {
		t.Errorf("serve -h: %v", err)
	}
}
