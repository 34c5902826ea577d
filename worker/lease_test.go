package worker

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cxrouter/router/queue"
	"github.com/cxrouter/router/queue/queuetest"
)

func newTestLeases(t *testing.T, ttl time.Duration) (*leases, *leases) {
	t.Helper()
	topology := queue.DefaultTopology()
	topology.AckWait = ttl
	s := queuetest.Start(t, topology)
	kv, err := queue.EnsureLockBucket(context.Background(), s.JS, topology)
	if err != nil {
		t.Fatalf("EnsureLockBucket: %v", err)
	}
	return newLeases(kv), newLeases(kv)
}

func TestLeaseExcludesSecondHolder(t *testing.T) {
	a, b := newTestLeases(t, 30*time.Second)
	ctx := context.Background()

	lease, err := a.acquire(ctx, "interaction-1")
	if err != nil {
		t.Fatalf("first acquire: %v", err)
	}

	waitCtx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := b.acquire(waitCtx, "interaction-1"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second acquire while lease: %v, want a deadline error", err)
	}
	if _, err := b.acquire(ctx, "interaction-2"); err != nil {
		t.Errorf("acquire of another interaction: %v", err)
	}

	acquired := make(chan error, 1)
	go func() {
		_, err := b.acquire(ctx, "interaction-1")
		acquired <- err
	}()
	time.Sleep(100 * time.Millisecond)
	lease.release(ctx)

	select {
	case err := <-acquired:
		if err != nil {
			t.Errorf("acquire after release: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("second holder did not get the lease within 5s of its release")
	}
}

func TestLeaseExpiresUnlessRefreshed(t *testing.T) {
	a, b := newTestLeases(t, 2*time.Second)
	ctx := context.Background()

	refreshed, err := a.acquire(ctx, "kept")
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	if _, err := a.acquire(ctx, "abandoned"); err != nil {
		t.Fatalf("acquire: %v", err)
	}

	for range 6 {
		time.Sleep(500 * time.Millisecond)
		refreshed.refresh(ctx)
	}

	waitCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := b.acquire(waitCtx, "abandoned"); err != nil {
		t.Errorf("abandoned lease still lease after its TTL: %v", err)
	}

	shortCtx, cancelShort := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancelShort()
	if _, err := b.acquire(shortCtx, "kept"); err == nil {
		t.Errorf("refreshed lease was taken by another holder")
	}
	if err := refreshed.check(); err != nil {
		t.Errorf("check of a refreshed lease: %v", err)
	}
}

func TestLeaseLostAfterTakeover(t *testing.T) {
	a, b := newTestLeases(t, time.Second)
	ctx := context.Background()

	lease, err := a.acquire(ctx, "x")
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := b.acquire(waitCtx, "x"); err != nil {
		t.Fatalf("takeover after expiry: %v", err)
	}

	lease.refresh(ctx)
	if err := lease.check(); !errors.Is(err, errLeaseLost) {
		t.Errorf("check after takeover = %v, want errLeaseLost", err)
	}
}
