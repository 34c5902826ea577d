//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/cxrouter/router/queue"
)

// clusterService maps a NATS server name in docker-compose.cluster.yml to
// its Compose service.
var clusterService = map[string]string{"nats-1": "nats", "nats-2": "nats-2", "nats-3": "nats-3"}

// streamLeader returns the server name of the ROUTING stream's leader and
// checks that the stream has three replicas.
func streamLeader(ctx context.Context, t *testing.T, js jetstream.JetStream) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		stream, err := js.Stream(ctx, queue.StreamName)
		if err == nil {
			info, err := stream.Info(ctx)
			if err == nil && info.Cluster != nil && info.Cluster.Leader != "" {
				if info.Config.Replicas != 3 {
					t.Fatalf("stream %s has %d replicas, want 3", queue.StreamName, info.Config.Replicas)
				}
				return info.Cluster.Leader
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("stream %s has no leader: %v", queue.StreamName, err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// TestClusterNodeLoss runs the Compose cluster override, kills the NATS node
// that leads the ROUTING stream while webhooks arrive, and checks that every
// webhook that ingest accepted with 202 was applied. During the leader
// election ingest may return 503, which the sender retries as Cognigy does.
func TestClusterNodeLoss(t *testing.T) {
	ctx := context.Background()
	const total = 1500
	start := time.Now()

	p := newProject(t, []string{"docker-compose.yml", "docker-compose.cluster.yml"}, "ROUTER_ACK_WAIT=10s")
	p.up(ctx, 2)
	sim := newSimClient("http://" + p.hostAddr(ctx, "cxone-sim", "8090"))
	js := p.connectNATS(ctx, "nats", "nats-2", "nats-3")
	leader := streamLeader(ctx, t, js)

	killed := make(chan error, 1)
	s := newSender("http://" + p.hostAddr(ctx, "ingest", "8080"))
	s.interval = 10 * time.Millisecond
	s.progress = func(done int) {
		if done != total/3 {
			return
		}
		go func() {
			ids := p.containers(ctx, clusterService[leader])
			if len(ids) != 1 {
				killed <- fmt.Errorf("NATS server %s: %d running containers, want 1", leader, len(ids))
				return
			}
			t.Logf("after %d webhooks: kill NATS server %s, the leader of %s", done, leader, queue.StreamName)
			_, err := docker(ctx, "kill", ids[0])
			killed <- err
		}()
	}
	hooks := newWebhooks("cluster", total)
	sent := s.send(ctx, hooks)
	if err := <-killed; err != nil {
		t.Fatal(err)
	}

	applied := sim.waitApplied(ctx, t, hooks, 3*time.Minute)
	newLeader := streamLeader(ctx, t, js)
	dlq := dlqCount(ctx, t, js)
	t.Logf("scenario=cluster-node-loss sent=%d accepted=%d retried_503=%d retried_no_answer=%d applied=%d duplicates=%d dlq=%d leader=%s->%s duration=%s",
		total, sent.accepted, sent.unavailable, sent.connErrors, applied.applied, applied.duplicates, dlq, leader, newLeader, time.Since(start).Round(time.Second))

	requireAllApplied(t, sent, applied, total)
	if newLeader == leader {
		t.Errorf("stream %s is still led by the killed server %s", queue.StreamName, leader)
	}
	if dlq != 0 {
		t.Errorf("ROUTING_DLQ holds %d dead letters, want 0", dlq)
	}
}
