package tui

import (
	"context"
	"errors"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/harness"
)

// The I view over a past run's three batches (120 rows, a nullable note
// column with nulls), opened from the rows table and from the batch
// list, at two sizes; esc goes back to where it was opened.
func TestGoldenSummary(t *testing.T) {
	reps := []harness.Report{
		{RunID: "20261128T211500-7f3a", Connector: "synthetic", Job: "Synthetic Accounts", Started: "2026-11-28T21:15:00Z",
			Run: &testInfo, Exit: harness.ExitInfo{Reason: connectors.Success}, Stages: []harness.StageReport{{Name: "source", Rows: 120}, {Name: "destination", Rows: 120}},
			Batches: []harness.BatchInfo{{Index: 1, Key: batchKey(1), Rows: 40, Bytes: 4097, Format: "parquet"}, {Index: 2, Key: batchKey(2), Rows: 40, Bytes: 4098, Format: "parquet"}, {Index: 3, Key: batchKey(3), Rows: 40, Bytes: 4099, Format: "parquet"}}},
	}
	open := func(_ context.Context, id string) (harness.BatchReader, error) {
		return placedReader{testReader(), "embedded S3 on disk at .connector-dev/s3"}, nil
	}
	fromRows := []step{{keys: []string{"enter"}, waitFor: "batch 1 of 3"}, {keys: []string{"enter"}, waitFor: "row 1 of 40"}, {keys: []string{"I"}, waitFor: "columns 1-8 of 8"}}
	tests := []struct {
		name  string
		w, h  int
		steps []step
	}{
		{name: "summary_80x24", w: 80, h: 24, steps: fromRows},
		{name: "summary_120x40", w: 120, h: 40, steps: fromRows},
		{name: "summary_back_80x24", w: 80, h: 24, steps: append(fromRows[:3:3], step{keys: []string{"esc"}, waitFor: "row 1 of 40"})},
		{name: "summary_from_list_80x24", w: 80, h: 24, steps: []step{{keys: []string{"enter"}, waitFor: "batch 1 of 3"}, {keys: []string{"I"}, waitFor: "columns 1-8 of 8"}}},
		{name: "summary_help_80x24", w: 80, h: 24, steps: append(fromRows[:3:3], step{keys: []string{"?"}, waitFor: "page down"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newInspectModel(context.Background(), asciiStyles(), reps, open, func() time.Time { return t0 })
			runGolden(t, m, tt.w, tt.h, nil, tt.steps...)
		})
	}
}

// The view at a few rows: it scrolls, and says which columns it shows.
func TestSummaryViewScrolls(t *testing.T) {
	st := asciiStyles()
	keys := newKeyMap()
	v := newSummaryView(st, &keys)
	cmd := v.start(context.Background(), testReader(), []batchItem{{stage: "source", info: harness.BatchInfo{Key: batchKey(1), Rows: 40}}, {stage: "destination", info: harness.BatchInfo{Key: batchKey(1), Rows: 40}}})
	v.Update(cmd())
	v.SetSize(80, 6)
	if got := v.status(); got != "columns 1-3 of 8" {
		t.Errorf("status %q", got)
	}
	v.Update(keyMsg("end"))
	if got := v.status(); got != "columns 6-8 of 8" {
		t.Errorf("after end: %q", got)
	}
	if v.batches != 1 || v.rows != 40 {
		t.Errorf("a batch listed twice (written, read) is summarized once: %d batches, %d rows", v.batches, v.rows)
	}
}

// Leaving the view stops the summary being computed, and an answer that
// still arrives is dropped: pressing I, esc, I does not stack whole-run reads.
func TestSummaryViewCloseCancels(t *testing.T) {
	st := asciiStyles()
	keys := newKeyMap()
	v := newSummaryView(st, &keys)
	items := []batchItem{{stage: "source", info: harness.BatchInfo{Key: batchKey(1), Rows: 40}}}
	cmd := v.start(context.Background(), testReader(), items)
	v.close()
	msg := cmd().(summaryLoadedMsg)
	if msg.err == nil || !errors.Is(msg.err, context.Canceled) {
		t.Errorf("a closed summary went on reading: err %v, %d columns", msg.err, len(msg.cols))
	}
	v.Update(msg)
	if v.cols != nil || v.err != nil {
		t.Errorf("a stale answer was applied: %d columns, err %v", len(v.cols), v.err)
	}
}
