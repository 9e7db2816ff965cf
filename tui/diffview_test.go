package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"connector-dev/connectors"
	"connector-dev/harness"
)

// diffRuns are two runs of one job, the newest first as inspect lists them.
func diffRuns() []harness.Report {
	ok := harness.ExitInfo{Reason: connectors.Success}
	return []harness.Report{
		{RunID: "20261129T101500-b2b2", Connector: "synthetic", Job: "Synthetic Accounts", Started: "2026-11-29T10:15:00Z", Exit: ok,
			Stages: []harness.StageReport{{Name: "source", Rows: 12}, {Name: "destination", Rows: 12}}},
		{RunID: "20261128T211500-a1a1", Connector: "synthetic", Job: "Synthetic Accounts", Started: "2026-11-28T21:15:00Z", Exit: ok,
			Stages: []harness.StageReport{{Name: "source", Rows: 10}, {Name: "destination", Rows: 10}}},
	}
}

// testDiff is what harness.Diff would say of a against b: two rows added,
// one removed, one changed, a column added; enough lines to scroll at 80x24.
func testDiff(a, b string) *harness.DiffResult {
	run := func(id string, rows int64) harness.DiffRun {
		return harness.DiffRun{RunID: id, Job: "Synthetic Accounts", Started: "2026-11-28T21:15:00Z", Exit: "success",
			Stages: []harness.StageReport{{Name: "source", Connector: "synthetic", Rows: rows, Batches: 1, Bytes: 4096}}}
	}
	row := func(id int) harness.DiffRow {
		return harness.DiffRow{{Column: "id", Value: int64(id)}, {Column: "name", Value: fmt.Sprintf("acct-%d", id)}}
	}
	res := &harness.DiffResult{A: a, B: b, Runs: map[string]harness.DiffRun{"a": run(a, 10), "b": run(b, 12)}, Key: []string{"id"},
		Schema: harness.SchemaDiff{Added: []harness.SchemaField{{Name: "region", Type: "string", Nullable: true}}},
		Rows:   harness.RowCounts{A: 10, B: 12, Added: 12, Removed: 1, Changed: 1}}
	for i := 11; i <= 22; i++ {
		res.Sample.Added = append(res.Sample.Added, row(i))
	}
	res.Sample.Removed = []harness.DiffRow{row(3)}
	res.Sample.Changed = []harness.ChangedRow{{Key: harness.DiffRow{{Column: "id", Value: int64(7)}},
		Fields: []harness.FieldChange{{Column: "name", A: "acct-7", B: "Acct Seven"}}}}
	return res
}

// diffModel is inspect over diffRuns with fn as main's diff.
func diffModel(fn DiffFunc) *model {
	m := newInspectModel(context.Background(), asciiStyles(), diffRuns(), nil, func() time.Time { return t0 })
	m.page.(*inspectPage).diffFn = fn
	return m
}

func TestGoldenDiff(t *testing.T) {
	fn := func(_ context.Context, a, b string) (*harness.DiffResult, error) { return testDiff(a, b), nil }
	mark := []step{{keys: []string{"x", "down", "x"}, waitFor: "d diff"}, {keys: []string{"d"}, waitFor: "rows by key"}}
	tests := []struct {
		name  string
		steps []step
	}{
		{name: "diff_80x24", steps: mark},
		{name: "diff_scrolled_80x24", steps: append(mark, step{keys: []string{"end"}, waitFor: "differ"})},
		{name: "marked_80x24", steps: mark[:1]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runGolden(t, diffModel(fn), 80, 24, nil, tt.steps...)
		})
	}
}

// run does what the program would do with cmd: runs it and hands the
// message back to m.
func run(m *model, cmd tea.Cmd) {
	if cmd != nil {
		m.Update(cmd())
	}
}

