package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cxrouter/router/queue"
)

// NATSServer is a nats-server child process with JetStream on file storage.
type NATSServer struct {
	*Process
	URL string
}

// StartNATS starts the nats-server binary at bin with its store in dir and
// waits until JetStream responds. syncAlways sets sync_interval: always, so
// the server fsyncs every write before it acknowledges it; otherwise the
// server's default applies (fsync every 2 minutes).
func StartNATS(bin, dir string, syncAlways bool) (*NATSServer, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}

	sync := ""
	if syncAlways {
		sync = "\n  sync_interval: always"
	}
	conf := fmt.Sprintf("listen: %q\nmax_payload: %d\njetstream {\n  store_dir: %q%s\n}\n",
		addr, queue.EmbeddedMaxPayload, filepath.Join(dir, "jetstream"), sync)
	confPath := filepath.Join(dir, "nats.conf")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bench: create NATS directory: %w", err)
	}
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return nil, fmt.Errorf("bench: write NATS config: %w", err)
	}

	p, err := StartProcess("nats-server", bin, []string{"-c", confPath}, nil)
	if err != nil {
		return nil, err
	}
	s := &NATSServer{Process: p, URL: "nats://" + addr}
	if err := s.waitJetStream(10 * time.Second); err != nil {
		p.Stop()
		return nil, err
	}
	return s, nil
}

func (s *NATSServer) waitJetStream(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := s.pingJetStream()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench: nats-server at %s not ready within %s: %w; stderr: %s", s.URL, timeout, err, s.Stderr())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *NATSServer) pingJetStream() error {
	nc, err := nats.Connect(s.URL)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = js.AccountInfo(ctx)
	return err
}

// StreamMessages returns the number of messages in ROUTING.
func (s *NATSServer) StreamMessages(ctx context.Context) (uint64, error) {
	nc, err := nats.Connect(s.URL)
	if err != nil {
		return 0, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return 0, err
	}
	stream, err := js.Stream(ctx, queue.StreamName)
	if err != nil {
		return 0, fmt.Errorf("bench: look up stream %s: %w", queue.StreamName, err)
	}
	info, err := stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("bench: read stream %s info: %w", queue.StreamName, err)
	}
	return info.State.Msgs, nil
}
