package queue

import (
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// EmbeddedMaxPayload is the max_payload of the embedded server: 2 MiB, so
// the largest webhook that ingest accepts (1 MiB) fits with its headers.
// A NATS server run for the router needs the same setting.
const EmbeddedMaxPayload = 2 << 20

// EmbeddedConfig configures a NATS server with JetStream that runs inside
// the current process, as `router dev` and the tests use it.
type EmbeddedConfig struct {
	// StoreDir is the JetStream file store directory. Required.
	StoreDir string

	// Host is the client listen host. Default 127.0.0.1.
	Host string

	// Port is the client port. Default 4222; -1 picks a free port.
	Port int

	// ReadyTimeout bounds the wait for the server to accept connections. Default 10 s.
	ReadyTimeout time.Duration
}

// StartEmbedded starts a JetStream-enabled NATS server in this process and
// waits until it accepts connections. Call Shutdown and WaitForShutdown on
// the result to stop it.
func StartEmbedded(cfg EmbeddedConfig) (*server.Server, error) {
	if cfg.StoreDir == "" {
		return nil, errors.New("queue: embedded NATS needs a store directory; set ROUTER_DATA_DIR")
	}
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.Port == 0 {
		cfg.Port = 4222
	}
	if cfg.ReadyTimeout == 0 {
		cfg.ReadyTimeout = 10 * time.Second
	}

	opts := &server.Options{
		ServerName: "router-embedded",
		Host:       cfg.Host,
		Port:       cfg.Port,
		JetStream:  true,
		StoreDir:   cfg.StoreDir,
		NoSigs:     true,
		NoLog:      true,
		// A 1 MiB webhook body plus its headers exceeds the 1 MiB default.
		MaxPayload: EmbeddedMaxPayload,
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("queue: configure embedded NATS on %s:%d: %w", cfg.Host, cfg.Port, err)
	}

	go srv.Start()
	if !srv.ReadyForConnections(cfg.ReadyTimeout) {
		srv.Shutdown()
		return nil, fmt.Errorf("queue: embedded NATS on %s:%d not ready after %s; is the port in use?", cfg.Host, cfg.Port, cfg.ReadyTimeout)
	}
	return srv, nil
}
