package bench

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/nats-io/nats-server/v2/server"
)

// Machine describes where a run happened.
type Machine struct {
	CPUModel    string
	Cores       int
	MemoryBytes uint64
	Kernel      string
	GoVersion   string
	NATSVersion string
	Revision    string

	// LoadAtStart and LoadAtEnd are the 1, 5 and 15 minute load averages
	// from /proc/loadavg when the run started and ended.
	LoadAtStart, LoadAtEnd string
}

// loadAverage returns the 1, 5 and 15 minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	fields := strings.Fields(string(b))
	if len(fields) < 3 {
		return "unknown"
	}
	return strings.Join(fields[:3], ", ")
}

// ReadMachine reads the machine facts from /proc and the build.
func ReadMachine() Machine {
	m := Machine{
		Cores:       runtime.NumCPU(),
		GoVersion:   runtime.Version(),
		NATSVersion: server.VERSION,
		CPUModel:    procField("/proc/cpuinfo", "model name"),
		Kernel:      "unknown",
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(b))
	}
	var kib uint64
	if _, err := fmt.Sscanf(procField("/proc/meminfo", "MemTotal"), "%d kB", &kib); err == nil {
		m.MemoryBytes = kib << 10
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		var rev, dirty string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = " with uncommitted changes"
				}
			}
		}
		if len(rev) > 12 {
			m.Revision = rev[:12] + dirty
		}
	}
	return m
}

// procField returns the value of the first "name: value" line of a /proc
// file, or "unknown".
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		key, value, ok := strings.Cut(scanner.Text(), ":")
		if ok && strings.TrimSpace(key) == name {
			return strings.TrimSpace(value)
		}
	}
	return "unknown"
}

// Table returns the machine facts as a table.
func (m Machine) Table() Table {
	t := Table{Header: []string{"fact", "value"}}
	t.AddRow("CPU", m.CPUModel)
	t.AddRow("cores (runtime.NumCPU)", fmt.Sprint(m.Cores))
	t.AddRow("memory", fmt.Sprintf("%.1f GiB", float64(m.MemoryBytes)/(1<<30)))
	t.AddRow("kernel", m.Kernel)
	t.AddRow("Go", m.GoVersion)
	t.AddRow("nats-server", "v"+m.NATSVersion+" (the version go.mod pins, built from the module cache)")
	if m.LoadAtStart != "" {
		t.AddRow("load average (1, 5, 15 min) at start → end", m.LoadAtStart+" → "+m.LoadAtEnd+
			" (other work on the host; above the core count it slows every row)")
	}
	if m.Revision != "" {
		t.AddRow("router revision", m.Revision)
	}
	return t
}
