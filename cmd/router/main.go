// Command router receives Cognigy.AI webhooks and applies the routing they
// ask for to NICE CXone interactions, through a NATS JetStream stream.
//
//	router dev       everything in one process, with an embedded NATS server
//	router ingest    the webhook HTTP server
//	router worker    a consumer that calls CXone
//	router replay    re-publish dead letters or accepted webhooks
//
// Every subcommand is configured by environment variables; `router help`
// lists them.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// errUsage marks a command-line mistake, which exits with status 2.
var errUsage = errors.New("usage")

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"dev", "run NATS (embedded), ingest, workers and, without CXONE_CLIENT_ID, a CXone simulator in one process", runDev},
		{"ingest", "run the webhook HTTP server against NATS_URL", runIngest},
		{"worker", "run a worker that applies routing requests to CXone", runWorker},
		{"replay", "re-publish dead letters (--dlq) or accepted webhooks to ROUTING; -h lists the filters", runReplay},
		{"healthcheck", "GET a URL; exit 0 on 2xx, 1 otherwise (for container health checks)", runHealthcheck},
		{"mapping", "check a rules file, or show the CXone request a payload would produce", runMapping},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil, errors.Is(err, errHelp):
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "router:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stdout)
		return nil
	}

	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	printUsage(stderr)
	return fmt.Errorf("%w: unknown command %q; run 'router help'", errUsage, args[0])
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: router COMMAND [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Environment:")
	for _, v := range envHelp {
		if len(v[0]) > 36 {
			fmt.Fprintf(w, "  %s\n  %-37s %s\n", v[0], "", v[1])
			continue
		}
		fmt.Fprintf(w, "  %-37s %s\n", v[0], v[1])
	}
}
