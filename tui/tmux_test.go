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

// e2eBinary skips under -short or without tmux, and returns the repo root
// (.env.example, connectors.yaml, fixtures/) and the connector-dev binary,
// built unless CONNECTOR_DEV_BIN names one.
func e2eBinary(t *testing.T) (root, bin string) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: skipping the tmux end-to-end test")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (apt-get install -y tmux)")
	}
	_, here, _, _ := runtime.Caller(0)
	root = filepath.Dir(filepath.Dir(here))
	bin = os.Getenv("CONNECTOR_DEV_BIN")
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
	return root, bin
}

// tmuxTerm is a tmux server of the test's own (its socket in dir) with one
// current session, 100x30. Every wait is on the screen, never a sleep alone:
// bubbletea reads Esc and a key sent right after it as one alt+key.
type tmuxTerm struct {
	t       *testing.T
	socket  string
	session string
}

func newTmux(t *testing.T, dir string) *tmuxTerm {
	x := &tmuxTerm{t: t, socket: filepath.Join(dir, "tmux.sock")}
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", x.socket, "kill-server").Run() })
	return x
}

func (x *tmuxTerm) cmd(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", x.socket}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// start runs script in a new session named name, which becomes the current
// one; the session before it goes only after, since a server left with no
// session exits and a new-session racing that exit fails. CI=true (as
// .ci/run sets it) would make the binary run headless, so it is unset.
func (x *tmuxTerm) start(name, script string) {
	x.t.Helper()
	old := x.session
	x.session = name
	x.cmd("new-session", "-d", "-s", name, "-x", "100", "-y", "30", "sh", "-c", "unset CI; "+script)
	if old != "" {
		x.cmd("kill-session", "-t", old)
	}
}

func (x *tmuxTerm) keys(keys ...string) {
	x.t.Helper()
	x.cmd(append([]string{"send-keys", "-t", x.session}, keys...)...)
}

func (x *tmuxTerm) screen() string { return x.cmd("capture-pane", "-p", "-t", x.session) }

// waitFor waits up to 60 s for a screen holding every one of subs.
func (x *tmuxTerm) waitFor(what string, subs ...string) string {
	x.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		s := x.screen()
		ok := true
		for _, sub := range subs {
			ok = ok && strings.Contains(s, sub)
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("waited 60s for %s; the screen:\n%s", what, s)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// exited waits for the `echo EXIT=$? > file` of a session's script and
// reports any exit but 0.
func (x *tmuxTerm) exited(file, what string) {
	x.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, err := os.ReadFile(file); err == nil && strings.TrimSpace(string(b)) != "" {
			if got := strings.TrimSpace(string(b)); got != "EXIT=0" {
				x.t.Errorf("%s exited with %s, want EXIT=0", what, got)
			}
			return
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("%s did not exit after q; the screen:\n%s", what, x.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// script runs bin with args in root and leaves its exit code in file.
func script(root, bin, file string, args ...string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	return "cd " + shellQuote(root) + " && " + shellQuote(bin) + " " + strings.Join(q, " ") +
		"; echo EXIT=$? > " + shellQuote(file) + "; sleep 30"
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
