package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process is a server started as a child process. Its stdout goes to
// /dev/null, so log lines cost their write and nothing more. The last
// 64 KiB of its stderr are kept for error messages.
type Process struct {
	Name   string
	cmd    *exec.Cmd
	stderr *tailBuffer
	exited chan struct{}
	err    error
}

// StartProcess starts path with args. env is added to the environment of
// this process, from which every ROUTER_, NATS_ and CXONE_ variable is
// removed first, so a developer's settings cannot change a run.
func StartProcess(name, path string, args, env []string) (*Process, error) {
	cmd := exec.Command(path, args...)
	cmd.Env = append(cleanEnv(), env...)
	tail := &tailBuffer{max: 64 << 10}
	cmd.Stderr = tail
	// The kernel kills the child when routerbench dies, so a crashed or
	// interrupted run leaves no servers behind.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start %s (%s): %w", name, path, err)
	}

	p := &Process{Name: name, cmd: cmd, stderr: tail, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "ROUTER_") || strings.HasPrefix(kv, "NATS_") || strings.HasPrefix(kv, "CXONE_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// PID returns the process id.
func (p *Process) PID() int {
	return p.cmd.Process.Pid
}

// PeakRSS returns the peak resident set size (VmHWM in /proc/PID/status)
// in bytes.
func (p *Process) PeakRSS() (uint64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(p.PID()) + "/status")
	if err != nil {
		return 0, fmt.Errorf("bench: read peak RSS of %s: %w", p.Name, err)
	}
	defer f.Close()

	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		value, ok := strings.CutPrefix(scanner.Text(), "VmHWM:")
		if !ok {
			continue
		}
		kib, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bench: parse VmHWM %q of %s: %w", value, p.Name, err)
		}
		return kib << 10, nil
	}
	return 0, fmt.Errorf("bench: no VmHWM line in /proc/%d/status of %s", p.PID(), p.Name)
}

// clockTicksPerSecond is USER_HZ, the unit of the CPU times in
// /proc/PID/stat: 100 on every Linux architecture Go supports.
const clockTicksPerSecond = 100

// CPUTime returns the user and system CPU time the process has used, from
// /proc/PID/stat, to within 10 ms.
func (p *Process) CPUTime() (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.PID()) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("bench: read CPU time of %s: %w", p.Name, err)
	}
	// The command name in field 2 may contain spaces; the fields after
	// its closing parenthesis start with field 3.
	_, rest, ok := strings.Cut(string(b), ") ")
	fields := strings.Fields(rest)
	if !ok || len(fields) < 13 {
		return 0, fmt.Errorf("bench: unexpected /proc/%d/stat of %s", p.PID(), p.Name)
	}
	utime, err1 := strconv.ParseUint(fields[11], 10, 64)
	stime, err2 := strconv.ParseUint(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bench: parse CPU times in /proc/%d/stat of %s", p.PID(), p.Name)
	}
	return time.Duration(utime+stime) * time.Second / clockTicksPerSecond, nil
}

// SelfCPUTime returns the user and system CPU time of this process.
func SelfCPUTime() time.Duration {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return 0
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}

// Stop sends SIGTERM and waits up to 20 s for the process to exit, then
// kills it.
func (p *Process) Stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// Stderr returns the end of the process's stderr.
func (p *Process) Stderr() string {
	return p.stderr.String()
}

// WaitHTTP polls url until it responds 200, the process exits or timeout
// passes.
func (p *Process) WaitHTTP(url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}

	for {
		resp, err := client.Get(url)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("bench: %s exited before %s responded 200: %v; stderr: %s", p.Name, url, p.err, p.Stderr())
		case <-ctx.Done():
			return fmt.Errorf("bench: %s did not respond 200 on %s within %s; stderr: %s", p.Name, url, timeout, p.Stderr())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// FreeAddr returns a 127.0.0.1 address with a port that was free a moment
// ago.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("bench: find a free port: %w", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return "", err
	}
	return addr, nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if extra := b.buf.Len() - b.max; extra > 0 {
		b.buf.Next(extra)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.TrimSpace(b.buf.String())
}
