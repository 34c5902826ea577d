package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// healthcheckTimeout bounds one health probe, connection and response included.
const healthcheckTimeout = 3 * time.Second

// errUnhealthy marks a probe that reached no server or got a status other
// than 2xx.
var errUnhealthy = errors.New("unhealthy")

// runHealthcheck GETs one URL and returns nil on a 2xx response. Container
// images built FROM scratch have no curl or wget, so Compose and Docker
// health checks run `router healthcheck URL` instead.
func runHealthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		fmt.Fprintln(stderr, "Usage: router healthcheck URL")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "GETs URL and exits 0 on a 2xx response within 3s, 1 otherwise.")
	}
	if err := parseFlags(flags, args, 1); err != nil {
		return err
	}
	if flags.NArg() != 1 {
		flags.Usage()
		return fmt.Errorf("%w: healthcheck takes one URL, such as http://127.0.0.1:8080/healthz", errUsage)
	}

	target, err := url.Parse(flags.Arg(0))
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
		return fmt.Errorf("%w: invalid URL %q; use an absolute http or https URL", errUsage, flags.Arg(0))
	}
	return probe(ctx, target.String())
}

// probe sends one GET to target and wraps errUnhealthy unless it gets a 2xx.
func probe(ctx context.Context, target string) error {
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("%w: %v", errUnhealthy, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", errUnhealthy, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%w: GET %s: status %d", errUnhealthy, target, resp.StatusCode)
	}
	return nil
}
