package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
)

// errHelp ends a command after -h printed its usage; run returns nil for it.
var errHelp = errors.New("help printed")

// parseFlags parses args and rejects words that are not flags. The flag
// package stops at the first such word and ignores every flag after it, so
// `router replay --dlq typo --dry-run` would otherwise run without
// --dry-run. maxArgs is how many words the command takes.
func parseFlags(flags *flag.FlagSet, args []string, maxArgs int) error {
	err := flags.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return errHelp
	case err != nil:
		return fmt.Errorf("%w: %v", errUsage, err)
	case flags.NArg() > maxArgs:
		extra := flags.Args()[maxArgs:]
		return fmt.Errorf("%w: router %s does not take %q; put flags before any other word, and quote values with shell wildcards", errUsage, flags.Name(), strings.Join(extra, " "))
	}
	return nil
}
