package ingest_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cxrouter/router/ingest"
)

func TestDefaultConfigValid(t *testing.T) {
	if err := ingest.DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig().Validate() = %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		field  string
		change func(*ingest.Config)
	}{
		{"Path", func(c *ingest.Config) { c.Path = "" }},
		{"Path", func(c *ingest.Config) { c.Path = "webhook" }},
		{"Path", func(c *ingest.Config) { c.Path = "/healthz" }},
		{"MaxBodyBytes", func(c *ingest.Config) { c.MaxBodyBytes = 0 }},
		{"PublishTimeout", func(c *ingest.Config) { c.PublishTimeout = 0 }},
		{"RetryAfter", func(c *ingest.Config) { c.RetryAfter = -time.Second }},
		{"ReadHeaderTimeout", func(c *ingest.Config) { c.ReadHeaderTimeout = 0 }},
		{"ReadTimeout", func(c *ingest.Config) { c.ReadTimeout = time.Second }},
		{"WriteTimeout", func(c *ingest.Config) { c.WriteTimeout = 3 * time.Second }},
		{"IdleTimeout", func(c *ingest.Config) { c.IdleTimeout = 0 }},
		{"MaxHeaderBytes", func(c *ingest.Config) { c.MaxHeaderBytes = -1 }},
		{"ShutdownGrace", func(c *ingest.Config) { c.ShutdownGrace = 0 }},
	}

	for _, tc := range tests {
		cfg := ingest.DefaultConfig()
		tc.change(&cfg)

		err := cfg.Validate()
		if !errors.Is(err, ingest.ErrInvalidConfig) {
			t.Errorf("%s: Validate() = %v, want ErrInvalidConfig", tc.field, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.field+" ") {
			t.Errorf("%s: error %q does not name the field", tc.field, err)
		}
	}
}

func ExampleConfig_Validate() {
	cfg := ingest.DefaultConfig()
	cfg.PublishTimeout = 15 * time.Second

	fmt.Println(cfg.Validate())
	// Output: ingest: invalid config: WriteTimeout 10s must be longer than PublishTimeout 15s so a 503 can still be written
}
