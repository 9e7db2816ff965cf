package tui

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEndToEndSummaryTmux runs synthetic headless (120,000 rows in three
// batches), opens the run in inspect under tmux, its first batch's rows,
// then I: the summary over all three batches, read from the kept batches
// by the real binary; esc goes back to the rows and q leaves with exit 0.
func TestEndToEndSummaryTmux(t *testing.T) {
	root, bin := e2eBinary(t)
	state := t.TempDir()
	run := exec.Command(bin, "run", "synthetic", "--state-dir", state)
	run.Dir = root
	run.Env = append(os.Environ(), "CI=true", "SYNTHETIC_ROWS=120000", "BATCH_ROWS=50000")
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("run synthetic: %v\n%s", err, out)
	}
	term := newTmux(t, state)
	exitFile := filepath.Join(state, "exit")
	term.start("cdev-sum-"+filepath.Base(state), script(root, bin, exitFile, "inspect", "--state-dir", state))
	term.waitFor("the runs list", "[runs]", "1 past run")
	term.keys("Enter")
	term.waitFor("the batches", "batch 1 of 3")
	term.keys("Enter")
	term.waitFor("the rows", "row 1 of 50,000")
	term.keys("I")
	s := term.waitFor("the summary", "summary of 3 batches · 120,000 rows", "columns 1-10 of 10")
	for _, want := range []string{
		`(?m)^id +int64 +120,000 +0 +120,000 +0 +119999 +59999\.5$`,
		`(?m)^region +string +120,000 +0 +8 +anz +west$`,
		`(?m)^quantity +int64 +120,000 +0 +1,000 +0 +999 +499\.5$`,
	} {
		if !regexp.MustCompile(want).MatchString(s) {
			t.Errorf("no line %s on the screen:\n%s", want, s)
		}
	}
	if strings.Contains(s, "~") {
		t.Errorf("120,000 values are counted exactly, not estimated:\n%s", s)
	}
	term.keys("Escape")
	term.waitFor("the rows again", "row 1 of 50,000")
	term.keys("q")
	term.exited(exitFile, "inspect")
}
