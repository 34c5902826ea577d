package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func TestStartupErrorsNameTheFix(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{"unknown command", []string{"serve"}, nil, `unknown command "serve"`},
		{"bad log level", []string{"ingest"}, map[string]string{"ROUTER_LOG_LEVEL": "loud"}, `ROUTER_LOG_LEVEL="loud" is not a level`},
		{"bad concurrency", []string{"worker"}, map[string]string{"ROUTER_WORKER_CONCURRENCY": "many"}, `ROUTER_WORKER_CONCURRENCY="many" is not a whole number`},
		{"bad request timeout", []string{"worker"}, map[string]string{"CXONE_REQUEST_TIMEOUT": "5"}, `CXONE_REQUEST_TIMEOUT="5" is not a duration`},
		{"worker without client id", []string{"worker"}, nil, "CXONE_CLIENT_ID is not set"},
		{"missing rules file", []string{"worker"}, map[string]string{"CXONE_CLIENT_ID": "x", "ROUTER_MAPPING_FILE": "/nonexistent/rules.yaml"}, "ROUTER_MAPPING_FILE"},
		{"creds and seed", []string{"ingest"}, map[string]string{"NATS_CREDS": "a", "NATS_NKEY_SEED": "b", "ROUTER_INSECURE_NO_AUTH": "true"}, "set only one"},
		{"bad replicas", []string{"worker"}, map[string]string{"NATS_REPLICAS": "0"}, "NATS_REPLICAS"},
		{"unparsable URL keeps password out", []string{"ingest"}, map[string]string{"NATS_URL": "nats://u:NATS%PASS@127.0.0.1:4223", "ROUTER_INSECURE_NO_AUTH": "true"}, `NATS_URL="nats://REDACTED@127.0.0.1:4223"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, name := range []string{"ROUTER_LOG_LEVEL", "ROUTER_WORKER_CONCURRENCY", "CXONE_REQUEST_TIMEOUT", "CXONE_CLIENT_ID", "ROUTER_MAPPING_FILE", "NATS_CREDS", "NATS_NKEY_SEED", "NATS_REPLICAS", "NATS_URL", "ROUTER_INSECURE_NO_AUTH"} {
				t.Setenv(name, tt.env[name])
			}
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("run(%v) error = %v, want one containing %q", tt.args, err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "PASS") {
				t.Errorf("run(%v) error %q contains a password", tt.args, err)
			}
		})
	}
}

func TestRedactURLRemovesUserInfo(t *testing.T) {
	tests := map[string]string{
		"nats://127.0.0.1:4222":                          "nats://127.0.0.1:4222",
		"nats://alice:secret@nats-1:4222,nats://n2:4222": "nats://REDACTED@nats-1:4222,nats://n2:4222",
		"nats://tokenvalue@nats:4222":                    "nats://REDACTED@nats:4222",
		"nats://u:NATS%PASS@127.0.0.1:4223":              "nats://REDACTED@127.0.0.1:4223",
		"nats://u:pa ss@h:1,nats://u:SECRETX@[::1":       "nats://REDACTED@h:1,nats://REDACTED@[::1",
	}
	for in, want := range tests {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"help"}, &stdout, &stdout); err != nil {
		t.Fatalf("help: %v", err)
	}
	for _, c := range commands() {
		if !strings.Contains(stdout.String(), c.name) {
			t.Errorf("help lacks command %q", c.name)
		}
	}
	if !strings.Contains(stdout.String(), "NATS_URL") {
		t.Errorf("help lacks the environment variables")
	}
}

func TestStrayWordsRejected(t *testing.T) {
	for _, args := range [][]string{
		{"replay", "--dlq", "typo", "--dry-run"},
		{"worker", "extra"},
		{"ingest", "extra", "--insecure-no-auth"},
		{"dev", "now"},
	} {
		err := run(context.Background(), args, &bytes.Buffer{}, &bytes.Buffer{})
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "does not take") {
			t.Errorf("run(%v) = %v, want a usage error naming the stray words", args, err)
		}
	}
}
