package main

// parley admin: what an operator does without the AWS CLI, on a stopped server's data directory, on a cluster's
// database, or on a running server through its agent API with an admin's login.
//
//	parley admin instances|queues|users|contacts [--data DIR | --database URL | --server URL --login NAME] [--instance ID]
//	parley admin reset-password --user NAME [--password P] [...the same]

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/admin"
	"github.com/parley-chat/parley/bus/local"
	"github.com/parley-chat/parley/store/postgres"
	"github.com/parley-chat/parley/store/sqlite"
	"github.com/parley-chat/parley/wire"
)

// adminCommands are the subcommands of parley admin.
var adminCommands = []command{
	{name: "instances", summary: "list the instances (with --server: the login's)", run: adminRun("instances", adminInstances)},
	{name: "queues", summary: "list the queues (with --server: waiting contacts and agents too)", run: adminRun("queues", adminQueues)},
	{name: "users", summary: "list the users", run: adminRun("users", adminUsers)},
	{name: "contacts", summary: "list the live contacts", run: adminRun("contacts", adminContacts)},
	{name: "reset-password", summary: "give a user a new password (generated and printed without --password)", run: adminRun("reset-password", adminResetPassword)},
	{name: "transcript", summary: "print a contact's transcript, active or ended (text or JSON)", run: adminRun("transcript", adminTranscript)},
}

// adminBackend is where the admin commands act: a store opened directly (adminStore), or a running server
// (adminServer). Both work on one instance, but for Instances.
type adminBackend interface {
	Instances(ctx context.Context) ([]*parley.Instance, error)
	Queues(ctx context.Context) ([]wire.QueueStatus, bool, error) // live: the counts are the routing's
	Users(ctx context.Context) ([]wire.AgentUser, error)
	Contacts(ctx context.Context) ([]wire.AgentContact, error)
	ResetPassword(ctx context.Context, username, password string) (string, error)
	// Transcript is a page of a contact's transcript after the Seq after, as the agent API answers it.
	Transcript(ctx context.Context, contactID, after string) (*wire.ContactTranscriptResponse, error)
	Close() error
}

// adminFlags are the flags of every admin command.
type adminFlags struct {
	data, database, server, login, instance string
	user, password                          string // reset-password's
	contact, format                         string // transcript's
}

// adminRun parses the flags of the admin command name, opens its backend, and runs it.
func adminRun(name string, f func(ctx context.Context, b adminBackend, o *adminFlags, stdout io.Writer) error) runFunc {
	return func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
		o, err := parseAdminFlags(name, args, getenv, stderr)
		if err != nil {
			return err
		}
		var b adminBackend
		if o.server != "" {
			b, err = dialAdminServer(ctx, o.server, o.instance, o.login, getenv("PARLEY_ADMIN_PASSWORD"))
		} else {
			b, err = openAdminStore(ctx, o.data, o.database, o.instance)
		}
		if err != nil {
			return err
		}
		return errors.Join(f(ctx, b, o, stdout), b.Close())
	}
}

func parseAdminFlags(name string, args []string, getenv func(string) string, stderr io.Writer) (*adminFlags, error) {
	o := &adminFlags{}
	fs := flag.NewFlagSet("parley admin "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.data, "data", firstNonEmpty(getenv("PARLEY_DATA"), "parley-data"), "data directory of a stopped SQLite server (env PARLEY_DATA)")
	fs.StringVar(&o.database, "database", getenv("PARLEY_DATABASE"), "postgres:// URL of a cluster's database (env PARLEY_DATABASE)")
	fs.StringVar(&o.server, "server", getenv("PARLEY_SERVER"), "URL of a running server, reached through its agent API (env PARLEY_SERVER)")
	fs.StringVar(&o.login, "login", getenv("PARLEY_ADMIN_USER"), "with --server: the username of a user with the Admin security profile, whose password is in PARLEY_ADMIN_PASSWORD (env PARLEY_ADMIN_USER)")
	fs.StringVar(&o.instance, "instance", "", "instance id (default: the only instance)")
	if name == "reset-password" {
		fs.StringVar(&o.user, "user", "", "the user's username")
		fs.StringVar(&o.password, "password", "", "the new password (default: a generated one)")
	}
	if name == "transcript" {
		fs.StringVar(&o.format, "format", "text", "text (one line an item) or json (every field, as the agent API answers)")
		// The contact may come before the flags, as in "parley transcript ID --format json".
		if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			o.contact, args = args[0], args[1:]
		}
	}
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	rest := fs.Args()
	if name == "transcript" && o.contact == "" && len(rest) > 0 {
		o.contact, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("unexpected argument %q", rest[0])
	}
	if o.server != "" && o.database != "" {
		return nil, errors.New("--server and --database: give one")
	}
	return o, nil
}

func adminInstances(ctx context.Context, b adminBackend, _ *adminFlags, stdout io.Writer) error {
	insts, err := b.Instances(ctx)
	if err != nil {
		return err
	}
	return table(stdout, "ALIAS\tID\tCREATED", func(row func(...any)) {
		for _, in := range insts {
			row(in.Alias, in.ID, in.CreatedAt.UTC().Format(time.RFC3339))
		}
	})
}

func adminQueues(ctx context.Context, b adminBackend, _ *adminFlags, stdout io.Writer) error {
	qs, live, err := b.Queues(ctx)
	if err != nil {
		return err
	}
	if !live {
		return table(stdout, "NAME\tID", func(row func(...any)) {
			for _, q := range qs {
				row(q.Name, q.ID)
			}
		})
	}
	return table(stdout, "NAME\tID\tWAITING\tOLDEST\tAVAILABLE\tON CONTACT", func(row func(...any)) {
		for _, q := range qs {
			row(q.Name, q.ID, q.Waiting, time.Duration(q.OldestContactAgeSeconds)*time.Second, q.AgentsAvailable, q.AgentsOnContact)
		}
	})
}

