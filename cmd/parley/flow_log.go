package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/parley-chat/parley/client"
	"github.com/parley-chat/parley/wire"
)

const flowLogUsage = `usage: parley flow log [flags] CONTACT_ID
print the flow log of a contact on a running server: every action its flows ran, with its result and the branch taken`

// flowLog is parley flow log: the flow log of a contact, read from a running server with the Connect API's
// credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN).
func flowLog(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	def := func(env, fallback string) string {
		if v := getenv(env); v != "" {
			return v
		}
		return fallback
	}
	fs := flag.NewFlagSet("flow log", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, flowLogUsage); fs.PrintDefaults() }
	endpoint := fs.String("endpoint", def("PARLEY_ENDPOINT", "http://127.0.0.1:8080"), "parley's URL (env PARLEY_ENDPOINT)")
	region := fs.String("region", def("AWS_REGION", "us-west-2"), "AWS region (env AWS_REGION)")
	instanceID := fs.String("instance-id", "", "the contact's instance (default: the first ListInstances returns)")
	asJSON := fs.Bool("json", false, "print the records as JSON lines")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("give one CONTACT_ID")
	}
	li := client.ListInput{Endpoint: *endpoint, Region: *region, Credentials: client.Credentials{
		AccessKeyID: getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken: getenv("AWS_SESSION_TOKEN")}}
	if *instanceID == "" {
		ins, err := client.ListInstances(ctx, li)
		if err != nil {
			return fmt.Errorf("ListInstances: %w", err)
		}
		if len(ins) == 0 {
			return errors.New("no instance: pass --instance-id")
		}
		*instanceID = ins[0].ID
	}
	recs, err := client.FlowLog(ctx, li, *instanceID, fs.Arg(0))
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, r := range recs {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	if len(recs) == 0 {
		fmt.Fprintln(stdout, "no flow ran on this contact")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tFLOW\tACTION\tRESULT\tNEXT")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s (%s)\t%s\t%s\n", r.Time, shortID(r.FlowID), r.Identifier, r.Type, outcome(r), next(r))
	}
	return tw.Flush()
}

// shortID shortens a flow id or ARN to its first eight characters.
func shortID(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		id = id[i+1:]
	}
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// outcome is a record's result, or its error and why.
func outcome(r wire.FlowLogRecord) string {
	s := r.Result
	if r.Error != "" {
		s = "error " + r.Error
	}
	if r.Detail != "" {
		s = strings.TrimSpace(s + " (" + r.Detail + ")")
	}
	if s == "" {
		return "-"
	}
	return s
}

// next is the branch a record took and the action it led to.
func next(r wire.FlowLogRecord) string {
	switch {
	case r.Branch != "" && r.Next != "":
		return r.Branch + " → " + r.Next
	case r.Next != "":
		return r.Next
	case r.Branch != "":
		return r.Branch
	}
	return "(end)"
}
