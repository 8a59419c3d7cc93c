// Command parley is a self-hosted Amazon Connect chat service: the Participant Service, StartChatContact and
// friends, and the chat WebSocket, wire-compatible with the official clients.
//
//	parley                  print the commands
//	parley serve [flags]    run the server
//	parley chat [flags]     chat in the terminal, or script a chat (JSON lines on stdout)
//	parley agent [flags]    the agent workspace in a terminal: offers, several chats, transfers
//	parley bench SCENARIO   load-test a server over loopback (docs/benchmarks.md)
//	parley flow check|run|log   validate a contact flow or run it offline; print a contact's flow log
//	parley bridge [flags]   run the channel bridges against any Connect-compatible endpoint
//	parley admin COMMAND    an operator's commands on the data directory, the database or a running server
//	parley completion bash|zsh|fish   print a shell completion script
//	parley version          print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/parley-chat/parley/server"
)

var version = "dev"

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2) // the flag package said what is wrong, and printed the usage
		}
		if errors.Is(err, flag.ErrHelp) {
			if askedForHelp(os.Args[1:]) {
				os.Exit(0) // the help was printed, as asked
			}
			os.Exit(2) // a usage error: the usage was printed
		}
		fmt.Fprintln(os.Stderr, "parley:", err)
		os.Exit(1)
	}
}

// usageError is a command line the flag package refused; it has already said why.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

// parseFlags parses a command's flags; a refusal other than a request for help is a usageError. When the shell
// completion probes the command (its stderr is a *flagProbe), parseFlags hands the flag set over instead.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if p, ok := fs.Output().(*flagProbe); ok {
		p.fs = fs
		return errProbed
	}
	err := fs.Parse(args)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		return usageError{err}
	}
	return err
}

// askedForHelp reports whether the command line asks for help (-h, -help, --help).
func askedForHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help":
			return true
		case "--":
			return false
		}
	}
	return false
}

// runFunc runs a command with the arguments after its name.
type runFunc func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error

// command is one of parley's commands, or one of a command's subcommands. The dispatch, the usage and the shell
// completion all read the table, so a command added to it is run, listed and completed.
type command struct {
	name, summary string
	run           runFunc   // nil for a command of subcommands
	subs          []command // the subcommands, when run is nil
	hidden        bool      // run, but neither listed nor completed
}

// commands is parley's command table.
func commands() []command {
	return []command{
		{name: "serve", summary: "run the server (the Connect and Participant APIs, the WebSocket, the widget and workspace)", run: serve},
		{name: "chat", summary: "chat in the terminal, or script a chat (JSON lines on stdout)", run: chat},
		{name: "agent", summary: "answer chats as an agent in the terminal: offers, several chats, transfers, after-contact work", run: agentCmd},
		{name: "bench", summary: "load-test a server over loopback (docs/benchmarks.md)", subs: benchCommands},
		{name: "flow", summary: "check or run a contact flow offline; print a contact's flow log (docs/flows.md)", subs: flowCommands},
		{name: "bridge", summary: "run the channel bridges against any Connect-compatible endpoint", run: bridgeCmd},
		{name: "transcript", summary: "print a contact's transcript, active or ended (same as 'parley admin transcript')", run: adminRun("transcript", adminTranscript)},
		{name: "admin", summary: "list instances, queues, users, live contacts; reset a password (data, database or server)", subs: adminCommands},
		{name: "completion", summary: "print a shell completion script", subs: completionCommands},
		{name: "version", summary: "print the version", run: versionCmd},
		{name: "help", summary: "print the commands", run: helpCmd, hidden: true},
		{name: completeCommand, run: completeCmd, hidden: true},
	}
}

// find returns the subcommand named name, hidden or not.
func (c *command) find(name string) *command {
	for i := range c.subs {
		if c.subs[i].name == name {
			return &c.subs[i]
		}
	}
	return nil
}

// exec runs the command, or the subcommand args name. path is the command line so far ("parley flow").
func (c *command) exec(ctx context.Context, path string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if c.run != nil {
		return c.run(ctx, args, getenv, stdout, stderr)
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, c.usage(path))
		return flag.ErrHelp
	}
	sub := c.find(args[0])
	if sub == nil {
		fmt.Fprintln(stderr, c.usage(path))
		return fmt.Errorf("unknown %s command %q", strings.TrimPrefix(path, "parley "), args[0])
	}
	return sub.exec(ctx, path+" "+sub.name, args[1:], getenv, stdout, stderr)
}

// usage lists the subcommands.
func (c *command) usage(path string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: %s COMMAND [flags]\n\ncommands:\n", path)
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, s := range c.subs {
		if !s.hidden {
			fmt.Fprintf(tw, "  %s\t%s\n", s.name, s.summary)
		}
	}
	tw.Flush()
	fmt.Fprintf(&b, "\nrun '%s COMMAND -h' for a command's flags", path)
	return b.String()
}

// root is the command parley itself.
func root() *command { return &command{name: "parley", subs: commands()} }

// usage is what a bare parley prints.
func usage() string {
	return "parley is Amazon Connect chat as one self-hosted binary.\n\n" + root().usage("parley")
}

func helpCmd(_ context.Context, _ []string, _ func(string) string, stdout, _ io.Writer) error {
	fmt.Fprintln(stdout, usage())
	return nil
}

func versionCmd(_ context.Context, _ []string, _ func(string) string, stdout, _ io.Writer) error {
	fmt.Fprintln(stdout, versionLine())
	return nil
}

// versionLine is the version, the commit and the Go version the binary was built from.
func versionLine() string {
	v, commit, dirty, goVersion := version, "", false, runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	line := "parley " + v
	if commit != "" {
		if len(commit) > 12 {
			commit = commit[:12]
		}
		if dirty {
			commit += "+dirty"
		}
		line += " (commit " + commit + ")"
	}
	return line + " " + goVersion
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stdout, usage())
		return nil
	}
	switch cmd := args[0]; {
	case cmd == "-h" || cmd == "-help" || cmd == "--help":
		args = append([]string{"help"}, args[1:]...)
	case cmd == "-version" || cmd == "--version":
		args = append([]string{"version"}, args[1:]...)
	case strings.HasPrefix(cmd, "-"):
		return fmt.Errorf("%s: name a command first (try 'parley serve %s', or 'parley help')", cmd, strings.Join(args, " "))
	}
	r := root()
	if r.find(args[0]) == nil {
		return fmt.Errorf("unknown command %q (try 'parley serve' or 'parley help')", args[0])
	}
	return r.exec(ctx, "parley", args, getenv, stdout, stderr)
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	opts, err := loadOptions(args, getenv, stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(stderr, opts.LogLevel, opts.LogFormat)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := server.New(opts.Config, log)
	if err := m.Start(ctx); err != nil {
		return err
	}
	printBanner(stdout, m)
	<-ctx.Done()
	log.Info("shutting down")
	return m.Close()
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: use debug, info, warn or error", level)
	}
	o := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, o)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, o)), nil
	}
	return nil, fmt.Errorf("log format %q: use text or json", format)
}
