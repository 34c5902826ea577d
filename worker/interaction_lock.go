package worker

import "sync"

// interactionLocks serializes the CXone calls of one worker process for the
// same interaction, so an older request that is waiting out a Retry-After
// cannot land after a newer one for the same interaction. Entries are
// removed when unused, so memory stays bounded by the messages in flight.
//
// The lock is per process. Across processes the leases of ROUTING_LOCKS
// order the calls, and without them (the bucket unreachable) two processes
// can overlap for the duration of one HTTP request.
type interactionLocks struct {
	mu    sync.Mutex
	locks map[string]*interactionLock
}

type interactionLock struct {
	mu    sync.Mutex
	users int
}

// lock blocks until the caller holds id's lock and returns its unlock function.
func (l *interactionLocks) lock(id string) (unlock func()) {
	l.mu.Lock()
	if l.locks == nil {
		l.locks = make(map[string]*interactionLock)
	}
	entry := l.locks[id]
	if entry == nil {
		entry = &interactionLock{}
		l.locks[id] = entry
	}
	entry.users++
	l.mu.Unlock()

	entry.mu.Lock()
	return func() {
		entry.mu.Unlock()

		l.mu.Lock()
		entry.users--
		if entry.users == 0 {
			delete(l.locks, id)
		}
		l.mu.Unlock()
	}
}
