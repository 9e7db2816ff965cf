//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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

// unlocker dies of a Go fatal error (not a panic: nothing runs after it,
// no deferred function, no recover).
type unlocker struct{}

func init() { connectors.RegisterSource("unlocker", func() connectors.Source { return unlocker{} }) }

func (unlocker) Run(ctx context.Context, rt connectors.Runtime) error {
	var mu sync.Mutex
	mu.Unlock()
	return nil
}

// A connector's Go fatal error under --ci > out 2>&1: the lines printed
// before it are in out, crash.log holds the trace, and `inspect --ci` says
// the run died of it, naming crash.log.
func TestGoFatalErrorSaysSo(t *testing.T) {
	if os.Getenv("CONNECTOR_DEV_CRASH_CHILD") == "unlocker" {
		os.Exit(run([]string{"run", "unlocker", "--ci"}, processEnv()))
	}
	dir := project(t)
	f, err := os.OpenFile("connectors.yaml", os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\nunlocker:\n  kind: source\n  credentials: []\n")
	f.Close()
	os.MkdirAll(filepath.Join("fixtures", "unlocker"), 0o755)
	os.WriteFile(filepath.Join("fixtures", "unlocker", "job.json"), []byte(`{"ETLJobNM": "unlock", "SourceObjectID": "x", "SourceConnectorNM": "unlocker", "UpdateMethodCD": 2}`), 0o644)
	outFile, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestGoFatalErrorSaysSo$")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CONNECTOR_DEV_CRASH_CHILD=unlocker")
	cmd.Stdout, cmd.Stderr = outFile, outFile
	if err := cmd.Run(); err == nil {
		t.Fatal("the child did not crash")
	}
	outFile.Close()
	out, _ := os.ReadFile(outFile.Name())
	for _, want := range []string{"RUN", "STAGE", "source", "unlocker"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the output before the crash lacks %q:\n%s", want, out)
		}
	}
	logs, _ := filepath.Glob(filepath.Join(dir, ".connector-dev", "runs", "*", "crash.log"))
	if len(logs) != 1 {
		t.Fatalf("want one crash.log, found %v; output:\n%s", logs, out)
	}
	if b, _ := os.ReadFile(logs[0]); !strings.Contains(string(b), "goroutine") {
		t.Errorf("crash.log lacks the trace:\n%s", b)
	}
	code, listing, errOut := cli(t, "inspect", "--ci")
	if code != 0 {
		t.Fatalf("inspect --ci: exit %d: %s", code, errOut)
	}
	if !strings.Contains(listing, "the process died of a Go fatal error: see ") || !strings.Contains(listing, filepath.Join(filepath.Base(filepath.Dir(logs[0])), "crash.log")) || !strings.Contains(listing, "incomplete") {
		t.Errorf("inspect --ci does not say the run died of a Go fatal error:\n%s", listing)
	}
}

// kill -9 leaves an empty crash.log (the runtime had no chance to write):
// it is not taken for a crash, and is removed once the run is listed.
func TestEmptyCrashLogIgnored(t *testing.T) {
	dir := project(t)
	runDir := filepath.Join(dir, ".connector-dev", "runs", "20260101-000000-000001")
	os.MkdirAll(runDir, 0o700)
	os.WriteFile(filepath.Join(runDir, "job.json"), []byte(`{"ETLJobNM": "killed", "SourceObjectID": "x", "SourceConnectorNM": "synthetic", "UpdateMethodCD": 2}`), 0o600)
	os.WriteFile(filepath.Join(runDir, "report.json"), []byte(`{"run_id": "20260101-000000-000001", "status": "running"}`), 0o600)
	os.WriteFile(filepath.Join(runDir, "crash.log"), nil, 0o600)
	code, listing, errOut := cli(t, "inspect", "--ci")
	if code != 0 {
		t.Fatalf("inspect --ci: exit %d: %s", code, errOut)
	}
	if strings.Contains(listing, "fatal error") || !strings.Contains(listing, "incomplete") {
		t.Errorf("an empty crash.log changed the listing:\n%s", listing)
	}
	// Without a manifest nothing knows its counts: "-", not 0.
	for _, l := range strings.Split(listing, "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == "20260101-000000-000001" && strings.Join(f[len(f)-4:], " ") != "- - - -" {
			t.Errorf("the killed run's CODE ROWS BATCHES SECONDS are %v, want - - - -", f[len(f)-4:])
		}
	}
	if _, err := os.Stat(filepath.Join(runDir, "crash.log")); !os.IsNotExist(err) {
		t.Errorf("the empty crash.log is still there (%v)", err)
	}
}
