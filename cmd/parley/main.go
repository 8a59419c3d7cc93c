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
//	parley admin reset-password|users   an operator's commands on the data directory or the database
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

// parseFlags parses a command's flags; a refusal other than a request for help is a usageError.
func parseFlags(fs *flag.FlagSet, args []string) error {
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

const usage = `parley is Amazon Connect chat as one self-hosted binary.

usage: parley COMMAND [flags]

commands:
  serve     run the server (the Connect and Participant APIs, the WebSocket, the widget and workspace)
  chat      chat in the terminal, or script a chat (JSON lines on stdout)
  agent     answer chats as an agent in the terminal: offers, several chats, transfers, after-contact work
  bench     load-test a server over loopback: idle, chat, start, soak (docs/benchmarks.md)
  flow      check or run a contact flow offline; print a contact's flow log
  bridge    run the channel bridges against any Connect-compatible endpoint
  admin     reset a user's password, list users (on a stopped server's data, or a cluster's database)
  version   print the version

run 'parley COMMAND -h' for a command's flags`

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
		fmt.Fprintln(stdout, usage)
		return nil
	}
	cmd := args[0]
	switch {
	case cmd == "-h" || cmd == "-help" || cmd == "--help":
		cmd = "help"
	case cmd == "-version" || cmd == "--version":
		cmd = "version"
	case strings.HasPrefix(cmd, "-"):
		return fmt.Errorf("%s: name a command first (try 'parley serve %s', or 'parley help')", cmd, strings.Join(args, " "))
	}
	args = args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "chat":
		return chat(ctx, args, getenv, stdout, stderr)
	case "agent":
		return agentCmd(ctx, args, getenv, stdout, stderr)
	case "bench":
		return benchCmd(ctx, args, stdout, stderr)
	case "flow":
		return flowCmd(ctx, args, getenv, stdout, stderr)
	case "bridge":
		return bridgeCmd(ctx, args, getenv, stdout, stderr)
	case "admin":
		return adminCmd(ctx, args, getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, versionLine())
		return nil
	case "help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q (try 'parley serve' or 'parley help')", cmd)
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
