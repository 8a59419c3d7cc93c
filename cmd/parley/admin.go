package main

// parley admin: what an operator does on a stopped server's data directory, or on a cluster's database, without
// the AWS CLI.
//
//	parley admin reset-password --user NAME [--password P] [--data DIR | --database URL] [--instance ID]
//	parley admin users [--data DIR | --database URL] [--instance ID]

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/admin"
	"github.com/parley-chat/parley/bus/local"
	"github.com/parley-chat/parley/store/postgres"
	"github.com/parley-chat/parley/store/sqlite"
)

const adminUsage = `usage: parley admin reset-password --user NAME [--password P] [--data DIR | --database URL] [--instance ID]
       parley admin users [--data DIR | --database URL] [--instance ID]
reset-password gives a user a new password (generated and printed when --password is not given); users lists
the users. On SQLite, stop the server first: one process at a time may open its database.`

func adminCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "reset-password" && args[0] != "users") {
		fmt.Fprintln(stderr, adminUsage)
		if len(args) > 0 && !askedForHelp(args[:1]) {
			return fmt.Errorf("unknown admin command %q", args[0])
		}
		return flag.ErrHelp
	}
	sub := args[0]
	fs := flag.NewFlagSet("parley admin "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", firstNonEmpty(getenv("PARLEY_DATA"), "parley-data"), "data directory of a SQLite server (env PARLEY_DATA)")
	database := fs.String("database", getenv("PARLEY_DATABASE"), "postgres:// URL of a cluster's database (env PARLEY_DATABASE)")
	instance := fs.String("instance", "", "instance id (default: the only instance)")
	user := fs.String("user", "", "reset-password: the user's username")
	password := fs.String("password", "", "reset-password: the new password (default: a generated one)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if sub == "reset-password" && *user == "" {
		return errors.New("reset-password: --user is required")
	}
	st, err := openAdminStore(ctx, *data, *database)
	if err != nil {
		return err
	}
	defer st.Close()
	inst, err := adminInstance(ctx, st, *instance)
	if err != nil {
		return err
	}
	bus := local.New()
	defer bus.Close()
	svc := admin.New(st, bus, nil, nil, admin.Config{})
	switch sub {
	case "reset-password":
		pw, err := svc.ResetPassword(ctx, inst.ID, *user, *password)
		if err != nil {
			return err
		}
		if *password == "" {
			fmt.Fprintf(stdout, "new password of %s: %s\n", *user, pw)
		} else {
			fmt.Fprintf(stdout, "password of %s set\n", *user)
		}
	case "users":
		users, err := svc.ListUsers(ctx, inst.ID)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tNAME\tROLE\tID")
		for _, u := range users {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Username, u.FirstName+" "+u.LastName, u.Role, u.ID)
		}
		return tw.Flush()
	}
	return nil
}

// openAdminStore opens the cluster's database, or the SQLite database of a data directory.
func openAdminStore(ctx context.Context, data, database string) (parley.Store, error) {
	if database != "" {
		return postgres.Open(ctx, database, nil)
	}
	st, err := sqlite.Open(ctx, filepath.Join(data, "parley.db"), nil)
	if err != nil {
		return nil, fmt.Errorf("%w (is a server running on %s? stop it first)", err, data)
	}
	return st, nil
}

// adminInstance returns the named instance, or the only one.
func adminInstance(ctx context.Context, st parley.Store, id string) (*parley.Instance, error) {
	if id != "" {
		return parley.LookupInstance(ctx, st, id)
	}
	insts, err := st.ListInstances(ctx)
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

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
