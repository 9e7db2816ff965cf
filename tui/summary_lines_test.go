package tui

import (
	"strings"
	"testing"

	"connector-dev/harness"
)

// The exit banner's stage lines line up column by column, whatever the
// width of each stage's counts and duration (a 108ms beside a 1.4s).
func TestSummaryLinesAlign(t *testing.T) {
	stages := []harness.StageReport{
		{Name: "source", Connector: "salesforce", Rows: 5000, Batches: 3, Bytes: 352358, Seconds: 0.108, RowsPerS: 46269},
		{Name: "destination", Connector: "sqlite", Rows: 500, Batches: 12, Bytes: 1 << 30, Seconds: 1.4, RowsPerS: 357},
	}
	for _, width := range []int{120, 76, 50} {
		lines := summaryLines(stages, width)
		if len(lines) != 2 {
			t.Fatalf("width %d: %d lines, want 2", width, len(lines))
		}
		a, b := strings.Index(lines[0], "rows/s"), strings.Index(lines[1], "rows/s")
		if a < 0 || b < 0 {
			t.Fatalf("width %d: no rows/s in %q", width, lines)
		}
		// rows/s values are left-aligned after the duration column: the
		// rate's first digit starts at the same cell on both lines.
		start := func(s string, end int) int { return strings.LastIndex(s[:end-1], "  ") + 2 }
		if start(lines[0], a) != start(lines[1], b) {
			t.Errorf("width %d: rates start at %d and %d:\n%s\n%s", width, start(lines[0], a), start(lines[1], b), lines[0], lines[1])
		}
	}
}
