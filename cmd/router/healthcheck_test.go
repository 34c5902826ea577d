package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHealthcheckStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			w.WriteHeader(http.StatusOK)
		case "/no-content":
			w.WriteHeader(http.StatusNoContent)
		case "/unavailable":
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	tests := []struct {
		name    string
		args    []string
		wantErr error
	}{
		{"200", []string{srv.URL + "/ok"}, nil},
		{"204", []string{srv.URL + "/no-content"}, nil},
		{"503", []string{srv.URL + "/unavailable"}, errUnhealthy},
		{"404", []string{srv.URL + "/missing"}, errUnhealthy},
		{"connection refused", []string{closed.URL + "/ok"}, errUnhealthy},
		{"no URL", nil, errUsage},
		{"two URLs", []string{srv.URL, srv.URL}, errUsage},
		{"relative URL", []string{"/healthz"}, errUsage},
		{"other scheme", []string{"ftp://127.0.0.1/healthz"}, errUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), append([]string{"healthcheck"}, tt.args...), io.Discard, io.Discard)
			if tt.wantErr == nil && err != nil {
				t.Fatalf("healthcheck %v: %v, want success", tt.args, err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("healthcheck %v: %v, want %v", tt.args, err, tt.wantErr)
			}
		})
	}
}
