package ingest_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/cxrouter/router/ingest"
	"github.com/cxrouter/router/queue"
	"github.com/cxrouter/router/queue/queuetest"
)

// hostileKey is the API key the requests in testdata/hostile carry.
const hostileKey = "hostile-corpus-key-0123456789"

// hostileCase is one request of testdata/hostile; README.md there describes the format.
type hostileCase struct {
	name    string
	note    string
	status  int
	request []byte
}

func TestHostileRequests(t *testing.T) {
	cases := loadHostileCases(t, "testdata/hostile")
	if len(cases) < 40 {
		t.Fatalf("testdata/hostile has %d requests, want at least 40", len(cases))
	}

	ns := queuetest.Start(t, queue.DefaultTopology())
	cfg := ingest.DefaultConfig()
	cfg.Auth.APIKeys = []string{hostileKey}
	logs := &logBuffer{}
	h, err := ingest.NewHandler(ns.JS, cfg, zerolog.New(logs))
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	s := startServe(t, h, cfg)

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body, err := sendRaw(s.addr, tc.request)
			if err != nil {
				t.Fatalf("%s: %v", tc.note, err)
			}
			if status != tc.status {
				t.Errorf("%s: status = %d, want %d; body %.300s", tc.note, status, tc.status, body)
			}
			if status >= 500 && status != http.StatusNotImplemented && status != http.StatusHTTPVersionNotSupported {
				t.Errorf("%s: server error %d", tc.note, status)
			}
		})
	}

	if n := ns.Messages(t, queue.StreamName); n != 0 {
		t.Errorf("stream has %d messages after the hostile requests, want 0", n)
	}
	for _, line := range logs.lines(t) {
		if line["level"] == "error" {
			t.Errorf("error log line for a hostile request: %v", line)
		}
	}
}

// sendRaw writes request on a new connection and reads one response. It
// writes and reads at once, because the server may respond and stop
// reading before the request is complete.
func sendRaw(addr string, request []byte) (int, []byte, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return 0, nil, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		return 0, nil, err
	}

	go func() {
		// A server that responds early may close the connection while
		// the request is still being written, so a write error is expected.
		_, _ = conn.Write(request)
	}()

	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, nil, fmt.Errorf("read response: %w", err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	return resp.StatusCode, body.Bytes(), nil
}

func loadHostileCases(t *testing.T, dir string) []hostileCase {
	t.Helper()

	paths, err := filepath.Glob(filepath.Join(dir, "*.http"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []hostileCase
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		tc, err := parseHostileCase(data)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		tc.name = strings.TrimSuffix(filepath.Base(path), ".http")
		cases = append(cases, tc)
	}
	return cases
}

// parseHostileCase reads one file of testdata/hostile.
func parseHostileCase(data []byte) (hostileCase, error) {
	meta, request, ok := strings.Cut(string(data), "---\n")
	if !ok {
		return hostileCase{}, fmt.Errorf("no --- line between the metadata and the request")
	}
	request = strings.TrimSuffix(request, "\n")

	var tc hostileCase
	framing := "length"
	for line := range strings.Lines(meta) {
		key, value, _ := strings.Cut(strings.TrimSpace(line), ":")
		value = strings.TrimSpace(value)
		switch key {
		case "status":
			status, err := strconv.Atoi(value)
			if err != nil {
				return hostileCase{}, fmt.Errorf("status %q is not a number", value)
			}
			tc.status = status
		case "note":
			tc.note = value
		case "framing":
			framing = value
		default:
			return hostileCase{}, fmt.Errorf("unknown metadata line %q", line)
		}
	}
	if tc.status == 0 || tc.note == "" {
		return hostileCase{}, fmt.Errorf("status and note are required")
	}

	var err error
	tc.request, err = buildRequest(request, framing)
	return tc, err
}

// buildRequest turns the request part of a file into the bytes to send.
func buildRequest(request, framing string) ([]byte, error) {
	if framing == "raw" {
		return expandMacros(strings.ReplaceAll(request, "\n", "\r\n"))
	}

	head, body, _ := strings.Cut(request, "\n\n")
	headBytes, err := expandMacros(strings.ReplaceAll(head, "\n", "\r\n") + "\r\n")
	if err != nil {
		return nil, err
	}
	bodyBytes, err := expandMacros(body)
	if err != nil {
		return nil, err
	}

	var out bytes.Buffer
	out.Write(headBytes)
	lowerHead := strings.ToLower(head)
	switch framing {
	case "length":
		if !strings.Contains(lowerHead, "\ncontent-length:") && !strings.Contains(lowerHead, "\ntransfer-encoding:") {
			fmt.Fprintf(&out, "Content-Length: %d\r\n", len(bodyBytes))
		}
		out.WriteString("\r\n")
		out.Write(bodyBytes)
	case "chunked":
		out.WriteString("Transfer-Encoding: chunked\r\n\r\n")
		for chunk := range slicesChunk(bodyBytes, 64<<10) {
			fmt.Fprintf(&out, "%x\r\n%s\r\n", len(chunk), chunk)
		}
		out.WriteString("0\r\n\r\n")
	default:
		return nil, fmt.Errorf("framing %q is not length, chunked or raw", framing)
	}
	return out.Bytes(), nil
}

func slicesChunk(b []byte, size int) func(yield func([]byte) bool) {
	return func(yield func([]byte) bool) {
		for len(b) > 0 {
			n := min(size, len(b))
			if !yield(b[:n]) {
				return
			}
			b = b[n:]
		}
	}
}

// macro matches {{"text"}} and {{"text" * N}}, with text a Go string literal.
var macro = regexp.MustCompile(`\{\{("(?:[^"\\]|\\.)*")(?:\s*\*\s*(\d+))?\}\}`)

func expandMacros(s string) ([]byte, error) {
	var expandErr error
	out := macro.ReplaceAllStringFunc(s, func(m string) string {
		parts := macro.FindStringSubmatch(m)
		text, err := strconv.Unquote(parts[1])
		if err != nil {
			expandErr = fmt.Errorf("macro %s: %w", m, err)
			return ""
		}
		count := 1
		if parts[2] != "" {
			count, _ = strconv.Atoi(parts[2])
		}
		return strings.Repeat(text, count)
	})
	return []byte(out), expandErr
}
