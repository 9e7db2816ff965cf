package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/harness"
)

// TestGoldenBrowse: the rows table's column cursor, find, sort and
// frequency table, on the run dashboard and in inspect, at 80x24 and 120x40.
func TestGoldenBrowse(t *testing.T) {
	open := []string{"tab", "enter"} // the dashboard's batches, the first batch
	rows := step{keys: open, waitFor: "row 1 of 40"}
	views := []struct {
		name  string
		steps []step
	}{
		// The cursor on the last column: the view scrolled, id still at the left.
		{name: "cursor_scrolled", steps: []step{rows, {keys: []string{"l", "l", "l", "l", "l", "l", "l"}, waitFor: "column 8 of 8"}}},
		// A value that batch 3 alone holds, found from batch 1.
		{name: "find_other_batch", steps: []step{rows, {keys: []string{"l", "/", "a", "c", "c", "o", "u", "n", "t", "-", "1", "1", "0", "enter"}, waitFor: "found"}}},
		{name: "find_prompt_all", steps: []step{rows, {keys: []string{"/", "tab", "w", "e", "s", "t"}, waitFor: "all columns"}}},
		{name: "find_not_found", steps: []step{rows, {keys: []string{"/", "z", "z", "z", "enter"}, waitFor: "not found"}}},
		{name: "sorted_desc", steps: []step{rows, {keys: []string{"l", "l", "l", "l", "]"}, waitFor: "sorted score↓"}}},
		{name: "freq_batch", steps: []step{rows, {keys: []string{"l", "l", "F"}, waitFor: "frequency of region"}}},
		{name: "freq_run", steps: []step{rows, {keys: []string{"l", "l", "F", "a"}, waitFor: "whole run (3 batches)"}}},
		{name: "freq_nulls", steps: []step{rows, {keys: []string{"l", "l", "l", "l", "l", "l", "l", "F"}, waitFor: "frequency of note"}}},
		{name: "filtered", steps: []step{rows, {keys: []string{"l", "l", "F", "down", "enter"}, waitFor: "region = north"}}},
		{name: "help", steps: []step{rows, {keys: []string{"?"}, waitFor: "frequency"}}},
		{name: "freq_help", steps: []step{rows, {keys: []string{"F", "?"}, waitFor: "filter rows"}}},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, v := range views {
			t.Run(fmt.Sprintf("%s_%dx%d", v.name, size[0], size[1]), func(t *testing.T) {
				runGolden(t, runModel(t0.Add(time.Minute)), size[0], size[1], runEvents(0), v.steps...)
			})
		}
	}
}

// TestGoldenInspectBrowse: the same table in inspect, over a past run.
func TestGoldenInspectBrowse(t *testing.T) {
	reps := []harness.Report{{RunID: testInfo.RunID, Connector: "synthetic", Job: "Synthetic Accounts", Started: "2026-11-28T21:15:00Z",
		Run: &testInfo, Exit: harness.ExitInfo{Reason: connectors.Success},
		Batches: []harness.BatchInfo{{Index: 1, Key: batchKey(1), Rows: 40, Bytes: 4097, Format: "parquet"}, {Index: 2, Key: batchKey(2), Rows: 40, Bytes: 4098, Format: "parquet"}, {Index: 3, Key: batchKey(3), Rows: 40, Bytes: 4099, Format: "parquet"}}}}
	open := func(context.Context, string) (harness.BatchReader, error) {
		return placedReader{testReader(), "embedded S3 on disk at .connector-dev/s3"}, nil
	}
	rows := []step{{keys: []string{"enter"}, waitFor: "batch 1 of 3"}, {keys: []string{"enter"}, waitFor: "row 1 of 40"}}
	views := []struct {
		name  string
		steps []step
	}{
		{name: "find_prev_wraps", steps: append(rows, step{keys: []string{"/", "*", "w", "e", "s", "t", "enter", "N"}, waitFor: "batch 3"})},
		{name: "freq_run", steps: append(rows, step{keys: []string{"l", "l", "l", "l", "l", "F", "a"}, waitFor: "whole run (3 batches)"})},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, v := range views {
			t.Run(fmt.Sprintf("%s_%dx%d", v.name, size[0], size[1]), func(t *testing.T) {
				m := newInspectModel(context.Background(), asciiStyles(), reps, open, func() time.Time { return t0 })
				runGolden(t, m, size[0], size[1], nil, v.steps...)
			})
		}
	}
}

// TestTableCells: numbers right-aligned, a null (∅) apart from an empty
// string (""), the key column first although it is stored second.
func TestTableCells(t *testing.T) {
	keys := newKeyMap()
	tb := newRowTable(asciiStyles(), &keys, people())
	tb.SetSize(60, 10)
	lines := strings.Split(tb.View(), "\n")
	want := []string{
		" #▸id:int64│name:string? city:string score:float64?",
		">1        1│Ann          Oslo                   2.5",
		" 2        2│∅            \"\"                       ∅",
		" 3        3│bob          Rome                     1",
		" 4        4│ann          Oslo                     ∅",
		" 5        5│\"\"           oslo                   2.5",
	}
	for i, w := range want {
		if i >= len(lines) || strings.TrimRight(lines[i], " ") != w {
			t.Errorf("line %d:\n got %q\nwant %q", i+1, lines[i], w)
		}
	}
}
