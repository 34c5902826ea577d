package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rs/zerolog"
)

func init() {
	// A package-level zerolog setting: set once, before any logger writes.
	zerolog.TimeFieldFormat = time.RFC3339Nano
}

// newLogger returns a JSON logger at ROUTER_LOG_LEVEL, or a console logger
// when console is true.
func newLogger(w io.Writer, level string, console bool) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		return zerolog.Logger{}, fmt.Errorf("ROUTER_LOG_LEVEL=%q is not a level; use trace, debug, info, warn or error", level)
	}

	if console {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: "15:04:05.000"}
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil
}

// isTerminal reports whether f is a character device such as a terminal.
func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
