package cxone_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cxrouter/router/cxone"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		value string
		want  time.Duration
		ok    bool
	}{
		{"delta seconds", "2", 2 * time.Second, true},
		{"zero seconds", "0", 0, true},
		{"padded seconds", " 120 ", 2 * time.Minute, true},
		{"huge seconds capped", "99999999999999999999999", 10 * 365 * 24 * time.Hour, true},
		{"IMF-fixdate", "Sun, 01 Mar 2026 12:00:30 GMT", 30 * time.Second, true},
		{"RFC 850 date", "Sunday, 01-Mar-26 12:01:00 GMT", time.Minute, true},
		{"asctime date", "Sun Mar  1 12:00:05 2026", 5 * time.Second, true},
		{"past date", "Sun, 01 Mar 2026 11:00:00 GMT", 0, true},
		{"empty", "", 0, false},
		{"negative", "-1", 0, false},
		{"fraction", "1.5", 0, false},
		{"garbage", "soon", 0, false},
		{"date without zone", "2026-03-01T12:00:30", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := cxone.ParseRetryAfter(tt.value, now)
			if ok != tt.ok {
				t.Fatalf("ParseRetryAfter(%q) ok = %v, want %v", tt.value, ok, tt.ok)
			}
			if got != tt.want {
				t.Errorf("ParseRetryAfter(%q) = %v, want %v", tt.value, got, tt.want)
			}
		})
	}
}

func ExampleParseRetryAfter() {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	fmt.Println(cxone.ParseRetryAfter("120", now))
	fmt.Println(cxone.ParseRetryAfter("Sun, 01 Mar 2026 12:00:30 GMT", now))
	fmt.Println(cxone.ParseRetryAfter("Sun, 01 Mar 2026 11:00:00 GMT", now))
	fmt.Println(cxone.ParseRetryAfter("-5", now))
	// Output:
	// 2m0s true
	// 30s true
	// 0s true
	// 0s false
}
