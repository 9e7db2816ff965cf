package harness

import (
	"strings"
	"testing"
	"time"

	"connector-dev/connectors"
)

// The line left after the dashboard: thousands separators, and an
// interrupted run does not say "interrupted" twice.
func TestOutcomeLine(t *testing.T) {
	rep := &Report{RunID: "20261201-000000-abcdef", Exit: ExitInfo{Reason: connectors.Interrupted, Code: 130, Message: "interrupted"}, ExitCode: 130,
		Stages: []StageReport{{Name: "source", Rows: 3800000}}}
	want := "run 20261201-000000-abcdef: interrupted (exit 130), 3,800,000 rows; report .connector-dev/runs/20261201-000000-abcdef/report.json"
	if got := Outcome(rep, ".connector-dev"); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	rep = &Report{RunID: "r", Exit: ExitInfo{Reason: connectors.Success}, Stages: []StageReport{{Rows: 1}},
		Closing: "success (would be exit 0); expected no_fail: exit 4\n1 expectation of x.expect.yaml not met: exit code 4"}
	want = "run r: success (would be exit 0); expected no_fail: exit 4, 1 row; report s/runs/r/report.json"
	if got := Outcome(rep, "s"); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// The headless lines count with separators and plurals.
func TestPlainLinesCount(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		ev   Event
		want string
	}{
		{Event{Time: at, Kind: EventBatchWritten, Stage: "source", Batch: &BatchInfo{Key: "k", Rows: 1, Bytes: 10}}, "wrote k: 1 row, 10 B"},
		{Event{Time: at, Kind: EventStageFinished, Stage: "source", Message: "synthetic", Stats: &Stats{Rows: 1234567, Batches: 1},
			Exit: &ExitInfo{Reason: connectors.Success}}, "synthetic finished: success, 1,234,567 rows, 1 batch,"},
		{Event{Time: at, Kind: EventFinished, Summary: []StageReport{{Name: "source", Connector: "synthetic", Rows: 200000, Batches: 4, RowsPerS: 2141951.4}},
			Exit: &ExitInfo{Reason: connectors.Interrupted, Code: 130, Message: "interrupted"}}, "200,000 rows       4 batches"},
		{Event{Time: at, Kind: EventStageFinished, Stage: "source", Message: "synthetic", Stats: &Stats{Rows: 1350000, Batches: 27},
			Exit: &ExitInfo{Reason: connectors.Interrupted, Code: 130, Message: "interrupted"}}, "synthetic finished: interrupted, 1,350,000 rows, 27 batches,"},
	} {
		got := FormatPlain(c.ev)
		if c.ev.Exit != nil && strings.HasSuffix(got, "("+string(c.ev.Exit.Reason)+")") {
			t.Errorf("%s line repeats its reason: %q", c.ev.Kind, got)
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("%s line %q lacks %q", c.ev.Kind, got, c.want)
		}
		if c.ev.Kind == EventFinished {
			if !strings.Contains(got, "2,141,951 rows/s") || !strings.HasSuffix(got, "EXIT              interrupted (code 130)") {
				t.Errorf("finished lines:\n%s", got)
			}
		}
	}
}
