package ingest

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cxrouter/router/mapping"
)

// ErrInvalidConfig is wrapped by every error Config.Validate returns.
var ErrInvalidConfig = errors.New("ingest: invalid config")

// Config sets the webhook path, request limits and HTTP server timeouts.
// Start from DefaultConfig and change fields.
type Config struct {
	// Path is the URL path of the webhook. Default "/webhook/cognigy-routing".
	Path string

	// MaxBodyBytes is the largest accepted request body. Default 1 MiB.
	MaxBodyBytes int64

	// PublishTimeout bounds the wait for the JetStream PubAck. Default 3 s.
	// It must be shorter than WriteTimeout. Keep it well below the 8 s that
	// Cognigy's HTTP Request node waits by default on dedicated installs.
	PublishTimeout time.Duration

	// RetryAfter is sent in the Retry-After header of a 503 response,
	// rounded up to whole seconds. Default 2 s.
	RetryAfter time.Duration

	// ReadHeaderTimeout bounds reading the request line and headers. Default 5 s.
	ReadHeaderTimeout time.Duration

	// ReadTimeout bounds reading the whole request, body included. Default 10 s.
	ReadTimeout time.Duration

	// WriteTimeout bounds the time from the end of the request headers to
	// the end of the response. Default 10 s.
	WriteTimeout time.Duration

	// IdleTimeout bounds how long a keep-alive connection waits for the next
	// request. Default 60 s.
	IdleTimeout time.Duration

	// MaxHeaderBytes bounds the size of the request line and headers. Default 64 KiB.
	MaxHeaderBytes int

	// ShutdownGrace bounds how long a shutdown waits for in-flight requests. Default 10 s.
	ShutdownGrace time.Duration

	// Auth sets the credentials the webhook accepts. Default: none, which
	// leaves the webhook open.
	Auth Auth

	// InputFormat sets where each field is read from a webhook body. The
	// worker must use the same format. Default mapping.DefaultInputFormat().
	InputFormat mapping.InputFormat
}

// DefaultConfig returns the configuration used when nothing is set.
func DefaultConfig() Config {
	return Config{
		Path:              "/webhook/cognigy-routing",
		MaxBodyBytes:      1 << 20,
		PublishTimeout:    3 * time.Second,
		RetryAfter:        2 * time.Second,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ShutdownGrace:     10 * time.Second,
		Auth:              Auth{JWTLeeway: 30 * time.Second},
		InputFormat:       mapping.DefaultInputFormat(),
	}
}

// Validate reports the first field that cannot work, with the fix.
func (c Config) Validate() error {
	switch {
	case !strings.HasPrefix(c.Path, "/"):
		return fmt.Errorf("%w: Path %q must start with \"/\"; use a path such as /webhook/cognigy-routing", ErrInvalidConfig, c.Path)
	case c.Path == healthPath:
		return fmt.Errorf("%w: Path %q is taken by the health check; choose another path", ErrInvalidConfig, c.Path)
	case c.MaxBodyBytes < 1:
		return fmt.Errorf("%w: MaxBodyBytes %d must be positive; the default is 1 MiB", ErrInvalidConfig, c.MaxBodyBytes)
	case c.PublishTimeout <= 0:
		return fmt.Errorf("%w: PublishTimeout %s must be positive; the default is 3s", ErrInvalidConfig, c.PublishTimeout)
	case c.RetryAfter <= 0:
		return fmt.Errorf("%w: RetryAfter %s must be positive; the default is 2s", ErrInvalidConfig, c.RetryAfter)
	case c.ReadHeaderTimeout <= 0:
		return fmt.Errorf("%w: ReadHeaderTimeout %s must be positive; the default is 5s", ErrInvalidConfig, c.ReadHeaderTimeout)
	case c.ReadTimeout < c.ReadHeaderTimeout:
		return fmt.Errorf("%w: ReadTimeout %s must be at least ReadHeaderTimeout %s", ErrInvalidConfig, c.ReadTimeout, c.ReadHeaderTimeout)
	case c.WriteTimeout <= c.PublishTimeout:
		return fmt.Errorf("%w: WriteTimeout %s must be longer than PublishTimeout %s so a 503 can still be written", ErrInvalidConfig, c.WriteTimeout, c.PublishTimeout)
	case c.IdleTimeout <= 0:
		return fmt.Errorf("%w: IdleTimeout %s must be positive; the default is 60s", ErrInvalidConfig, c.IdleTimeout)
	case c.MaxHeaderBytes < 1:
		return fmt.Errorf("%w: MaxHeaderBytes %d must be positive; the default is 64 KiB", ErrInvalidConfig, c.MaxHeaderBytes)
	case c.ShutdownGrace <= 0:
		return fmt.Errorf("%w: ShutdownGrace %s must be positive; the default is 10s", ErrInvalidConfig, c.ShutdownGrace)
	}
	if err := c.InputFormat.Validate(); err != nil {
		return fmt.Errorf("%w: InputFormat: %w", ErrInvalidConfig, err)
	}
	return c.Auth.Validate()
}

// retryAfterSeconds returns RetryAfter rounded up to whole seconds, the unit
// of the Retry-After header.
func (c Config) retryAfterSeconds() int64 {
	return int64((c.RetryAfter + time.Second - 1) / time.Second)
}
