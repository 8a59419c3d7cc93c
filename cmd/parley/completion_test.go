package main

import (
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestComplete: the candidates `parley __complete` gives for the last word, from the command table and the
// commands' own flag sets.
func TestComplete(t *testing.T) {
	for _, tc := range []struct {
		words []string
		want  []string
	}{
		{[]string{"se"}, []string{"serve"}},
		{[]string{"b"}, []string{"bench", "bridge"}},
		{[]string{"__"}, nil},                                                       // hidden
		{[]string{"bench", ""}, []string{"idle", "chat", "start", "soak", "relay"}}, // not worker
		{[]string{"flow", "r"}, []string{"run"}},
		{[]string{"admin", "re"}, []string{"reset-password"}},
		{[]string{"completion", ""}, []string{"bash", "zsh", "fish"}},
		{[]string{"serve", "--lis"}, []string{"--listen"}},
		{[]string{"serve", "-log"}, []string{"-log-format", "-log-level"}},
		{[]string{"serve", "--data", ""}, nil}, // a flag's value: files
		{[]string{"serve", "--data", "d", "--reg"}, []string{"--region"}},
		{[]string{"chat", "--script", "--wa"}, []string{"--wait"}}, // after a boolean flag
		{[]string{"bench", "chat", "--ro"}, []string{"--rounds"}},
		{[]string{"admin", "reset-password", "--u"}, []string{"--user"}},
		{[]string{"admin", "users", "--u"}, nil}, // --user is reset-password's
		{[]string{"flow", "check", ""}, nil},     // FLOW.json: files
		{[]string{"nope", "--"}, nil},
	} {
		got := complete(t.Context(), tc.words, noEnv)
		if !slices.Equal(got, tc.want) {
			t.Errorf("complete %q = %q, want %q", tc.words, got, tc.want)
		}
	}
}

// TestHelpListsFlags: every command of the table answers -h with its flags (each one its flag set has), as a
// request for help, not an error; serve's show the server's defaults.
func TestHelpListsFlags(t *testing.T) {
	var walk func(path []string, c *command)
	walk = func(path []string, c *command) {
		if c.hidden {
			return
		}
		if c.run == nil {
			stdout, stderr, err := runParley(t, "", append(path, "-h")...)
			if len(path) == 0 { // parley -h: the commands on stdout
				stderr, err = stdout, flag.ErrHelp
			}
			for _, s := range c.subs {
				if !errors.Is(err, flag.ErrHelp) || (!s.hidden && !strings.Contains(stderr, "  "+s.name+" ")) {
					t.Errorf("parley %s -h: %v, want the subcommand %s listed:\n%s", strings.Join(path, " "), err, s.name, stderr)
				}
				walk(append(slices.Clone(path), s.name), &s)
			}
			return
		}
		fs := probeFlags(t.Context(), c, noEnv)
		if fs == nil {
			return // version, completion bash: no flags
		}
		_, stderr, err := runParley(t, "", append(path, "-h")...)
		if !errors.Is(err, flag.ErrHelp) {
			t.Errorf("parley %s -h: %v, want flag.ErrHelp", strings.Join(path, " "), err)
		}
		fs.VisitAll(func(f *flag.Flag) {
			if !regexp.MustCompile(`-` + f.Name + `\s`).MatchString(stderr) {
				t.Errorf("parley %s -h does not list -%s:\n%s", strings.Join(path, " "), f.Name, stderr)
			}
		})
	}
	walk(nil, root())

	_, stderr, _ := runParley(t, "", "serve", "-h")
	for _, want := range []string{`(default "127.0.0.1:8080")`, `(default "parley-data")`, `(default "us-west-2")`,
		`(default "info")`, `(default "text")`, `(default "default")`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("serve -h does not say %s:\n%s", want, stderr)
		}
	}
}

// TestCompletionScripts: each shell's script is valid in that shell (bash -n, zsh -n, fish -n) and, sourced
// there, completes through `parley __complete` (this test binary playing parley). Shells not installed are
// skipped.
func TestCompletionScripts(t *testing.T) {
	dir := t.TempDir()
	// A parley on PATH that is this test binary running main (TestHelperComplete).
	wrapper := "#!/bin/sh\nPARLEY_TEST_COMPLETE=1 exec " + shellQuote(os.Args[0]) + " -test.run='^TestHelperComplete$' -- \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "parley"), []byte(wrapper), 0o700); err != nil {
		t.Fatal(err)
	}
	// Each shell runs the script ($1) and completes the command line ($2), printing the candidates.
	shells := []struct{ name, complete string }{
		{"bash", `source "$1"; COMP_WORDS=($2); [[ "$2" == *" " ]] && COMP_WORDS+=(""); ` +
			`COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _parley; echo "${COMPREPLY[*]}"`},
		{"zsh", `compdef() {}; source "$1"; compadd() { shift; print -r -- "$@"; }; _files() {}; ` +
			`words=(${(z)2}); [[ "$2" == *" " ]] && words+=(""); CURRENT=${#words}; _parley`},
		{"fish", `source $argv[1]; complete -C"$argv[2]"`},
	}
	for _, sh := range shells {
		path, err := exec.LookPath(sh.name)
		if err != nil {
			t.Logf("no %s: its script is not checked", sh.name)
			continue
		}
		out, _, err := runParley(t, "", "completion", sh.name)
		if err != nil {
			t.Fatal(err)
		}
		script := filepath.Join(dir, "parley."+sh.name)
		if err := os.WriteFile(script, []byte(out), 0o600); err != nil {
			t.Fatal(err)
		}
		if b, err := exec.Command(path, "-n", script).CombinedOutput(); err != nil {
			t.Errorf("%s -n: %v\n%s", sh.name, err, b)
			continue
		}
		for _, tc := range []struct{ line, want string }{
			{"parley se", "serve"},
			{"parley admin reset-password --us", "--user"},
			{"parley completion ", "bash fish zsh"},
		} {
			args := []string{"-c", sh.complete, sh.name, script, tc.line}
			switch sh.name {
			case "bash":
				args = append([]string{"--norc", "--noprofile"}, args...)
			case "zsh":
				args = append([]string{"-f"}, args...)
			case "fish":
				args = []string{"--no-config", "-c", sh.complete, script, tc.line}
			}
			cmd := exec.Command(path, args...)
			cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
			b, err := cmd.CombinedOutput()
			got := strings.Fields(string(b))
			slices.Sort(got)
			if err != nil || strings.Join(got, " ") != tc.want {
				t.Errorf("%s completing %q: %v, got %q, want %q", sh.name, tc.line, err, b, tc.want)
			}
		}
	}
}

// TestHelperComplete is parley for TestCompletionScripts: it runs main with the arguments after "--".
func TestHelperComplete(t *testing.T) {
	if os.Getenv("PARLEY_TEST_COMPLETE") == "" {
		t.Skip("runs only as a subprocess of TestCompletionScripts")
	}
	os.Args = append([]string{"parley"}, flag.Args()...)
	main()
	os.Exit(0)
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
