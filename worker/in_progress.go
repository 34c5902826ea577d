package worker

import (
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// keepInProgress sends InProgress for msg every interval, and calls onTick
// when it is not nil, until the returned function is called. So a long
// CXone call or Retry-After wait does not run past AckWait and cause a
// second, concurrent delivery.
func keepInProgress(msg jetstream.Msg, interval time.Duration, onTick func()) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ticker := time.NewTicker(interval)
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ticker.C:
				_ = msg.InProgress() // a lost InProgress at worst causes one redelivery
				if onTick != nil {
					onTick()
				}
			}
		}
	}()

	return func() {
		close(done)
		wg.Wait()
	}
}
