package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/cxrouter/router/queue/replay"
)

// replayFlags are the command-line options of `router replay`.
type replayFlags struct {
	dlq            bool
	fromSeq, toSeq uint64
	since, until   string
	interaction    string
	intent, reason string
	limit          int
	dryRun, force  bool
}

func (f *replayFlags) register(flags *flag.FlagSet) {
	flags.BoolVar(&f.dlq, "dlq", false, "replay dead letters from ROUTING_DLQ, deleting each one replayed")
	flags.Uint64Var(&f.fromSeq, "from-seq", 0, "first stream sequence to replay (inclusive)")
	flags.Uint64Var(&f.toSeq, "to-seq", 0, "last stream sequence to replay (inclusive)")
	flags.StringVar(&f.since, "since", "", "only messages stored after this: a duration before now (2h, 30m) or an RFC 3339 time")
	flags.StringVar(&f.until, "until", "", "only messages stored before this: a duration before now or an RFC 3339 time")
	flags.StringVar(&f.interaction, "interaction", "", "only messages for this CXone interaction id")
	flags.StringVar(&f.intent, "intent", "", "only requests with this intent name")
	flags.StringVar(&f.reason, "reason", "", "with --dlq: only dead letters with this reason (cxone-rejected, invalid-payload, no-rule, max-deliveries)")
	flags.IntVar(&f.limit, "limit", 0, "stop after replaying this many messages (0: no limit)")
	flags.BoolVar(&f.dryRun, "dry-run", false, "print what would be replayed, one line each, and change nothing")
	flags.BoolVar(&f.force, "force", false, "replay messages even when a newer request for the interaction exists")
}

// options turns the flags into replay.Options, relative to now.
func (f *replayFlags) options(now time.Time) (replay.Options, error) {
	opts := replay.Options{
		Source: replay.Requests, FromSeq: f.fromSeq, ToSeq: f.toSeq,
		Interaction: f.interaction, Intent: f.intent, Reason: f.reason,
		Limit: f.limit, DryRun: f.dryRun, Force: f.force,
	}
	if f.dlq {
		opts.Source = replay.DeadLetters
	} else if f.fromSeq == 0 && f.toSeq == 0 && f.since == "" && f.until == "" {
		return opts, fmt.Errorf("%w: choose what to replay: --dlq for dead letters, or --from-seq, --to-seq, --since or --until for accepted webhooks in ROUTING", errUsage)
	}

	var err error
	if opts.Since, err = parseInstant("--since", f.since, now); err != nil {
		return opts, err
	}
	if opts.Until, err = parseInstant("--until", f.until, now); err != nil {
		return opts, err
	}
	return opts, opts.Validate()
}

// parseInstant reads a duration before now or an RFC 3339 time.
func parseInstant(flagName, value string, now time.Time) (time.Time, error) {
	if value == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(value); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, value); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%w: %s %q is neither a duration such as 2h nor an RFC 3339 time such as 2026-12-04T10:00:00Z", errUsage, flagName, value)
}

func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("replay", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var f replayFlags
	f.register(flags)
	if err := parseFlags(flags, args, 0); err != nil {
		return err
	}
	opts, err := f.options(time.Now())
	if err != nil {
		return err
	}

	e := newEnv()
	natsCfg := natsFromEnv(e)
	log, err := newLogger(stderr, e.str("ROUTER_LOG_LEVEL", "warn"), false)
	if err != nil {
		return err
	}
	if e.err != nil {
		return e.err
	}

	nc, js, err := connectNATS(ctx, natsCfg, "router-replay", log)
	if err != nil {
		return err
	}
	defer nc.Close()

	summary, err := replay.Run(ctx, js, opts, func(it replay.Item) { fmt.Fprintln(stdout, it) })
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, summary)
	if summary.Failed > 0 {
		return fmt.Errorf("%d of the selected messages failed to replay; see the lines marked failed", summary.Failed)
	}
	return nil
}
