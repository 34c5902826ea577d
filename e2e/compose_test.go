//go:build e2e

package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cxrouter/router/queue"
)

// project is one Compose project with a name of its own, so that runs never
// share containers, networks or volumes. Cleanup runs `down -v`.
type project struct {
	t       *testing.T
	name    string
	command []string // "docker compose" or "docker-compose"
	files   []string
	env     []string
}

// composeCommand returns the Compose command from COMPOSE, which `make e2e`
// sets, else `docker compose` when it works, else docker-compose.
func composeCommand() []string {
	if c := strings.Fields(os.Getenv("COMPOSE")); len(c) > 0 {
		return c
	}
	if exec.Command("docker", "compose", "version").Run() == nil {
		return []string{"docker", "compose"}
	}
	return []string{"docker-compose"}
}

// newProject returns a project over the Compose files, named in the
// repository root, with free host ports for every published port. env adds
// variables for the Compose files, such as ROUTER_ACK_WAIT=10s.
func newProject(t *testing.T, files []string, env ...string) *project {
	t.Helper()
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)

	p := &project{
		t:       t,
		name:    "routere2e" + hex.EncodeToString(suffix),
		command: composeCommand(),
		files:   files,
		env: append([]string{
			"ROUTER_IMAGE=" + images.router,
			"CXONE_SIM_IMAGE=" + images.cxoneSim,
			"NATS_IMAGE=" + images.nats,
			"INGEST_PUBLISH=127.0.0.1:",
			"CXONE_SIM_PUBLISH=127.0.0.1:",
			"NATS_PUBLISH=127.0.0.1:",
			"NATS_2_PUBLISH=127.0.0.1:",
			"NATS_3_PUBLISH=127.0.0.1:",
		}, env...),
	}
	t.Cleanup(p.down)
	return p
}

// compose runs one Compose command in the project and returns its output.
func (p *project) compose(ctx context.Context, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()

	full := append([]string{}, p.command[1:]...)
	full = append(full, "-p", p.name)
	for _, f := range p.files {
		full = append(full, "-f", filepath.Join(repoRoot, f))
	}
	full = append(full, args...)

	cmd := exec.CommandContext(ctx, p.command[0], full...)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), p.env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w: %s", strings.Join(p.command, " "), strings.Join(args, " "), err, lastLines(string(out), 15))
	}
	return string(out), nil
}

// up starts the project with the given number of workers and waits until
// every container reports healthy.
func (p *project) up(ctx context.Context, workers int) {
	p.t.Helper()
	if _, err := p.compose(ctx, "up", "-d", "--scale", fmt.Sprintf("worker=%d", workers)); err != nil {
		p.t.Fatal(err)
	}
	p.waitHealthy(ctx, 2*time.Minute)
}

// scale changes the number of workers and leaves every other container as
// it is.
func (p *project) scale(ctx context.Context, workers int) error {
	_, err := p.compose(ctx, "up", "-d", "--no-recreate", "--scale", fmt.Sprintf("worker=%d", workers))
	return err
}

// down removes the containers, the network and the volumes, and on failure
// first prints the last log lines of every service.
func (p *project) down() {
	ctx := context.Background()
	if p.t.Failed() {
		if out, err := p.compose(ctx, "logs", "--no-color", "--tail", "40"); err == nil {
			p.t.Logf("logs of project %s:\n%s", p.name, out)
		}
	}
	if _, err := p.compose(ctx, "down", "-v", "--remove-orphans", "-t", "5"); err != nil {
		p.t.Errorf("remove project %s: %v", p.name, err)
	}
}

// containers returns the ids of the running containers of service.
func (p *project) containers(ctx context.Context, service string) []string {
	p.t.Helper()
	out, err := docker(ctx, "ps", "-q",
		"--filter", "label=com.docker.compose.project="+p.name,
		"--filter", "label=com.docker.compose.service="+service)
	if err != nil {
		p.t.Fatal(err)
	}
	return strings.Fields(out)
}

// waitHealthy waits until every container of the project has the health
// status healthy. Every image under test defines a health check.
func (p *project) waitHealthy(ctx context.Context, timeout time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		ids, err := docker(ctx, "ps", "-aq", "--filter", "label=com.docker.compose.project="+p.name)
		if err != nil {
			p.t.Fatal(err)
		}
		args := append([]string{"inspect", "--format", "{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}"}, strings.Fields(ids)...)
		out, err := docker(ctx, args...)
		if err != nil {
			p.t.Fatal(err)
		}
		last = out
		if !strings.Contains(out, "starting") && !strings.Contains(out, "unhealthy") && !strings.Contains(out, " none") && !strings.Contains(out, "exited") {
			return
		}
		time.Sleep(time.Second)
	}
	p.t.Fatalf("project %s not healthy within %s:\n%s", p.name, timeout, last)
}

