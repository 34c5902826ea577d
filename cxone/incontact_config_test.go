package cxone_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cxrouter/router/cxone"
)

func TestInContactConfigValidate(t *testing.T) {
	valid := cxone.InContactConfig{
		ClientID:        "app",
		ClientSecret:    "client-secret-value",
		AccessKeyID:     "key-id",
		AccessKeySecret: "key-secret=value",
	}
	tests := []struct {
		name    string
		change  func(*cxone.InContactConfig)
		wantErr string
	}{
		{"defaults", func(*cxone.InContactConfig) {}, ""},
		{"local issuer", func(c *cxone.InContactConfig) { c.IssuerURL = "http://127.0.0.1:8090/" }, ""},
		{"issuer without scheme", func(c *cxone.InContactConfig) { c.IssuerURL = "cxone.niceincontact.com" }, "CXONE_ISSUER_URL"},
		{"issuer with user", func(c *cxone.InContactConfig) { c.IssuerURL = "https://u:p@x" }, "user information"},
		{"missing client id", func(c *cxone.InContactConfig) { c.ClientID = "" }, "CXONE_CLIENT_ID"},
		{"missing client secret", func(c *cxone.InContactConfig) { c.ClientSecret = "" }, "CXONE_CLIENT_SECRET"},
		{"missing access key id", func(c *cxone.InContactConfig) { c.AccessKeyID = "" }, "CXONE_ACCESS_KEY_ID"},
		{"missing access key secret", func(c *cxone.InContactConfig) { c.AccessKeySecret = "" }, "CXONE_ACCESS_KEY_SECRET"},
		{"API version", func(c *cxone.InContactConfig) { c.APIVersion = "v29.0" }, ""},
		{"API version without v", func(c *cxone.InContactConfig) { c.APIVersion = "30.0" }, "CXONE_API_VERSION"},
		{"nine signal params", func(c *cxone.InContactConfig) {
			c.SignalParams = []string{"skill", "priority", "wrapUpCode", "a", "b", "c", "d", "e", "f"}
		}, ""},
		{"ten signal params", func(c *cxone.InContactConfig) {
			c.SignalParams = []string{"skill", "priority", "wrapUpCode", "a", "b", "c", "d", "e", "f", "g"}
		}, "1 to 9"},
		{"empty signal params", func(c *cxone.InContactConfig) { c.SignalParams = []string{} }, "CXONE_SIGNAL_PARAMS"},
		{"blank signal param", func(c *cxone.InContactConfig) { c.SignalParams = []string{"skill", ""} }, `p2 ""`},
		{"signal param with space", func(c *cxone.InContactConfig) { c.SignalParams = []string{"custom field"} }, "not a name"},
		{"misspelled signal param", func(c *cxone.InContactConfig) { c.SignalParams = []string{"wrapupcode"} }, `spelled "wrapUpCode"`},
		{"repeated signal param", func(c *cxone.InContactConfig) { c.SignalParams = []string{"skill", "skill"} }, "twice"},
		{"negative timeout", func(c *cxone.InContactConfig) { c.RequestTimeout = -time.Second }, "RequestTimeout"},
		{"negative max RPS", func(c *cxone.InContactConfig) { c.MaxRPS = -1 }, "CXONE_MAX_RPS"},
		{"negative discovery TTL", func(c *cxone.InContactConfig) { c.DiscoveryTTL = -time.Second }, "DiscoveryTTL"},
		{"negative attempts", func(c *cxone.InContactConfig) { c.Retry.MaxAttempts = -1 }, "Retry.MaxAttempts"},
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
				t.Fatalf("Validate() = %v, want an error containing %q", err, tt.wantErr)
			}
			for _, secret := range []string{valid.ClientSecret, valid.AccessKeySecret} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("Validate() = %q, which contains a secret", err)
				}
			}
		})
	}
}

func TestParseSignalParams(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  ", nil},
		{"skill", []string{"skill"}},
		{" skill , priority,customField ", []string{"skill", "priority", "customField"}},
		{"skill,,priority", []string{"skill", "", "priority"}},
	}
	for _, tt := range tests {
		if got := cxone.ParseSignalParams(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("ParseSignalParams(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNewInContactClientRejectsInvalidConfig(t *testing.T) {
	_, err := cxone.NewInContactClient(cxone.InContactConfig{ClientID: "app"})
	if err == nil || !strings.Contains(err.Error(), "CXONE_CLIENT_SECRET") {
		t.Errorf("NewInContactClient = %v, want an error naming CXONE_CLIENT_SECRET", err)
	}
}
