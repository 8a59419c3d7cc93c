package main

// Shell completion: `parley completion bash|zsh|fish` prints a script that asks the hidden command
// `parley __complete WORD...` for the candidates of the last word. The candidates come from the command table
// and from the commands' own flag sets (probed, not parsed: see flagProbe), so they cannot drift from what
// parley accepts.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// completeCommand is the hidden command the completion scripts call.
const completeCommand = "__complete"

// completionCommands are the subcommands of parley completion.
var completionCommands = []command{
	{name: "bash", summary: "bash: source <(parley completion bash), or save it in /etc/bash_completion.d/parley", run: printScript(bashCompletion)},
	{name: "zsh", summary: "zsh: source <(parley completion zsh), or save it as _parley in a directory of $fpath", run: printScript(zshCompletion)},
	{name: "fish", summary: "fish: parley completion fish > ~/.config/fish/completions/parley.fish", run: printScript(fishCompletion)},
}

func printScript(script string) runFunc {
	return func(_ context.Context, args []string, _ func(string) string, stdout, _ io.Writer) error {
		if len(args) > 0 {
			return fmt.Errorf("unexpected argument %q", args[0])
		}
		_, err := io.WriteString(stdout, script)
		return err
	}
}

// The scripts hand parley the words after "parley" up to the cursor, the last one being the word completed,
// and offer what it prints, one candidate a line; when it prints nothing, the shell completes file names.
const bashCompletion = `# bash completion for parley (parley completion bash)
_parley() {
	local IFS=$'\n'
	COMPREPLY=($("${COMP_WORDS[0]}" __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _parley parley
`

const zshCompletion = `#compdef parley
# zsh completion for parley (parley completion zsh)
_parley() {
	local -a candidates
	candidates=("${(@f)$("${words[1]}" __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
	candidates=(${candidates:#})
	if (( ${#candidates} )); then
		compadd -- "${candidates[@]}"
	else
		_files
	fi
}
if [ "$funcstack[1]" = "_parley" ]; then
	_parley "$@"  # autoloaded from $fpath: this is the first completion
else
	compdef _parley parley
fi
`

const fishCompletion = `# fish completion for parley (parley completion fish)
function __parley_complete
	set -l words (commandline -opc)
	set -l candidates ($words[1] __complete $words[2..-1] (commandline -ct) 2>/dev/null)
	if test (count $candidates) -eq 0
		__fish_complete_path (commandline -ct)
	else
		printf '%s\n' $candidates
	end
end
complete -c parley -f -a '(__parley_complete)'
`

// completeCmd prints the candidates for the last of args, one a line.
func completeCmd(ctx context.Context, args []string, getenv func(string) string, stdout, _ io.Writer) error {
	for _, c := range complete(ctx, args, getenv) {
		fmt.Fprintln(stdout, c)
	}
	return nil
}

// complete returns the candidates for the last of words, the words after "parley": subcommands where a command
// of subcommands expects one, flags where a word starts with "-", nothing where a flag's value or an argument
// goes.
func complete(ctx context.Context, words []string, getenv func(string) string) []string {
	if len(words) == 0 {
		words = []string{""}
	}
	last, before := words[len(words)-1], words[:len(words)-1]
	c := root()
	for len(before) > 0 && c.run == nil {
		if c = c.find(before[0]); c == nil || c.hidden {
			return nil
		}
		before = before[1:]
	}
	var out []string
	if c.run == nil {
		for _, s := range c.subs {
			if !s.hidden && strings.HasPrefix(s.name, last) {
				out = append(out, s.name)
			}
		}
		return out
	}
	fs := probeFlags(ctx, c, getenv)
	if fs == nil {
		return nil
	}
	if n := len(before); n > 0 && takesValue(fs, before[n-1]) {
		return nil
	}
	if !strings.HasPrefix(last, "-") {
		return nil
	}
	dashes := "--"
	if len(last) > 1 && last[1] != '-' {
		dashes = "-" // -fla completes to -flag
	}
	name := strings.TrimLeft(last, "-")
	fs.VisitAll(func(f *flag.Flag) {
		if strings.HasPrefix(f.Name, name) {
			out = append(out, dashes+f.Name)
		}
	})
	return out
}

// takesValue reports whether word is a flag of fs that takes its value from the next word.
func takesValue(fs *flag.FlagSet, word string) bool {
	name, ok := strings.CutPrefix(word, "-")
	if !ok || strings.Contains(name, "=") {
		return false
	}
	f := fs.Lookup(strings.TrimPrefix(name, "-"))
	if f == nil {
		return false
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return !ok || !b.IsBoolFlag()
}

// flagProbe is the stderr of a command run to learn its flags: parseFlags hands it the command's flag set and
// returns errProbed, so the command stops before it does anything.
type flagProbe struct {
	io.Writer
	fs *flag.FlagSet
}

var errProbed = errors.New("flags probed")

// probeFlags returns the flag set of a command, or nil if it has none. The command runs with -h, so one that
// parses its flags otherwise than through parseFlags stops at its usage, printed into the probe.
func probeFlags(ctx context.Context, c *command, getenv func(string) string) *flag.FlagSet {
	p := &flagProbe{Writer: io.Discard}
	_ = c.run(ctx, []string{"-h"}, getenv, io.Discard, p)
	return p.fs
}
