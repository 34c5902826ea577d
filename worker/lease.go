package worker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// errLeaseBusy reports that another holder kept the lease for the whole wait.
var errLeaseBusy = errors.New("another worker process held the interaction lease for the whole wait")

// errLeaseLost stops a CXone call whose interaction lease expired and may
// now be held by another worker process.
var errLeaseLost = errors.New("the interaction lease expired while the call was running")

// leases hands out per-interaction leases from the ROUTING_LOCKS bucket, so
// that at most one worker process calls CXone for an interaction at a time.
// Without them, an older request whose PATCH is still in flight in one
// process can land after a newer request that another process applied.
//
// A lease is a key that Create writes only when it is absent. It expires
// with the bucket's TTL (AckWait) unless refreshed, so a killed worker's
// leases free themselves.
type leases struct {
	kv     jetstream.KeyValue
	holder []byte
	poll   time.Duration
}

func newLeases(kv jetstream.KeyValue) *leases {
	host, _ := os.Hostname()
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	holder := fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(suffix))
	return &leases{kv: kv, holder: []byte(holder), poll: 25 * time.Millisecond}
}

// lease is one held interaction lease.
type lease struct {
	owner *leases
	key   string

	mu       sync.Mutex
	revision uint64
	lost     bool
}

// acquire waits until it holds the lease for key or ctx ends.
func (l *leases) acquire(ctx context.Context, key string) (*lease, error) {
	for {
		revision, err := l.kv.Create(ctx, key, l.holder)
		if err == nil {
			return &lease{owner: l, key: key, revision: revision}, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return nil, fmt.Errorf("take lease %s in %s: %w", key, l.kv.Bucket(), err)
		}

		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for lease %s: %w: %w", key, errLeaseBusy, ctx.Err())
		case <-time.After(l.poll):
		}
	}
}

// refresh rewrites the lease so its TTL starts again. When another holder
// took it after it expired, refresh marks it lost.
func (le *lease) refresh(ctx context.Context) {
	le.mu.Lock()
	defer le.mu.Unlock()
	if le.lost {
		return
	}

	revision, err := le.owner.kv.Update(ctx, le.key, le.owner.holder, le.revision)
	switch {
	case err == nil:
		le.revision = revision
	case errors.Is(err, jetstream.ErrKeyExists), errors.Is(err, jetstream.ErrKeyNotFound):
		le.lost = true
	}
}

// check returns errLeaseLost once a refresh found the lease taken.
func (le *lease) check() error {
	le.mu.Lock()
	defer le.mu.Unlock()
	if le.lost {
		return errLeaseLost
	}
	return nil
}

// release deletes the lease if this holder still owns it.
func (le *lease) release(ctx context.Context) {
	le.mu.Lock()
	defer le.mu.Unlock()
	if !le.lost {
		_ = le.owner.kv.Delete(ctx, le.key, jetstream.LastRevision(le.revision))
	}
}
