package worker

import (
	"sync"
	"time"
)

// maxFirstAttempts bounds the firstAttempts map, so messages that never
// come back (deleted, aged out, taken by another process) cannot grow it
// without limit.
const maxFirstAttempts = 100_000

// firstAttempts remembers, per stream sequence, when this process first
// tried a message that it handed back for a later delivery. It feeds the
// first-attempt header of a dead letter.
//
// NOTE: the memory is per process. When another process made the first
// attempt, the dead letter carries no first-attempt header.
type firstAttempts struct {
	mu    sync.Mutex
	times map[uint64]time.Time
}

// observe returns the first attempt time of a delivery that starts at now:
// now for a first delivery, the remembered time for a later one, and the
// zero time when it is unknown.
func (f *firstAttempts) observe(seq, delivered uint64, now time.Time) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()

	if first, ok := f.times[seq]; ok {
		return first
	}
	if delivered != 1 {
		return time.Time{}
	}
	if f.times == nil {
		f.times = make(map[uint64]time.Time)
	}
	if len(f.times) < maxFirstAttempts {
		f.times[seq] = now
	}
	return now
}

// forget drops seq once its message is settled for good.
func (f *firstAttempts) forget(seq uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.times, seq)
}
