package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEndToEndBrowseTmux runs synthetic headless into three batches, then
// browses them with inspect in tmux: / finds a name that only the third
// batch holds, from the first, and F counts the region column over the
// batch and then the whole run, and filters the rows to one region.
func TestEndToEndBrowseTmux(t *testing.T) {
	root, bin := e2eBinary(t)
	state := t.TempDir()
	run := exec.Command(bin, "run", "synthetic", "--state-dir", state)
	run.Dir = root
	run.Env = append(os.Environ(), "CI=true", "SYNTHETIC_ROWS=3000", "BATCH_ROWS=1000")
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("run synthetic: %v\n%s", err, out)
	}
	term := newTmux(t, state)
	exitFile := filepath.Join(state, "exit")
	term.start("cdev-browse-"+filepath.Base(state), script(root, bin, exitFile, "inspect", "--state-dir", state))
	term.waitFor("the runs list", "[runs]", "synthetic")
	term.keys("Enter")
	term.waitFor("the run's batches", "[batches]", "batch 1 of 3")
	term.keys("Enter")
	term.waitFor("the first batch's rows", "row 1 of 1,000", "column 1 of 10")
	// Each key waits for the screen it leads to (DESIGN: keys sent back to
	// back can merge into one).
	term.keys("l")
	term.waitFor("the cursor on account_name", "column 2 of 10")
	term.keys("/")
	term.waitFor("the find prompt", "find in account_name:")
	term.keys("ACCOUNT-2500")
	term.waitFor("the query typed", "ACCOUNT-2500")
	term.keys("Enter")
	term.waitFor("the match in batch 3", `found "ACCOUNT-2500" in batch 3`, "row 501 of 1,000", "source batch 3", "account-2500", "n next match")
	term.keys("/")
	// The prompt opens empty: what is typed is a new query, not appended.
	term.waitFor("the find prompt again, empty", "find in account_name:", "text to find")
	term.keys("no-such-account")
	term.waitFor("the second query typed", "no-such-account")
	term.keys("Enter")
	term.waitFor("not found", `"no-such-account" not found in account_name (3 batches searched)`)
	for c := 3; c <= 6; c++ { // amount, is_active, created_at, region
		term.keys("l")
		term.waitFor("the cursor moving right", fmt.Sprintf("column %d of 10", c))
	}
	term.keys("F")
	term.waitFor("the batch's frequency table", "frequency of region:string · batch 3 · 1,000 rows")
	term.keys("a")
	term.waitFor("the run's frequency table", "frequency of region:string · whole run (3 batches) · 3,000 rows", "VALUE", "%")
	term.keys("Enter")
	term.waitFor("the rows filtered to the first region", "region = ", ": 125 rows", "column 6 of 10")
	term.keys("Escape")
	term.waitGone("the filter cleared", ": 125 rows")
	term.waitFor("every row again", "row 1 of 1,000", "source batch 3")
	term.keys("q")
	term.exited(exitFile, "inspect")
}

// waitGone waits up to 60 s for a screen without sub.
func (x *tmuxTerm) waitGone(what, sub string) {
	x.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		s := x.screen()
		if !strings.Contains(s, sub) {
			return
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("waited 60s for %s; the screen:\n%s", what, s)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
