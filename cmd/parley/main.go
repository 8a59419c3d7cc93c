// Command parley is a self-hosted Amazon Connect chat service: the Participant Service, StartChatContact and
// friends, and the chat WebSocket, wire-compatible with the official clients.
//
//	parley serve [flags]    run the server (the default command)
//	parley chat [flags]     chat in the terminal, or script a chat (JSON lines on stdout)
//	parley bench SCENARIO   load-test a server over loopback (docs/benchmarks.md)
//	parley flow check|run|log   validate a contact flow or run it offline; print a contact's flow log
//	parley bridge [flags]   run the channel bridges against any Connect-compatible endpoint
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
	"strings"
	"syscall"

	"github.com/parley-chat/parley/server"
)

var version = "dev"

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "parley:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "chat":
		return chat(ctx, args, getenv, stdout, stderr)
	case "bench":
		return benchCmd(ctx, args, stdout, stderr)
	case "flow":
		return flowCmd(ctx, args, getenv, stdout, stderr)
	case "bridge":
		return bridgeCmd(ctx, args, getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "parley", version)
		return nil
	case "help":
		fmt.Fprintln(stdout, "usage: parley serve [flags] | parley chat [flags] | parley bench idle|chat|start|soak [flags] | parley flow check|run FLOW.json | parley flow log CONTACT_ID | parley bridge [flags] | parley version\n"+
			"run 'parley serve -h' or 'parley chat -h' for the flags")
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
