package worker_test

import (
	"fmt"
	"time"

	"github.com/cxrouter/router/worker"
)

func ExampleRedelivery_Delay() {
	r := worker.DefaultRedelivery()
	for _, delivered := range []uint64{1, 2, 3, 9, 20} {
		fmt.Println(delivered, r.Delay(delivered, 0))
	}

	// A Retry-After longer than the schedule wins.
	fmt.Println(r.Delay(1, 30*time.Second))
	// Output:
	// 1 2s
	// 2 4s
	// 3 8s
	// 9 5m0s
	// 20 5m0s
	// 30s
}
