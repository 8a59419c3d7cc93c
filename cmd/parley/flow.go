package main

// parley flow: test contact flows offline, without a server, and read a contact's flow log on one.
//
//	parley flow check FLOW.json...   validate flows as CreateContactFlow does
//	parley flow run FLOW.json        run a flow with a scripted customer; print the transcript and the path
//	parley flow log CONTACT_ID       print a contact's flow log from a running server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/parley-chat/parley/flow"
	"github.com/parley-chat/parley/functions"
)

// flowCommands are the subcommands of parley flow (docs/flows.md, "Testing flows offline").
var flowCommands = []command{
	{name: "check", summary: "validate flows as CreateContactFlow does", run: flowCheck},
	{name: "run", summary: "run a flow with a scripted customer (no server)", run: flowRun},
	{name: "log", summary: "print a contact's flow log from a running server", run: flowLog},
}

// errInvalid is the error of a check that found problems: they are printed, and the command exits 1.
var errInvalid = errors.New("invalid flows")

// flowFlags are the flags check and run share: other flows and Lambda endpoints.
type flowFlags struct {
	flows     refFlag
	functions string
}

// flagSet returns the flag set of a flow subcommand, with the shared flags.
func (ff *flowFlags) flagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, usage); fs.PrintDefaults() }
	fs.Var(&ff.flows, "flow", "REF=FILE: the flow a reference (id, ARN, placeholder) names (repeatable)")
	fs.StringVar(&ff.functions, "functions", "",
		"HTTP endpoints of the Lambda functions: arn=url[,arn=url...] (env PARLEY_FUNCTIONS)")
	return fs
}

// invoker returns the Lambda endpoints of --functions, else of PARLEY_FUNCTIONS.
func (ff *flowFlags) invoker(getenv func(string) string) (*functions.Invoker, error) {
	list := ff.functions
	if list == "" {
		list = getenv("PARLEY_FUNCTIONS")
	}
	urls, err := functions.ParseList(list)
	if err != nil {
		return nil, err
	}
	return &functions.Invoker{URLs: urls}, nil
}

// refFlag is a repeatable REF=FILE flag.
type refFlag [][2]string

func (r *refFlag) String() string { return fmt.Sprint(*r) }

func (r *refFlag) Set(v string) error {
	ref, file, ok := strings.Cut(v, "=")
	if !ok || ref == "" || file == "" {
		return fmt.Errorf("%q is not REF=FILE", v)
	}
	*r = append(*r, [2]string{ref, file})
	return nil
}

// library is the flows a command knows offline. A reference names a flow when it is the REF of a --flow
// REF=FILE, or the base name of a known file (with or without .json), or an ARN whose last part is one. A
// flow's id is the base name of its file without .json.
type library struct {
	refs  map[string]string // --flow REF → file
	names map[string]string // base name without .json → file
	flows map[string]*flow.Flow
}

func newLibrary(files []string, refs refFlag) *library {
	l := &library{refs: map[string]string{}, names: map[string]string{}, flows: map[string]*flow.Flow{}}
	for _, r := range refs {
		l.refs[r[0]] = r[1]
		l.names[flowID(r[1])] = r[1]
	}
	for _, f := range files {
		l.names[flowID(f)] = f
	}
	return l
}

func flowID(file string) string { return strings.TrimSuffix(filepath.Base(file), ".json") }

// file returns the file a reference names.
func (l *library) file(ref string) (string, bool) {
	if f, ok := l.refs[ref]; ok {
		return f, true
	}
	for _, name := range []string{ref, flowID(ref), flowID(ref[strings.LastIndex(ref, "/")+1:])} {
		if f, ok := l.names[name]; ok {
			return f, true
		}
	}
	return "", false
}

// load reads, parses and validates (without references: they are resolved when the run reaches them) the flow
// a reference names.
func (l *library) load(ctx context.Context, ref string) (string, *flow.Flow, error) {
	file, ok := l.file(ref)
	if !ok {
		return "", nil, fmt.Errorf("no flow file for %q (map it with --flow REF=FILE)", ref)
	}
	id := flowID(file)
	if f, ok := l.flows[id]; ok {
		return id, f, nil
	}
	content, err := os.ReadFile(file)
	if err != nil {
		return "", nil, err
	}
	f, err := flow.Check(ctx, content, nil)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", file, err)
	}
	l.flows[id] = f
	return id, f, nil
}

// offlineResolver answers flow.Check offline: flows from the library, Lambda functions from the Invoker;
// queues and hours of operation cannot be known and are accepted, each remembered as a note.
type offlineResolver struct {
	lib   *library
	fns   *functions.Invoker
	notes []string
}

func (r *offlineResolver) note(kind, ref string) {
	n := fmt.Sprintf("%s %q is not checked offline", kind, ref)
	if !slices.Contains(r.notes, n) {
		r.notes = append(r.notes, n)
	}
}

func (r *offlineResolver) QueueExists(_ context.Context, ref string) (bool, error) {
	r.note("queue", ref)
	return true, nil
}

func (r *offlineResolver) HoursExists(_ context.Context, ref string) (bool, error) {
	r.note("hours of operation", ref)
	return true, nil
}

func (r *offlineResolver) FlowExists(_ context.Context, ref string) (bool, error) {
	_, ok := r.lib.file(ref)
	return ok, nil
}

func (r *offlineResolver) FunctionConfigured(_ context.Context, arn string) (bool, error) {
	return r.fns.Configured(arn), nil
}

func (r *offlineResolver) AgentExists(_ context.Context, ref string) (bool, error) {
	r.note("agent", ref)
	return true, nil
}

const flowCheckUsage = `usage: parley flow check [flags] FLOW.json...

Validates each flow as CreateContactFlow does (status PUBLISHED) and prints every problem; exits 1 when there
is any. References to other flows must name a given file (by its name, with or without .json, or an ARN ending
in it) or a --flow mapping; Lambda ARNs must be mapped by --functions; queues, hours, agents and views other
than the AWS managed ones are accepted with a note. Flags:`

func flowCheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var ff flowFlags
	fs := ff.flagSet("parley flow check", flowCheckUsage, stderr)
	quiet := fs.Bool("q", false, "print problems only, not the notes and the valid files")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return flag.ErrHelp
	}
	fns, err := ff.invoker(getenv)
	if err != nil {
		return err
	}
	lib := newLibrary(files, ff.flows)
	invalid := 0
	for _, file := range files {
		content, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		r := &offlineResolver{lib: lib, fns: fns}
		_, err = flow.Check(ctx, content, r)
		var problems flow.Problems
		switch {
		case errors.As(err, &problems):
			invalid++
			for _, p := range problems {
				fmt.Fprintf(stdout, "%s: %s\n", file, p.Message)
			}
		case err != nil:
			return fmt.Errorf("%s: %w", file, err)
		case !*quiet:
			fmt.Fprintf(stdout, "%s: valid\n", file)
		}
		if !*quiet {
			for _, n := range r.notes {
				fmt.Fprintf(stdout, "%s: note: %s\n", file, n)
			}
		}
	}
	if invalid > 0 {
		return fmt.Errorf("%w: %d of %d", errInvalid, invalid, len(files))
	}
	return nil
}
