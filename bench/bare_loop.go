package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// patchBody is the PATCH body the default rules produce for the webhooks of
// WebhookBodies.
const patchBody = `{"wrapUpCode":"Sales Transfer","routingData":{"priority":1,"skill":"Sales-Premium","customField":"Interest: PremiumPackage"}}`

// BareLoop is the ceiling for one worker process: concurrency goroutines
// that send the PATCH requests a worker would send, with one token fetched
// up front, over a transport that keeps a connection per goroutine, and
// nothing else.
type BareLoop struct {
	Sim         *Sim
	Concurrency int
	Requests    int
	Run         string
}

// BareResult is the outcome of a BareLoop.
type BareResult struct {
	Applied int
	Failed  int
	Elapsed time.Duration
}

// Rate returns the PATCH requests with a 200 response per second.
func (r BareResult) Rate() float64 {
	return float64(r.Applied) / r.Elapsed.Seconds()
}

// Do sends the requests and returns when all have a response or ctx ends.
func (b BareLoop) Do(ctx context.Context) (BareResult, error) {
	transport := &http.Transport{MaxIdleConns: b.Concurrency, MaxIdleConnsPerHost: b.Concurrency}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}

	token, err := fetchToken(ctx, client, b.Sim.URL)
	if err != nil {
		return BareResult{}, err
	}

	var next, applied, failed atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range b.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(b.Requests) {
					return
				}
				id := fmt.Sprintf("%s-bare-%d", b.Run, i)
				if patch(ctx, client, b.Sim.URL, token, id) == http.StatusOK {
					applied.Add(1)
				} else {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()

	return BareResult{Applied: int(applied.Load()), Failed: int(failed.Load()), Elapsed: time.Since(start)}, ctx.Err()
}

func fetchToken(ctx context.Context, client *http.Client, simURL string) (string, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"interaction:update interaction:read"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, simURL+"/api/v2/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(SimClientID, SimClientSecret)

	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("bench: fetch token from the simulator: %w", err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.AccessToken == "" {
		return "", fmt.Errorf("bench: token response with status %d has no access_token", resp.StatusCode)
	}
	return body.AccessToken, nil
}

func patch(ctx context.Context, client *http.Client, simURL, token, interactionID string) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, simURL+"/api/v2/interactions/"+interactionID, bytes.NewReader([]byte(patchBody)))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)

	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}
