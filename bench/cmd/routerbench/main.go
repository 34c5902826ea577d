// Command routerbench runs the router benchmarks and writes their report.
//
//	routerbench -bin DIR [-out docs/benchmarks.md] [-quick] [-go go]
//	routerbench load -url URL [-c 64] [-d 10s]
//
// DIR holds the router, cxone-sim and nats-server binaries; `make bench`
// builds them and runs routerbench. The serve-raw, serve-sync, serve-ingest
// and serve-worker subcommands are the servers routerbench starts as child
// processes; they listen on 127.0.0.1 and stop on SIGTERM. The load
// subcommand is the load generator on its own.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/cxrouter/router/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "routerbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) > 0 && strings.HasPrefix(args[0], "serve-") {
		return serve(ctx, args[0], args[1:])
	}
	if len(args) > 0 && args[0] == "load" {
		return load(ctx, args[1:])
	}

	flags := flag.NewFlagSet("routerbench", flag.ContinueOnError)
	binDir := flags.String("bin", "bin/bench", "directory holding the router, cxone-sim and nats-server binaries")
	out := flags.String("out", "docs/benchmarks.md", "report file to write")
	quick := flags.Bool("quick", false, "run every step with short windows and small backlogs to check the setup; the numbers are not worth publishing")
	goTool := flags.String("go", "go", "go command used to print the top of the CPU profile; empty skips it")
	onlyIngest := flags.Bool("only-ingest", false, "run section 1 only, to profile ingest")
	command := flags.String("command", "make bench", "command named in the report")
	if err := flags.Parse(args); err != nil {
		return err
	}

	bins, err := findBinaries(*binDir)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "routerbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	plan := bench.FullPlan()
	if *quick {
		plan = bench.QuickPlan()
	}
	suite := &bench.Suite{Bins: bins, Plan: plan, Dir: dir, Progress: os.Stderr, GoTool: *goTool, OnlyIngest: *onlyIngest}
	report, err := suite.Run(ctx, *command)
	if err != nil {
		return err
	}

	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := report.WriteMarkdown(f); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "routerbench: wrote %s in %s\n", *out, report.Elapsed.Round(time.Second))
	return nil
}

func findBinaries(dir string) (bench.Binaries, error) {
	self, err := os.Executable()
	if err != nil {
		return bench.Binaries{}, fmt.Errorf("find the routerbench binary: %w", err)
	}
	bins := bench.Binaries{
		Router: filepath.Join(dir, "router"),
		Sim:    filepath.Join(dir, "cxone-sim"),
		NATS:   filepath.Join(dir, "nats-server"),
		Self:   self,
	}
	for _, path := range []string{bins.Router, bins.Sim, bins.NATS} {
		if _, err := os.Stat(path); err != nil {
			return bins, fmt.Errorf("binary %s not found: %w; run `make bench`, which builds it", path, err)
		}
	}
	return bins, nil
}

// serve runs one of the servers that the suite starts as a child process.
func serve(ctx context.Context, name string, args []string) error {
	flags := flag.NewFlagSet(name, flag.ContinueOnError)
	addr := flags.String("addr", "127.0.0.1:0", "listen address")
	natsURL := flags.String("nats", "", "NATS URL (serve-ingest)")
	publisher := flags.String("publisher", bench.PublisherSync, "serve-ingest: sync or async")
	simURL := flags.String("sim", "", "CXone simulator base URL (serve-sync)")
	concurrency := flags.Int("concurrency", 64, "serve-worker: messages in flight")
	cpuProfile := flags.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	if err := flags.Parse(args); err != nil {
		return err
	}

	if *cpuProfile != "" {
		stopProfile, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}

	switch name {
	case "serve-raw":
		return bench.ServeRaw(ctx, *addr)
	case "serve-sync":
		return bench.ServeSync(ctx, *addr, *simURL)
	case "serve-ingest":
		// The ingest log goes to stdout, which the suite discards, as the
		// router binary's does.
		return bench.ServeIngest(ctx, *addr, *natsURL, *publisher, os.Stdout)
	case "serve-worker":
		return bench.ServeWorker(ctx, *addr, *natsURL, *simURL, *concurrency, os.Stdout)
	}
	return errors.New("unknown subcommand " + name + "; use serve-raw, serve-sync, serve-ingest or serve-worker")
}

// load posts webhooks to a URL and prints the rate and latencies.
func load(ctx context.Context, args []string) error {
	flags := flag.NewFlagSet("load", flag.ContinueOnError)
	url := flags.String("url", "http://127.0.0.1:8080/webhook/cognigy-routing", "webhook URL; only 127.0.0.1 servers you run yourself")
	connections := flags.Int("c", 64, "concurrent connections")
	duration := flags.Duration("d", 10*time.Second, "measured window")
	warmup := flags.Duration("warmup", time.Second, "warm-up before the window")
	if err := flags.Parse(args); err != nil {
		return err
	}

	l := bench.Load{URL: *url, Connections: *connections, Warmup: *warmup, Duration: *duration,
		Body: bench.WebhookBodies(fmt.Sprintf("load-%d", time.Now().UnixNano()))}
	res, err := l.Run(ctx)
	if err != nil {
		return err
	}
	lat := res.Latencies
	fmt.Printf("%s  p50 %s  p99 %s  p99.9 %s  max %s  statuses %v  errors %d %s\n",
		bench.FormatRate(res.Rate()), bench.FormatLatency(lat.Percentile(0.5)), bench.FormatLatency(lat.Percentile(0.99)),
		bench.FormatLatency(lat.Percentile(0.999)), bench.FormatLatency(lat.Max()), res.ByStatus, res.Errors, res.FirstError)
	return nil
}

func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("start CPU profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}