func adminUsers(ctx context.Context, b adminBackend, _ *adminFlags, stdout io.Writer) error {
	users, err := b.Users(ctx)
	if err != nil {
		return err
	}
	return table(stdout, "USERNAME\tNAME\tROLE\tID", func(row func(...any)) {
		for _, u := range users {
			row(u.Username, u.FirstName+" "+u.LastName, u.Role, u.ID)
		}
	})
}

func adminContacts(ctx context.Context, b adminBackend, _ *adminFlags, stdout io.Writer) error {
	cs, err := b.Contacts(ctx)
	if err != nil {
		return err
	}
	return table(stdout, "CONTACT\tSTATE\tQUEUE\tAGENT\tCUSTOMER", func(row func(...any)) {
		for _, c := range cs {
			row(c.ContactID, c.State, firstNonEmpty(c.QueueName, c.QueueID, "-"), firstNonEmpty(c.AgentID, "-"), firstNonEmpty(c.CustomerName, "-"))
		}
	})
}

func adminResetPassword(ctx context.Context, b adminBackend, o *adminFlags, stdout io.Writer) error {
	if o.user == "" {
		return errors.New("--user is required")
	}
	pw, err := b.ResetPassword(ctx, o.user, o.password)
	if err != nil {
		return err
	}
	if o.password == "" {
		fmt.Fprintf(stdout, "new password of %s: %s\n", o.user, pw)
	} else {
		fmt.Fprintf(stdout, "password of %s set\n", o.user)
	}
	return nil
}

// table prints a header and the rows rows gives, in aligned columns.
func table(w io.Writer, header string, rows func(row func(...any))) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	rows(func(cols ...any) {
		for i, c := range cols {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, c)
		}
		fmt.Fprintln(tw)
	})
	return tw.Flush()
}

// adminStore is the admin commands on a database opened directly.
type adminStore struct {
	st       parley.Store
	bus      *local.Bus
	svc      *admin.Service
	instance string // --instance
}

// openAdminStore opens the cluster's database, or the SQLite database of a data directory.
func openAdminStore(ctx context.Context, data, database, instance string) (*adminStore, error) {
	var st parley.Store
	var err error
	if database != "" {
		st, err = postgres.Open(ctx, database, nil)
	} else if st, err = sqlite.Open(ctx, filepath.Join(data, "parley.db"), nil); err != nil {
		err = fmt.Errorf("%w (is a server running on %s? stop it first, or use --server)", err, data)
	}
	if err != nil {
		return nil, err
	}
	bus := local.New()
	return &adminStore{st: st, bus: bus, svc: admin.New(st, bus, nil, nil, admin.Config{}), instance: instance}, nil
}

func (a *adminStore) Close() error {
	a.bus.Close()
	return a.st.Close()
}

// inst returns the instance --instance names, or the only one.
func (a *adminStore) inst(ctx context.Context) (*parley.Instance, error) {
	if a.instance != "" {
		return parley.LookupInstance(ctx, a.st, a.instance)
	}
	insts, err := a.st.ListInstances(ctx)
	if err != nil {
		return nil, err
	}
	switch len(insts) {
	case 0:
		return nil, errors.New("no instance yet: start the server once first")
	case 1:
		return insts[0], nil
	}
	return nil, fmt.Errorf("%d instances: name one with --instance", len(insts))
}

func (a *adminStore) Instances(ctx context.Context) ([]*parley.Instance, error) {
	return a.st.ListInstances(ctx)
}

func (a *adminStore) Queues(ctx context.Context) ([]wire.QueueStatus, bool, error) {
	inst, err := a.inst(ctx)
	if err != nil {
		return nil, false, err
	}
	qs, err := a.st.ListQueues(ctx, inst.ID)
	if err != nil {
		return nil, false, err
	}
	out := make([]wire.QueueStatus, 0, len(qs))
	for _, q := range qs {
		out = append(out, wire.QueueStatus{ID: q.ID, Name: q.Name})
	}
	return out, false, nil
}

func (a *adminStore) Users(ctx context.Context) ([]wire.AgentUser, error) {
	inst, err := a.inst(ctx)
	if err != nil {
		return nil, err
	}
	users, err := a.svc.ListUsers(ctx, inst.ID)
	if err != nil {
		return nil, err
	}
	out := make([]wire.AgentUser, 0, len(users))
	for _, u := range users {
		out = append(out, wire.AgentUser{ID: u.ID, Username: u.Username, FirstName: u.FirstName, LastName: u.LastName,
			Role: string(u.Role), InstanceID: u.InstanceID})
	}
	return out, nil
}

// Contacts are the stored active contacts: a stopped server has no offers or queues in memory.
func (a *adminStore) Contacts(ctx context.Context) ([]wire.AgentContact, error) {
	inst, err := a.inst(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := a.st.ListActiveContacts(ctx, inst.ID)
	if err != nil {
		return nil, err
	}
	out := make([]wire.AgentContact, 0, len(cs))
	for _, c := range cs {
		out = append(out, wire.AgentContact{ContactID: c.ID, InitialContactID: c.InitialContactID, State: string(c.State),
			QueueID: c.QueueID, AgentID: c.AgentID})
	}
	return out, nil
}

func (a *adminStore) ResetPassword(ctx context.Context, username, password string) (string, error) {
	inst, err := a.inst(ctx)
	if err != nil {
		return "", err
	}
	return a.svc.ResetPassword(ctx, inst.ID, username, password)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
