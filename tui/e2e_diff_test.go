package tui

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestEndToEndDiffTmux runs synthetic twice (headless), then opens inspect
// in tmux, marks both runs and opens their diff: main's diff function
// (harness.DiffRuns and harness.Diff over the kept batches) answers the
// view, and esc and q leave with exit 0.
func TestEndToEndDiffTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the tmux end-to-end test")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (apt-get install -y tmux)")
	}
	_, here, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(here))
	bin := os.Getenv("CONNECTOR_DEV_BIN")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "connector-dev")
		build := exec.Command("go", "build", "-o", bin, ".")
		build.Dir = root
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	bin, _ = filepath.Abs(bin)
	state := t.TempDir()
	for i := 0; i < 2; i++ {
		run := exec.Command(bin, "run", "synthetic", "--state-dir", state)
		run.Dir = root
		run.Env = append(os.Environ(), "CI=true")
		if out, err := run.CombinedOutput(); err != nil {
			t.Fatalf("run synthetic: %v\n%s", err, out)
		}
	}
	socket := filepath.Join(state, "tmux.sock")
	session := "cdev-diff-" + filepath.Base(state)
	tmux := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-S", socket}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	exitFile := filepath.Join(state, "exit")
	script := "unset CI; cd " + shellQuote(root) + " && " + shellQuote(bin) + " inspect --state-dir " + shellQuote(state) +
		"; echo EXIT=$? > " + shellQuote(exitFile) + "; sleep 30"
	tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", "sh", "-c", script)
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", socket, "kill-server").Run() })
	screen := func() string { return tmux("capture-pane", "-p", "-t", session) }
	waitFor := func(what string, subs ...string) string {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			s := screen()
			ok := true
			for _, x := range subs {
				ok = ok && strings.Contains(s, x)
			}
			if ok {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("waited 60s for %s; the screen:\n%s", what, s)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	waitFor("the runs list", "[runs]", "2 past runs")
	// Each key waits for the screen (DESIGN: keys sent back to back can
	// merge into one).
	tmux("send-keys", "-t", session, "x")
	waitFor("the first mark", ">*")
	tmux("send-keys", "-t", session, "j")
	waitFor("the cursor on the second run", " *")
	tmux("send-keys", "-t", session, "x")
	waitFor("two marks", "d diff marked")
	tmux("send-keys", "-t", session, "d")
	// Two runs of the same fixture: the same data, by the key id.
	s := waitFor("the diff", "schema: the same", ": the same data and schema")
	if !strings.Contains(s, "0 added, 0 removed, 0 changed") {
		t.Errorf("two runs of one fixture should not differ:\n%s", s)
	}
	tmux("send-keys", "-t", session, "Escape")
	waitFor("the runs list again", "RUN", "STARTED")
	tmux("send-keys", "-t", session, "q")
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, err := os.ReadFile(exitFile); err == nil && strings.TrimSpace(string(b)) != "" {
			if got := strings.TrimSpace(string(b)); got != "EXIT=0" {
				t.Errorf("inspect exited with %s, want EXIT=0", got)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("inspect did not exit after q; the screen:\n%s", screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
