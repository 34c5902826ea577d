package cxone_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/cxrouter/router/cxone"
	"github.com/cxrouter/router/cxone/cxonesim"
)

func TestBeforeAttemptStopsRetry(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{})
	client := newClient(t, srv.URL, nil)
	if err := sim.InjectFault(cxonesim.Fault{InteractionID: "stale", Status: http.StatusServiceUnavailable}); err != nil {
		t.Fatal(err)
	}

	errStale := errors.New("a newer request exists")
	var checks atomic.Int32
	check := func(context.Context) error {
		if checks.Add(1) > 1 {
			return errStale
		}
		return nil
	}

	res, err := client.UpdateInteraction(context.Background(), "stale", sampleUpdate, cxone.BeforeAttempt(check))
	if !errors.Is(err, errStale) {
		t.Fatalf("error = %v, want the check's error", err)
	}
	if res.Attempts != 1 {
		t.Errorf("attempts = %d, want 1", res.Attempts)
	}
	if n := len(patches(sim)); n != 1 {
		t.Errorf("PATCH requests = %d, want 1: nothing is sent after the check fails", n)
	}
}

func TestBeforeAttemptRunsBeforeFirstAttempt(t *testing.T) {
	sim, srv := startSim(t, cxonesim.Config{})
	client := newClient(t, srv.URL, nil)

	errStale := errors.New("stale")
	_, err := client.UpdateInteraction(context.Background(), "x", sampleUpdate,
		cxone.BeforeAttempt(func(context.Context) error { return errStale }))
	if !errors.Is(err, errStale) {
		t.Fatalf("error = %v, want the check's error", err)
	}
	if n := len(patches(sim)); n != 0 {
		t.Errorf("PATCH requests = %d, want 0", n)
	}
}
