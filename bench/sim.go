package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/cxrouter/router/cxone/cxonesim"
)

// Credentials that the simulator accepts in benchmarks.
const (
	SimClientID     = "routerbench"
	SimClientSecret = "routerbench-secret"
)

// Sim is a cxone-sim child process.
type Sim struct {
	*Process
	URL    string
	client *http.Client
}

// StartSim starts the cxone-sim binary at bin with latency added to every
// API response and waits until it responds.
func StartSim(bin string, latency time.Duration) (*Sim, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	args := []string{"-addr", addr, "-latency", latency.String(), "-log-level", "warn",
		"-client-id", SimClientID, "-client-secret", SimClientSecret}
	p, err := StartProcess("cxone-sim", bin, args, nil)
	if err != nil {
		return nil, err
	}

	s := &Sim{Process: p, URL: "http://" + addr, client: &http.Client{Timeout: 5 * time.Second}}
	if err := p.WaitHTTP(s.URL+"/sim/stats", 10*time.Second); err != nil {
		p.Stop()
		return nil, err
	}
	return s, nil
}

// Stats returns the simulator's request counters.
func (s *Sim) Stats(ctx context.Context) (cxonesim.Stats, error) {
	var stats cxonesim.Stats
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/sim/stats", nil)
	if err != nil {
		return stats, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return stats, fmt.Errorf("bench: read simulator stats: %w", err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&stats); err != nil {
		return stats, fmt.Errorf("bench: decode simulator stats: %w", err)
	}
	return stats, nil
}

// Applied returns the number of PATCH requests the simulator responded 200 to.
func (s *Sim) Applied(ctx context.Context) (int, error) {
	stats, err := s.Stats(ctx)
	if err != nil {
		return 0, err
	}
	return stats.PatchByStatus[http.StatusOK], nil
}