// TestDiffMarkAndOpen marks the two runs and opens their diff: main's
// function gets the older as a, the screen shows the counts, esc goes
// back to the runs list with both still marked.
func TestDiffMarkAndOpen(t *testing.T) {
	var calls [][2]string
	m := diffModel(func(_ context.Context, a, b string) (*harness.DiffResult, error) {
		calls = append(calls, [2]string{a, b})
		return testDiff(a, b), nil
	})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(keyMsg("x"))
	m.Update(keyMsg("down"))
	m.Update(keyMsg("x"))
	if v := m.View(); !strings.Contains(v, ">*20261128T211500-a1a1") || !strings.Contains(v, " *20261129T101500-b2b2") {
		t.Fatalf("both runs should show marked, the cursor on the second:\n%s", v)
	}
	_, cmd := m.Update(keyMsg("d"))
	if v := m.View(); !strings.Contains(v, "comparing the two runs") {
		t.Errorf("while the diff is computed the view should say so:\n%s", v)
	}
	run(m, cmd)
	if len(calls) != 1 || calls[0] != [2]string{"20261128T211500-a1a1", "20261129T101500-b2b2"} {
		t.Fatalf("diff called with %v, want once with the older run first", calls)
	}
	v := m.View()
	for _, want := range []string{"diff 20261128T211500-a1a1 -> 20261129T101500-b2b2", "schema: 1 column added", "  + region string (nullable)",
		"rows by key id: 10 in a, 12 in b: 12 added, 1 removed, 1 changed"} {
		if !strings.Contains(v, want) {
			t.Errorf("diff view lacks %q:\n%s", want, v)
		}
	}
	m.Update(keyMsg("down"))
	if got := m.View(); !strings.Contains(got, "lines 2-") {
		t.Errorf("down should scroll the diff a line:\n%s", got)
	}
	m.Update(keyMsg("esc"))
	if v := m.View(); !strings.Contains(v, "RUN") || !strings.Contains(v, ">*20261128T211500-a1a1") {
		t.Errorf("esc should go back to the runs list, marks kept:\n%s", v)
	}
}

// TestDiffNeedsTwo: d with one run marked opens nothing and says why;
// x again unmarks.
func TestDiffNeedsTwo(t *testing.T) {
	called := false
	m := diffModel(func(_ context.Context, a, b string) (*harness.DiffResult, error) {
		called = true
		return testDiff(a, b), nil
	})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(keyMsg("x"))
	_, cmd := m.Update(keyMsg("d"))
	if cmd != nil || called {
		t.Fatal("d with one run marked should not compute a diff")
	}
	if v := m.View(); !strings.Contains(v, "mark two runs with x to diff them (1 marked)") {
		t.Errorf("the footer should say two runs are needed:\n%s", v)
	}
	m.Update(keyMsg("x")) // unmark
	if v := m.View(); strings.Contains(v, "*2026") || strings.Contains(v, "marked)") {
		t.Errorf("x again should unmark and clear the note:\n%s", v)
	}
}

// TestDiffError: a comparison that cannot be made (an incomplete run)
// is one line naming it, and an answer that comes after esc is dropped.
func TestDiffError(t *testing.T) {
	fail := true
	m := diffModel(func(_ context.Context, a, b string) (*harness.DiffResult, error) {
		if fail {
			return nil, &harness.DiffError{Msg: "run " + b + " is incomplete (it has no report end): diff finished runs"}
		}
		return testDiff(a, b), nil
	})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(keyMsg("x"))
	m.Update(keyMsg("down"))
	m.Update(keyMsg("x"))
	_, cmd := m.Update(keyMsg("d"))
	run(m, cmd)
	v := m.View()
	if !strings.Contains(v, "\nrun 20261129T101500-b2b2 is incomplete (it has no report end)") {
		t.Errorf("the error should show in one line:\n%s", v)
	}
	// A slow answer to a diff the user left is not shown on the next one.
	fail = false
	m.Update(keyMsg("esc"))
	_, stale := m.Update(keyMsg("d"))
	m.Update(keyMsg("esc"))
	fail = true
	_, cmd = m.Update(keyMsg("d"))
	run(m, stale)
	if v := m.View(); !strings.Contains(v, "comparing the two runs") {
		t.Errorf("a stale answer should be dropped, the current diff still loading:\n%s", v)
	}
	run(m, cmd)
	if v := m.View(); !strings.Contains(v, "is incomplete") {
		t.Errorf("the current answer should show:\n%s", v)
	}
}

// TestMarkThird: a third mark drops the first, and the pair is always the
// older run first whatever the order of marking.
func TestMarkThird(t *testing.T) {
	runs := append(diffRuns(), harness.Report{RunID: "20261127T080000-c3c3", Connector: "synthetic"})
	l := newRunList(context.Background(), asciiStyles(), &keyMap{}, runs, nil)
	l.SetSize(80, 10)
	for _, i := range []int{0, 2, 1} { // newest, oldest, middle
		l.cursor = i
		l.toggleMark()
	}
	if l.isMarked("20261129T101500-b2b2") {
		t.Errorf("the first mark should be dropped by the third: marked %v", l.marked)
	}
	if a, b, ok := l.pair(); !ok || a != "20261127T080000-c3c3" || b != "20261128T211500-a1a1" {
		t.Errorf("pair = %q, %q, %v; want the older (lower in the list) first", a, b, ok)
	}
}
