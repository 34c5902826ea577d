package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Load is a closed-loop HTTP load: Connections goroutines, each on its own
// keep-alive connection, post requests back to back until Warmup and
// Duration have passed. Only requests that complete inside the Duration
// window after the warm-up are counted in rates and latencies.
type Load struct {
	// URL receives every request as a POST.
	URL string

	// Connections is the number of concurrent connections. Required.
	Connections int

	// Warmup runs before the measured window and is not counted. Default 0.
	Warmup time.Duration

	// Duration is the measured window. Required.
	Duration time.Duration

	// Body returns the body of request seq on connection conn. Required.
	Body func(conn, seq int) []byte

	// Timeout bounds one request. Default 10 s.
	Timeout time.Duration
}

// LoadResult is the outcome of one Load.
type LoadResult struct {
	Connections int
	Window      time.Duration

	// ByStatus counts the responses completed in the window by status code.
	ByStatus map[int]int

	// Errors counts requests in the window that got no response.
	Errors     int
	FirstError string

	// Latencies of the 2xx responses completed in the window.
	Latencies Latencies

	// Total2xx counts every 2xx response of the run, warm-up and the
	// requests still in flight when the window closed included.
	Total2xx int
}

// Rate returns the 2xx responses per second in the measured window.
func (r LoadResult) Rate() float64 {
	return float64(len(r.Latencies)) / r.Window.Seconds()
}

// Non2xx returns the responses in the window with a status outside 200-299.
func (r LoadResult) Non2xx() int {
	n := 0
	for status, count := range r.ByStatus {
		if status < 200 || status > 299 {
			n += count
		}
	}
	return n
}

// connResult is what one connection's goroutine counted.
type connResult struct {
	byStatus   map[int]int
	errors     int
	firstError string
	latencies  []time.Duration
	total2xx   int
}

// Run sends the load and returns what it counted. It stops early when ctx
// ends.
func (l Load) Run(ctx context.Context) (LoadResult, error) {
	if l.Connections < 1 || l.Duration <= 0 || l.Body == nil || l.URL == "" {
		return LoadResult{}, errors.New("bench: Load needs URL, Connections ≥ 1, Duration > 0 and Body")
	}
	if l.Timeout == 0 {
		l.Timeout = 10 * time.Second
	}

	start := time.Now()
	windowStart := start.Add(l.Warmup)
	windowEnd := windowStart.Add(l.Duration)

	results := make([]connResult, l.Connections)
	var wg sync.WaitGroup
	for conn := range l.Connections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[conn] = l.runConn(ctx, conn, windowStart, windowEnd)
		}()
	}
	wg.Wait()

	return l.merge(results), ctx.Err()
}

// runConn posts requests on one keep-alive connection until windowEnd.
func (l Load) runConn(ctx context.Context, conn int, windowStart, windowEnd time.Time) connResult {
	transport := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxConnsPerHost:     1,
		MaxIdleConnsPerHost: 1,
		DisableCompression:  true,
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: l.Timeout}

	res := connResult{byStatus: map[int]int{}}
	for seq := 0; ctx.Err() == nil; seq++ {
		sent := time.Now()
		if !sent.Before(windowEnd) {
			break
		}
		status, err := post(ctx, client, l.URL, l.Body(conn, seq))
		done := time.Now()

		if err == nil && status >= 200 && status <= 299 {
			res.total2xx++
		}
		if done.Before(windowStart) || done.After(windowEnd) {
			continue
		}
		if err != nil {
			res.errors++
			if res.firstError == "" {
				res.firstError = err.Error()
			}
			continue
		}
		res.byStatus[status]++
		if status >= 200 && status <= 299 {
			res.latencies = append(res.latencies, done.Sub(sent))
		}
	}
	return res
}

func post(ctx context.Context, client *http.Client, url string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")

	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

func (l Load) merge(results []connResult) LoadResult {
	out := LoadResult{Connections: l.Connections, Window: l.Duration, ByStatus: map[int]int{}}
	var samples []time.Duration
	for _, r := range results {
		for status, n := range r.byStatus {
			out.ByStatus[status] += n
		}
		out.Errors += r.errors
		if out.FirstError == "" {
			out.FirstError = r.firstError
		}
		out.Total2xx += r.total2xx
		samples = append(samples, r.latencies...)
	}
	out.Latencies = newLatencies(samples)
	return out
}

// WebhookBodies returns a Load.Body that builds a webhook in the shape of
// Cognigy's sample, about 250 bytes, with its own interaction id and
// sessionId and inputId pair for every request, so that no two requests
// share a Nats-Msg-Id and no request supersedes another. run keeps the ids
// of separate runs apart.
func WebhookBodies(run string) func(conn, seq int) []byte {
	return func(conn, seq int) []byte {
		id := run + "-" + strconv.Itoa(conn) + "-" + strconv.Itoa(seq)
		return fmt.Appendf(nil, `{"sessionId":"s-%s","inputId":"i-%d","userId":"user_abc123","botId":"bot_xyz789",`+
			`"intent":{"name":"TransferToSales","confidence":0.95},`+
			`"entities":[{"name":"ProductInterest","value":"PremiumPackage","confidence":0.98}],`+
			`"cxoneInteractionId":%q}`, id, seq, id)
	}
}

// MergeLoads adds up the results of several loads with the same
// connection count, as one load whose window is the sum of theirs.
func MergeLoads(results []LoadResult) LoadResult {
	out := LoadResult{ByStatus: map[int]int{}}
	var samples []time.Duration
	for _, r := range results {
		out.Connections = r.Connections
		out.Window += r.Window
		for status, n := range r.ByStatus {
			out.ByStatus[status] += n
		}
		out.Errors += r.Errors
		if out.FirstError == "" {
			out.FirstError = r.FirstError
		}
		out.Total2xx += r.Total2xx
		samples = append(samples, r.Latencies...)
	}
	out.Latencies = newLatencies(samples)
	return out
}
