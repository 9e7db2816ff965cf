//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connector-dev/connectors"
)

// crasher starts a goroutine that panics: nothing can recover that, and the
// process dies with the runtime's trace on fd 2, which is a pipe by then.
type crasher struct{}

func init() { connectors.RegisterSource("crasher", func() connectors.Source { return crasher{} }) }

func (crasher) Run(ctx context.Context, rt connectors.Runtime) error {
	go func() { panic("crasher: fatal in a goroutine") }()
	time.Sleep(10 * time.Second)
	return nil
}

// A Go fatal error while fd 2 is captured is not lost: its trace is in
// the run's crash.log (0600). The crash happens in a child process (this
// test binary, re-run) so this one survives.
func TestFatalErrorTraceKept(t *testing.T) {
	if os.Getenv("CONNECTOR_DEV_CRASH_CHILD") == "1" {
		os.Exit(run([]string{"run", "crasher", "--ci"}, processEnv()))
	}
	dir := project(t)
	f, err := os.OpenFile("connectors.yaml", os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\ncrasher:\n  kind: source\n  credentials: []\n")
	f.Close()
	os.MkdirAll(filepath.Join("fixtures", "crasher"), 0o755)
	os.WriteFile(filepath.Join("fixtures", "crasher", "job.json"), []byte(`{"ETLJobNM": "crash", "SourceObjectID": "x", "SourceConnectorNM": "crasher", "UpdateMethodCD": 2}`), 0o644)
	cmd := exec.Command(os.Args[0], "-test.run=^TestFatalErrorTraceKept$")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CONNECTOR_DEV_CRASH_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the child did not crash:\n%s", out)
	}
	logs, _ := filepath.Glob(filepath.Join(dir, ".connector-dev", "runs", "*", "crash.log"))
	if len(logs) != 1 {
		t.Fatalf("want one crash.log, found %v; child output:\n%s", logs, out)
	}
	b, _ := os.ReadFile(logs[0])
	if !strings.Contains(string(b), "panic: crasher: fatal in a goroutine") || !strings.Contains(string(b), "goroutine") {
		t.Errorf("crash.log lacks the trace:\n%s", b)
	}
	if info, _ := os.Stat(logs[0]); info.Mode().Perm() != 0o600 {
		t.Errorf("crash.log mode %v, want 0600", info.Mode().Perm())
	}
}
