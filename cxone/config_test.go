package cxone_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cxrouter/router/cxone"
)

func TestConfigValidate(t *testing.T) {
	valid := cxone.Config{ClientID: "id", ClientSecret: "secret"}
	tests := []struct {
		name    string
		change  func(*cxone.Config)
		wantErr string
	}{
		{"defaults", func(*cxone.Config) {}, ""},
		{"http base URL", func(c *cxone.Config) { c.BaseURL = "http://127.0.0.1:8090" }, ""},
		{"ftp base URL", func(c *cxone.Config) { c.BaseURL = "ftp://x" }, `BaseURL "ftp://x" must be an http or https URL; set CXONE_BASE_URL`},
		{"base URL without host", func(c *cxone.Config) { c.BaseURL = "https://" }, "BaseURL"},
		{"base URL with query", func(c *cxone.Config) { c.BaseURL = "https://x?a=b" }, "query"},
		{"base URL with user", func(c *cxone.Config) { c.BaseURL = "https://u:p@x" }, "user information"},
		{"relative token URL", func(c *cxone.Config) { c.TokenURL = "/oauth/token" }, "CXONE_TOKEN_URL"},
		{"missing client id", func(c *cxone.Config) { c.ClientID = "" }, "CXONE_CLIENT_ID"},
		{"missing client secret", func(c *cxone.Config) { c.ClientSecret = "" }, "CXONE_CLIENT_SECRET"},
		{"negative timeout", func(c *cxone.Config) { c.RequestTimeout = -time.Second }, "RequestTimeout"},
		{"negative max RPS", func(c *cxone.Config) { c.MaxRPS = -1 }, "CXONE_MAX_RPS"},
		{"multiplier below 1", func(c *cxone.Config) { c.Retry.Multiplier = 0.5 }, "Retry.Multiplier"},
		{"randomization above 1", func(c *cxone.Config) { c.Retry.RandomizationFactor = 2 }, "Retry.RandomizationFactor"},
		{"negative budget", func(c *cxone.Config) { c.Retry.MaxElapsedTime = -1 }, "Retry.MaxElapsedTime"},
		{"negative attempts", func(c *cxone.Config) { c.Retry.MaxAttempts = -1 }, "Retry.MaxAttempts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.change(&cfg)
			err := cfg.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Validate() = %v, want an error containing %q", err, tt.wantErr)
			}
			if _, err := cxone.NewClient(cfg); err == nil {
				t.Error("NewClient accepted the invalid config")
			}
		})
	}
}

func TestConfigValidateOmitsSecret(t *testing.T) {
	cfg := cxone.Config{BaseURL: "https://user:hunter2@x", ClientID: "id", ClientSecret: "secret"}
	if err := cfg.Validate(); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Validate() = %v, want an error without the URL password", err)
	}
}

func TestDefaultBaseURL(t *testing.T) {
	tests := map[string]string{
		"":   "https://api.us.nicenginx.com",
		"us": "https://api.us.nicenginx.com",
		"eu": "https://api.eu.nicenginx.com",
	}
	for env, want := range tests {
		if got := cxone.DefaultBaseURL(env); got != want {
			t.Errorf("DefaultBaseURL(%q) = %q, want %q", env, got, want)
		}
	}
}
