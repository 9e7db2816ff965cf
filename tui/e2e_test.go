package tui

import (
	"path/filepath"
	"strings"
	"testing"
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
	root, bin := e2eBinary(t)
	state := t.TempDir()
	term := newTmux(t, state)
	exitFile := filepath.Join(state, "exit")
	term.start("cdev-e2e-"+filepath.Base(state), script(root, bin, exitFile, "run", "synthetic", "--state-dir", state))

	term.waitFor("the exit banner", "success · exit 0")
	term.keys("Tab")
	term.waitFor("the batches list", "[batches]", "batch 1 of")
	term.keys("Enter")
	s := term.waitFor("the first batch's rows", "row 1 of")
	if !strings.Contains(s, "account-0 ") {
		t.Errorf("the first row is not account-0:\n%s", s)
	}
	// The table shows the first columns; v shows the cursor's row whole.
	term.keys("v")
	s = term.waitFor("the whole row", "account-0", "region")
	for _, want := range []string{"north", "user0@example.com", "2026-01-01T00:00:00Z"} {
		if !strings.Contains(s, want) {
			t.Errorf("row 1 lacks %q; the screen:\n%s", want, s)
		}
	}
	term.keys("Escape")
	// Only the table's footer says which columns show.
	term.waitFor("the rows table again", "row 1 of", "column 1 of")
	term.keys("q")
	term.exited(exitFile, "connector-dev")

	// The same run, browsed afterwards with inspect: runs, its batches, rows.
	inspectExit := filepath.Join(state, "inspect-exit")
	term.start("cdev-e2e-inspect-"+filepath.Base(state), script(root, bin, inspectExit, "inspect", "--state-dir", state))
	term.waitFor("the runs list", "[runs]", "synthetic", "success")
	term.keys("Enter")
	term.waitFor("the run's batches", "[batches]", "batch-000001.parquet")
	term.keys("Enter")
	term.waitFor("the batch's rows", "row 1 of", "account-0 ")
	term.keys("v")
	term.waitFor("the whole row", "account-0", "region:string", "user0@example.com")
	// Esc and s in one write, as a fast typist or a slow link sends them:
	// bubbletea reads alt+s, which the program takes as Esc (back to the
	// table), then s (the schema).
	term.keys("Escape", "s")
	term.waitFor("the schema after Esc s sent back to back", "[schema]", "NULLABLE")
	term.keys("q")
	term.exited(inspectExit, "inspect")
}
