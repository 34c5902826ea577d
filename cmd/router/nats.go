package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/cxrouter/router/queue"
)

// natsConfig is the NATS connection and topology configuration of a process.
type natsConfig struct {
	Topology  queue.Topology
	URL       string
	CredsFile string
	NKeySeed  string
	TLSCA     string
	TLSCert   string
	TLSKey    string
}

func natsFromEnv(e *env) natsConfig {
	return natsConfig{
		URL:       e.str("NATS_URL", "nats://127.0.0.1:4222"),
		CredsFile: e.str("NATS_CREDS", ""),
		NKeySeed:  e.str("NATS_NKEY_SEED", ""),
		TLSCA:     e.str("NATS_TLS_CA", ""),
		TLSCert:   e.str("NATS_TLS_CERT", ""),
		TLSKey:    e.str("NATS_TLS_KEY", ""),
		Topology:  topologyFromEnv(e),
	}
}

func topologyFromEnv(e *env) queue.Topology {
	t := queue.DefaultTopology()
	t.Replicas = e.integer("NATS_REPLICAS", t.Replicas)
	t.AckWait = e.duration("ROUTER_ACK_WAIT", t.AckWait)
	t.MaxDeliver = e.integer("ROUTER_MAX_DELIVER", t.MaxDeliver)
	if err := t.Validate(); err != nil {
		e.fail(fmt.Errorf("NATS_REPLICAS, ROUTER_ACK_WAIT or ROUTER_MAX_DELIVER: %w", err))
	}
	return t
}

func (c natsConfig) options(name string, log zerolog.Logger) ([]nats.Option, error) {
	opts := []nats.Option{
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.RetryOnFailedConnect(true),
		nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
			if err == nil || nc.IsClosed() {
				return // this process closed the connection
			}
			log.Warn().AnErr("error", err).Msg("disconnected from NATS; reconnecting")
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			log.Info().Str("server", redactURL(nc.ConnectedUrl())).Msg("reconnected to NATS")
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			log.Warn().AnErr("error", err).Msg("NATS asynchronous error")
		}),
	}

	if c.CredsFile != "" && c.NKeySeed != "" {
		return nil, errors.New("NATS_CREDS and NATS_NKEY_SEED are both set; set only one")
	}
	if c.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(c.CredsFile))
	}
	if c.NKeySeed != "" {
		opt, err := nats.NkeyOptionFromSeed(c.NKeySeed)
		if err != nil {
			return nil, fmt.Errorf("read NKey seed from NATS_NKEY_SEED=%q: %w", c.NKeySeed, err)
		}
		opts = append(opts, opt)
	}
	if c.TLSCA != "" {
		opts = append(opts, nats.RootCAs(c.TLSCA))
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return nil, errors.New("NATS_TLS_CERT and NATS_TLS_KEY must be set together")
	}
	if c.TLSCert != "" {
		opts = append(opts, nats.ClientCert(c.TLSCert, c.TLSKey))
	}
	return opts, nil
}

// connectNATS connects and opens JetStream, waiting up to startupWait for
// the first connection. RetryOnFailedConnect lets a process start before
// NATS does, as happens under Compose.
func connectNATS(ctx context.Context, c natsConfig, name string, log zerolog.Logger, extra ...nats.Option) (*nats.Conn, jetstream.JetStream, error) {
	opts, err := c.options(name, log)
	if err != nil {
		return nil, nil, err
	}
	opts = append(opts, extra...)

	nc, err := nats.Connect(c.URL, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("connect to NATS_URL=%q: %s", redactURL(c.URL), redactIn(err.Error(), c.URL))
	}
	waitCtx, cancel := context.WithTimeout(ctx, startupWait)
	defer cancel()
	if err := waitConnected(waitCtx, nc, c, log); err != nil {
		nc.Close()
		return nil, nil, err
	}

	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("open JetStream: %w", err)
	}
	return nc, js, nil
}

// ensureTopology creates or updates the streams and the consumer, retrying
// until ctx ends, so a process may start while NATS is still coming up. A
// configuration the server rejects ends the wait at once, because retrying
// cannot change the server's decision.
func ensureTopology(ctx context.Context, js jetstream.JetStream, t queue.Topology, withConsumer bool, log zerolog.Logger) (jetstream.Stream, jetstream.Consumer, error) {
	for attempt := 1; ; attempt++ {
		callCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		stream, err := queue.EnsureStreams(callCtx, js, t)
		var consumer jetstream.Consumer
		if err == nil && withConsumer {
			consumer, err = queue.EnsureConsumer(callCtx, stream, t)
		}
		cancel()
		if err == nil {
			return stream, consumer, nil
		}

		if rejected := rejectedTopology(err, t); rejected != nil {
			return nil, nil, rejected
		}
		if ctx.Err() != nil {
			return nil, nil, fmt.Errorf("set up JetStream streams: %w; check that NATS_URL points at a server with JetStream enabled and that its credentials allow it", err)
		}
		log.Warn().Err(err).Int("attempt", attempt).Msg("JetStream not ready; retrying")
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// errCodeReplicasNotSupported is the JetStream error code for more than one
// replica on a server that is not part of a cluster (nats-server 2.10 and
// later); nats.go defines no constant for it.
const errCodeReplicasNotSupported jetstream.ErrorCode = 10074

// rejectedTopology returns an error naming the setting to fix when the
// server rejected the stream or consumer configuration: a replica count it
// cannot place (error 10074 on a single server, code 500), or any request
// it calls bad (code 400). It returns nil for errors that may pass, such
// as a missing leader while a cluster starts.
func rejectedTopology(err error, t queue.Topology) error {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return nil
	}
	if apiErr.ErrorCode == errCodeReplicasNotSupported ||
		(apiErr.Code == 400 && strings.Contains(strings.ToLower(apiErr.Description), "replica")) {
		return fmt.Errorf("NATS rejected NATS_REPLICAS=%d: %s; set NATS_REPLICAS to 1 on a single server, or at most the number of servers in the cluster", t.Replicas, apiErr.Description)
	}
	if apiErr.Code != 400 {
		return nil
	}
	return fmt.Errorf("NATS rejected the stream or consumer configuration: %w; check NATS_REPLICAS, ROUTER_ACK_WAIT and ROUTER_MAX_DELIVER, and the server's JetStream limits", err)
}

// redactURL removes user information, which may hold a password or token,
// from every URL in a comma-separated list. An entry that does not parse
// loses everything between "://" and its last "@", so a malformed URL
// cannot leak a password either.
func redactURL(list string) string {
	parts := strings.Split(list, ",")
	for i, p := range parts {
		u, err := url.Parse(strings.TrimSpace(p))
		switch {
		case err != nil:
			parts[i] = redactUnparsed(p)
		case u.User != nil:
			u.User = url.User("REDACTED")
			parts[i] = u.String()
		}
	}
	return strings.Join(parts, ",")
}

// redactIn replaces every entry of the URL list in text with its redacted form.
func redactIn(text, list string) string {
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(p)
		if p != "" {
			text = strings.ReplaceAll(text, p, redactURL(p))
		}
	}
	return text
}

func redactUnparsed(raw string) string {
	at := strings.LastIndex(raw, "@")
	if at < 0 {
		return raw
	}
	start := strings.Index(raw, "://")
	if start < 0 || start+3 > at {
		return "REDACTED" + raw[at:]
	}
	return raw[:start+3] + "REDACTED" + raw[at:]
}
