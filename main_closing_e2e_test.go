package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDashboardLeavesClosingLine drives the real binary's dashboard in tmux
// and quits it: the one line a run leaves on the terminal (run id, exit,
// rows, report path) must be on the screen afterwards, not written to the
// capture's closed descriptors. It waits on the screen, never on a clock.
func TestDashboardLeavesClosingLine(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping a tmux end-to-end test")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (apt-get install -y tmux)")
	}
	bin := buildBinary(t)
	root, _ := os.Getwd()
	state := t.TempDir()
	exitFile := filepath.Join(state, "exit")
	socket := filepath.Join(state, "tmux.sock")
	session := "cdev-closing"
	tmux := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-S", socket}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	script := "unset CI; cd " + q(root) + " && " + q(bin) + " run synthetic --state-dir " + q(state) +
		"; echo EXIT=$? > " + q(exitFile) + "; sleep 120"
	tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "30", "sh", "-c", script)
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
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitFor("the exit banner", func(s string) bool { return strings.Contains(s, "success · exit 0") })
	tmux("send-keys", "-t", session, "q")
	waitFor("the exit code", func(string) bool {
		b, _ := os.ReadFile(exitFile)
		return strings.TrimSpace(string(b)) != ""
	})
	if b, _ := os.ReadFile(exitFile); strings.TrimSpace(string(b)) != "EXIT=0" {
		t.Errorf("connector-dev exited with %s, want EXIT=0", b)
	}
	s := waitFor("the closing line", func(s string) bool { return strings.Contains(s, "report.json") })
	joined := strings.Join(strings.Fields(s), " ")
	if !strings.Contains(joined, "run ") || !strings.Contains(joined, "success") || !strings.Contains(joined, "report ") {
		t.Errorf("no `run ID: success ..., report ...` line after q; the screen:\n%s", s)
	}
}

// TestCIKeepsItsLastLines runs the real binary headless with stdout on a
// file: the SUM lines and the EXIT line, written around the capture's
// restore, all reach it.
func TestCIKeepsItsLastLines(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildBinary(t)
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	cmd := exec.Command(bin, "run", "synthetic", "--ci", "--state-dir", state)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Run(); err != nil {
		t.Fatalf("run --ci: %v", err)
	}
	f.Close()
	b, _ := os.ReadFile(f.Name())
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if n := len(lines); n < 3 || !strings.Contains(lines[n-1], "EXIT") || !strings.Contains(lines[n-1], "success (code 0)") ||
		!strings.Contains(lines[n-2], "SUM") || !strings.Contains(lines[n-3], "SUM") {
		t.Errorf("the output does not end with two SUM lines and EXIT:\n%s", b)
	}
	// Counts read as on the dashboard: separators, and 1 batch.
	for _, want := range []string{"Generating 10,000 synthetic rows", `sqlite: loaded 10,000 rows into table "accounts"`, "destination 1 batch under s3://"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the output lacks %q:\n%s", want, b)
		}
	}
	listing, err := exec.Command(bin, "inspect", "--ci", "--state-dir", state).CombinedOutput()
	if err != nil || !strings.Contains(string(listing), " 10,000 ") {
		t.Errorf("inspect --ci (%v) does not show ROWS as 10,000:\n%s", err, listing)
	}
}
