package cxone

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ParseRetryAfter parses the value of a Retry-After header (RFC 9110,
// section 10.2.3) into the requested wait, measured from now.
//
// The value is either delta-seconds, a non-negative decimal integer, or an
// HTTP-date: the IMF-fixdate form ("Sun, 06 Nov 1994 08:49:37 GMT") or one
// of the obsolete RFC 850 and ANSI C asctime forms that recipients must
// accept. A date in the past returns 0 and true. An empty, negative or
// malformed value returns false.
func ParseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}

	if isDigits(value) {
		seconds, err := strconv.ParseInt(value, 10, 64)
		if err != nil || seconds > maxRetryAfterSeconds {
			// Only overflow fails here: cap absurdly large values.
			return maxRetryAfterSeconds * time.Second, true
		}
		return time.Duration(seconds) * time.Second, true
	}

	date, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	wait := date.Sub(now)
	if wait < 0 {
		return 0, true
	}
	return wait, true
}

// maxRetryAfterSeconds caps delta-seconds so that the Duration cannot
// overflow: 10 years is far beyond any retry budget.
const maxRetryAfterSeconds = 10 * 365 * 24 * 3600

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
