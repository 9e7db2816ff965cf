package tui

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestEndToEndDiffTmux runs synthetic twice (headless), then opens inspect
// in tmux, marks both runs and opens their diff: main's diff function
// (harness.DiffRuns and harness.Diff over the kept batches) answers the
// view, and esc and q leave with exit 0.
func TestEndToEndDiffTmux(t *testing.T) {
	root, bin := e2eBinary(t)
	state := t.TempDir()
	for i := 0; i < 2; i++ {
		run := exec.Command(bin, "run", "synthetic", "--state-dir", state)
		run.Dir = root
		run.Env = append(os.Environ(), "CI=true")
		if out, err := run.CombinedOutput(); err != nil {
			t.Fatalf("run synthetic: %v\n%s", err, out)
		}
	}
	term := newTmux(t, state)
	exitFile := filepath.Join(state, "exit")
	term.start("cdev-diff-"+filepath.Base(state), script(root, bin, exitFile, "inspect", "--state-dir", state))
	term.waitFor("the runs list", "[runs]", "2 past runs")
	// Each key waits for the screen (DESIGN: keys sent back to back can
	// merge into one).
	term.keys("x")
	term.waitFor("the first mark", ">*")
	term.keys("j")
	term.waitFor("the cursor on the second run", " *")
	term.keys("x")
	term.waitFor("two marks", "d diff marked")
	term.keys("d")
	// Two runs of the same fixture: the same data, by the key id.
	s := term.waitFor("the diff", "schema: the same", ": the same data and schema")
	if !strings.Contains(s, "0 added, 0 removed, 0 changed") {
		t.Errorf("two runs of one fixture should not differ:\n%s", s)
	}
	term.keys("Escape")
	term.waitFor("the runs list again", "RUN", "STARTED")
	term.keys("q")
	term.exited(exitFile, "inspect")
}
