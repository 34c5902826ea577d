package bench

// reading is the closing section of the report. It states how the code
// works and where in the tables and profiles to look, not numbers, so it
// stays true from run to run.
var reading = []string{
	"**Ingest against raw HTTP is a CPU budget on this machine.** The load generator, the server and nats-server " +
		"share the cores, so the throughput ratio ends up close to the inverse ratio of the total CPU time per request " +
		"in section 1's CPU table. A ratio of 0.7 would need ingest and nats-server together to add less than half of " +
		"what the load generator and the bare handler spend per request. Ingest adds work that the bare handler " +
		"does not do: it decodes each body twice (`checkPayload` walks it with `json.Decoder.Token` to reject duplicate " +
		"names, invalid UTF-8 and deep nesting, then the compiled `mapping.Parser` decodes it again), writes a JSON " +
		"log line, updates metrics and publishes to NATS and reads the PubAck; " +
		"nats-server then stores the message. Section 1's profile shows the share of each in the handler.",
	"**Synchronous and asynchronous publish.** The two `ingest.Handler` rows differ only in the publisher. " +
		"nats.go already batches the writes of concurrent synchronous publishes on one connection, so " +
		"`ingest.AsyncPublisher` saves the per-request reply handling rather than network round trips; its CPU per " +
		"request in the server and in nats-server is the measure of what it saves.",
	"**Against the synchronous design**, the synchronous handler's rate is pinned near connections ÷ CXone latency " +
		"at 100 ms, and its callers wait for CXone. Ingest's rate does not depend on CXone latency, but its worker runs on " +
		"the same cores: at 0 ms the worker applies messages as fast as it can and takes CPU from ingest, so ingest's " +
		"p99 at 0 ms can be higher than at 100 ms.",
	"**Worker throughput.** Besides the PATCH, a worker makes four JetStream requests per message: it creates the " +
		"interaction's lease in the ROUTING_LOCKS bucket, looks up the last message on the subject for the superseded " +
		"check, acknowledges with `DoubleAck` (which waits for the server's confirmation), and deletes the lease. " +
		"Section 3's CPU table shows what that costs in the worker and in nats-server, against the bare loop that sends " +
		"only the PATCH. The `cxone.Client` default transport keeps up to 512 idle connections per host, so up to " +
		"that many calls in flight reuse their connections.",
	"**The simulator is part of the measurement.** cxone-sim records every API request for `/sim/requests` under one " +
		"mutex and keeps the last 10000; its CPU per message in the drain tables runs on the same cores as the worker.",
	"**What is not measured here**: a NATS cluster with `NATS_REPLICAS=3`, network latency between machines, TLS, " +
		"and webhook authentication (the runs use `ROUTER_INSECURE_NO_AUTH=true`).",
}