// hostAddr returns the 127.0.0.1 host address that publishes the container
// port of the first container of service, such as 127.0.0.1:32768.
func (p *project) hostAddr(ctx context.Context, service, port string) string {
	p.t.Helper()
	ids := p.containers(ctx, service)
	if len(ids) == 0 {
		p.t.Fatalf("service %s has no running container", service)
	}
	return p.containerAddr(ctx, ids[0], port)
}

// containerAddr returns the 127.0.0.1 host address that publishes the
// container port of one container.
func (p *project) containerAddr(ctx context.Context, id, port string) string {
	p.t.Helper()
	out, err := docker(ctx, "port", id, port+"/tcp")
	if err != nil {
		p.t.Fatal(err)
	}
	for _, line := range strings.Fields(out) {
		if strings.HasPrefix(line, "127.0.0.1:") {
			return line
		}
	}
	p.t.Fatalf("container %s publishes port %s on no 127.0.0.1 address: %q", id, port, out)
	return ""
}

// connectNATS connects to the published client ports of the NATS services.
func (p *project) connectNATS(ctx context.Context, services ...string) jetstream.JetStream {
	p.t.Helper()
	var urls []string
	for _, s := range services {
		urls = append(urls, "nats://"+p.hostAddr(ctx, s, "4222"))
	}
	nc, err := nats.Connect(strings.Join(urls, ","), nats.MaxReconnects(-1), nats.ReconnectWait(250*time.Millisecond))
	if err != nil {
		p.t.Fatalf("connect to NATS at %v: %v", urls, err)
	}
	p.t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		p.t.Fatal(err)
	}
	return js
}

// dlqCount returns the number of dead letters in ROUTING_DLQ.
func dlqCount(ctx context.Context, t *testing.T, js jetstream.JetStream) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	stream, err := js.Stream(ctx, queue.DLQStreamName)
	if err != nil {
		t.Fatalf("look up %s: %v", queue.DLQStreamName, err)
	}
	info, err := stream.Info(ctx)
	if err != nil {
		t.Fatalf("read %s: %v", queue.DLQStreamName, err)
	}
	return info.State.Msgs
}

// TestComposeKillAndScale runs docker-compose.yml with three workers, kills
// one with SIGKILL while webhooks arrive, then scales to one worker and to
// five, and checks that every accepted webhook was applied.
func TestComposeKillAndScale(t *testing.T) {
	ctx := context.Background()
	const total = 2000
	start := time.Now()

	// A short ack wait makes JetStream redeliver the killed worker's messages
	// soon; the simulator's latency keeps messages in flight when it dies.
	p := newProject(t, []string{"docker-compose.yml"}, "ROUTER_ACK_WAIT=10s", "CXONE_SIM_LATENCY=20ms")
	p.up(ctx, 3)
	sim := newSimClient("http://" + p.hostAddr(ctx, "cxone-sim", "8090"))
	js := p.connectNATS(ctx, "nats")

	// The events run in order on their own goroutine, each once the sender
	// has handled its share of the webhooks, so that they overlap the load.
	events := []struct {
		at   int
		name string
		run  func() error
	}{
		{total / 5, "kill one worker", func() error {
			ids := p.containers(ctx, "worker")
			_, err := docker(ctx, "kill", ids[0])
			return err
		}},
		{total / 2, "scale to one worker", func() error { return p.scale(ctx, 1) }},
		{total * 7 / 10, "scale to five workers", func() error { return p.scale(ctx, 5) }},
	}
	reached := make(chan int, total)
	eventsDone := make(chan error, 1)
	go func() {
		for _, e := range events {
			for done := range reached {
				if done >= e.at {
					break
				}
			}
			t.Logf("after %d webhooks: %s", e.at, e.name)
			if err := e.run(); err != nil {
				eventsDone <- fmt.Errorf("%s: %w", e.name, err)
				return
			}
		}
		eventsDone <- nil
	}()

	s := newSender("http://" + p.hostAddr(ctx, "ingest", "8080"))
	s.interval = 10 * time.Millisecond
	s.progress = func(done int) { reached <- done }
	hooks := newWebhooks("compose", total)
	sent := s.send(ctx, hooks)
	close(reached)
	if err := <-eventsDone; err != nil {
		t.Fatal(err)
	}

	applied := sim.waitApplied(ctx, t, hooks, 3*time.Minute)
	dlq := dlqCount(ctx, t, js)
	workers := len(p.containers(ctx, "worker"))
	t.Logf("scenario=compose-kill-scale sent=%d accepted=%d retried_503=%d retried_no_answer=%d applied=%d duplicates=%d dlq=%d workers_at_end=%d duration=%s",
		total, sent.accepted, sent.unavailable, sent.connErrors, applied.applied, applied.duplicates, dlq, workers, time.Since(start).Round(time.Second))

	requireAllApplied(t, sent, applied, total)
	if dlq != 0 {
		t.Errorf("ROUTING_DLQ holds %d dead letters, want 0", dlq)
	}
	if workers != 5 {
		t.Errorf("%d workers run after scaling to five", workers)
	}
}
