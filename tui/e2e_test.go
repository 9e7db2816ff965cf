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

// TestEndToEndTmux drives the real binary in tmux through a run of the
// synthetic fixture: exit banner, batches view, a batch's rows, q, exit code.
// It builds the binary itself unless CONNECTOR_DEV_BIN names one.
//
// Each key waits for the screen the one before it leads to: bubbletea reads
// Esc and a key sent right after it as one alt+key, so racing the program
// would test the terminal's timing, not the program. The one place that
// sends Esc and a key back to back does so on purpose, to show the program
// takes alt+key as the two keys.
func TestEndToEndTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the tmux end-to-end test")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (apt-get install -y tmux)")
	}
	_, here, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(here)) // the repo: .env.example, connectors.yaml, fixtures/
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
	exitFile := filepath.Join(state, "exit")
	session := "cdev-e2e-" + filepath.Base(state)
	socket := filepath.Join(state, "tmux.sock")

	tmux := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-S", socket}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	// CI=true (as .ci/run sets it) would make the binary run headless.
	script := "unset CI; cd " + shellQuote(root) + " && " + shellQuote(bin) + " run synthetic --state-dir " + shellQuote(state) +
		"; echo EXIT=$? > " + shellQuote(exitFile) + "; sleep 30"
	tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", "sh", "-c", script)
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", socket, "kill-server").Run() })

	screen := func() string { return tmux("capture-pane", "-p", "-t", session) }
	waitFor := func(what string, ok func(string) bool) string {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			s := screen()
			if ok(s) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("waited 60s for %s; the screen:\n%s", what, s)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	has := func(subs ...string) func(string) bool {
		return func(s string) bool {
			for _, x := range subs {
				if !strings.Contains(s, x) {
					return false
				}
			}
			return true
		}
	}

	waitFor("the exit banner", has("success · exit 0"))
	tmux("send-keys", "-t", session, "Tab")
	waitFor("the batches list", has("[batches]", "batch 1 of"))
	tmux("send-keys", "-t", session, "Enter")
	s := waitFor("the first batch's rows", has("row 1 of"))
	if !strings.Contains(s, "account-0 ") {
		t.Errorf("the first row is not account-0:\n%s", s)
	}
	// The table shows the first columns; v shows the cursor's row whole.
	tmux("send-keys", "-t", session, "v")
	s = waitFor("the whole row", has("account-0", "region"))
	for _, want := range []string{"north", "user0@example.com", "2026-01-01T00:00:00Z"} {
		if !strings.Contains(s, want) {
			t.Errorf("row 1 lacks %q; the screen:\n%s", want, s)
		}
	}
	tmux("send-keys", "-t", session, "Escape")
	// Only the table's footer says which columns show.
	waitFor("the rows table again", has("row 1 of", "columns 1-"))
	tmux("send-keys", "-t", session, "q")
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, err := os.ReadFile(exitFile)
		if err == nil && strings.TrimSpace(string(b)) != "" {
			if got := strings.TrimSpace(string(b)); got != "EXIT=0" {
				t.Errorf("connector-dev exited with %s, want EXIT=0", got)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("connector-dev did not exit after q; the screen:\n%s", screen())
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The same run, browsed afterwards with inspect: runs, its batches, rows.
	inspectExit := filepath.Join(state, "inspect-exit")
	script = "unset CI; cd " + shellQuote(root) + " && " + shellQuote(bin) + " inspect --state-dir " + shellQuote(state) +
		"; echo EXIT=$? > " + shellQuote(inspectExit) + "; sleep 30"
	// The new session first, then the old one goes: a server left with no
	// session exits, and a new-session racing that exit fails.
	old := session
	session += "-inspect"
	tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", "sh", "-c", script)
	tmux("kill-session", "-t", old)
	waitFor("the runs list", has("[runs]", "synthetic", "success"))
	tmux("send-keys", "-t", session, "Enter")
	waitFor("the run's batches", has("[batches]", "batch-000001.parquet"))
	tmux("send-keys", "-t", session, "Enter")
	waitFor("the batch's rows", has("row 1 of", "account-0 "))
	tmux("send-keys", "-t", session, "v")
	waitFor("the whole row", has("account-0", "region:string", "user0@example.com"))
	// Esc and s in one write, as a fast typist or a slow link sends them:
	// bubbletea reads alt+s, which the program takes as Esc (back to the
	// table), then s (the schema).
	tmux("send-keys", "-t", session, "Escape", "s")
	waitFor("the schema after Esc s sent back to back", has("[schema]", "NULLABLE"))
	tmux("send-keys", "-t", session, "q")
	deadline = time.Now().Add(20 * time.Second)
	for {
		if b, err := os.ReadFile(inspectExit); err == nil && strings.TrimSpace(string(b)) != "" {
			if got := strings.TrimSpace(string(b)); got != "EXIT=0" {
				t.Errorf("inspect exited with %s, want EXIT=0", got)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("inspect did not exit after q; the screen:\n%s", screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
