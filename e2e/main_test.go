//go:build e2e

// Package e2e runs the router against Docker: a NATS container started with
// testcontainers-go, the Compose files with killed and scaled workers, a
// three-node JetStream cluster that loses a node, and the /metrics counters.
// Each scenario sends webhooks the way Cognigy does, retrying 503, and checks
// in the CXone simulator that every accepted webhook was applied.
//
// Run it with `make e2e`, which builds the images first and sets
// ROUTER_IMAGE, CXONE_SIM_IMAGE, NATS_IMAGE and COMPOSE. The tests pull no
// image, so every image must exist locally.
package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// images names the container images under test; see loadImages.
var images struct {
	router   string
	cxoneSim string
	nats     string
}

// routerBinary is the router built for this host, for the scenario that runs
// ingest and workers as host processes.
var routerBinary string

// repoRoot is the repository root, where the Compose files are.
var repoRoot string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if out, err := exec.Command("docker", "info").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: Docker is unavailable: 'docker info' failed: %v\n%s\n", err, lastLines(string(out), 5))
		return 1
	}
	// Ryuk, the testcontainers reaper, is an image that would have to be
	// pulled; every test removes its own containers instead.
	os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	// The tests publish container ports on 127.0.0.1 of a local engine.
	// Without this, testcontainers-go may pick the bridge gateway address
	// when it guesses that it runs inside a container.
	if os.Getenv("TESTCONTAINERS_HOST_OVERRIDE") == "" {
		os.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	}

	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	repoRoot = filepath.Dir(wd)

	if err := loadImages(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}

	dir, err := os.MkdirTemp("", "router-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	routerBinary = filepath.Join(dir, "router")
	build := exec.Command("go", "build", "-o", routerBinary, "./cmd/router")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: build the router: %v\n%s", err, out)
		return 1
	}

	return m.Run()
}

// loadImages reads the image names from ROUTER_IMAGE, CXONE_SIM_IMAGE and
// NATS_IMAGE, with the defaults of `make images`, and checks that each one
// exists locally.
func loadImages() error {
	natsVersion, err := pinnedNATSVersion()
	if err != nil {
		return err
	}
	images.router = envOr("ROUTER_IMAGE", "router:dev")
	images.cxoneSim = envOr("CXONE_SIM_IMAGE", "cxone-sim:dev")
	images.nats = envOr("NATS_IMAGE", "router-nats:"+natsVersion)

	for _, image := range []string{images.router, images.cxoneSim, images.nats} {
		if out, err := exec.Command("docker", "image", "inspect", "--format", "{{.Id}}", image).CombinedOutput(); err != nil {
			return fmt.Errorf("image %s not found locally (%s); run 'make images' or 'make e2e'", image, strings.TrimSpace(string(out)))
		}
	}
	return nil
}

// pinnedNATSVersion returns the nats-server version in go.mod, such as 2.15.3.
func pinnedNATSVersion() (string, error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "github.com/nats-io/nats-server/v2")
	cmd.Dir = repoRoot
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("read the nats-server version from go.mod: %w", err)
	}
	return strings.TrimPrefix(strings.TrimSpace(string(out)), "v"), nil
}

func envOr(name, def string) string {
	if v := strings.TrimSpace(os.Getenv(name)); v != "" {
		return v
	}
	return def
}

// docker runs the docker CLI and returns its combined output.
func docker(ctx context.Context, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("docker %s: %w: %s", strings.Join(args, " "), err, lastLines(string(out), 10))
	}
	return string(out), nil
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
