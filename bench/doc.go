// Package bench measures the router against baselines on one machine: a
// closed-loop HTTP load generator, a bare net/http handler, the synchronous
// design that calls CXone inside the webhook request, and helpers that start
// nats-server, the CXone simulator and router processes on 127.0.0.1 and
// read their peak memory. Command routerbench runs the suite and writes
// docs/benchmarks.md; `make bench` builds the binaries and runs it.
//
// Nothing here runs in `go test`: the package has tests of its helpers only,
// never timed assertions.
package bench
