package tui

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"connector-dev/connectors"
	"connector-dev/harness"
)

func keyMsg(s string) tea.KeyMsg {
	if rest, ok := strings.CutPrefix(s, "alt+"); ok {
		k := keyMsg(rest)
		k.Alt = true
		return k
	}
	switch s {
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	case "end":
		return tea.KeyMsg{Type: tea.KeyEnd}
	case "home":
		return tea.KeyMsg{Type: tea.KeyHome}
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// step is one thing a golden test does to the program.
type step struct {
	keys    []string // sent in order
	waitFor string   // then wait until the screen shows this
}

// runGolden drives the real program through teatest: the events go through
// the feeder (the Sink the run gets) and one frame's flush, then keys, and
// the final screen is compared with testdata/<test name>.golden.
func runGolden(t *testing.T, m *model, w, h int, events []harness.Event, steps ...step) {
	t.Helper()
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
	f := newFeeder(logCap)
	for _, e := range events {
		f.Emit(e)
	}
	f.flush(tm.Send)
	for _, s := range steps {
		for _, k := range s.keys {
			tm.Send(keyMsg(k))
		}
		if s.waitFor != "" {
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s.waitFor)) },
				teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
		}
	}
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*model)
	out := fm.View()
	for i, l := range bytes.Split([]byte(out), []byte("\n")) {
		if got := ansi.StringWidth(string(l)); got > w {
			t.Errorf("line %d is %d cells wide, wider than the %d-column screen: %q", i+1, got, w, l)
		}
	}
	if n := bytes.Count([]byte(out), []byte("\n")) + 1; n != h {
		t.Errorf("screen has %d lines, want %d", n, h)
	}
	teatest.RequireEqualOutput(t, []byte(out))
}

func runModel(now time.Time) *model {
	ctx := context.Background()
	return newRunModel(ctx, asciiStyles(), harness.RunInfo{}, testReader(), func() {}, func() time.Time { return now })
}

func TestGoldenRun(t *testing.T) {
	all := runEvents(0)
	mid := runEvents(12) // the source has written two batches
	failed := failEvents(sfMessage, "POST https://login.salesforce.com/services/oauth2/token: 400 Bad Request {\"error\":\"invalid_grant\",\"error_description\":\"expired access/refresh token\"}")
	tests := []struct {
		name   string
		w, h   int
		events []harness.Event
		now    time.Time
		steps  []step
	}{
		{name: "dashboard_running_80x24", w: 80, h: 24, events: mid, now: t0.Add(2500 * time.Millisecond)},
		{name: "dashboard_done_80x24", w: 80, h: 24, events: all, now: t0.Add(time.Minute)},
		{name: "dashboard_done_120x32", w: 120, h: 32, events: all, now: t0.Add(time.Minute)},
		{name: "dashboard_search_80x24", w: 80, h: 24, events: all, now: t0.Add(time.Minute),
			steps: []step{{keys: []string{"/", "b", "a", "t", "c", "h", "enter", "N"}}}},
		{name: "dashboard_filter_warn_80x24", w: 80, h: 24, events: all, now: t0.Add(time.Minute),
			steps: []step{{keys: []string{"f", "f"}}}},
		{name: "dashboard_failed_80x24", w: 80, h: 24, events: failed, now: t0.Add(time.Minute)},
		{name: "dashboard_failed_wrap_80x24", w: 80, h: 24, events: failed, now: t0.Add(time.Minute), steps: []step{{keys: []string{"w"}}}},
		{name: "help_80x24", w: 80, h: 24, events: all, now: t0.Add(time.Minute), steps: []step{{keys: []string{"?"}}}},
		// The key list of a batch's rows (the screen with the most keys)
		// does not fit 12 lines: it says so, and scrolls.
		{name: "help_scrolled_80x12", w: 80, h: 12, events: all, now: t0.Add(time.Minute),
			steps: []step{{keys: []string{"tab", "enter"}, waitFor: "row 1 of 40"}, {keys: []string{"?", "down", "down", "down"}}}},
		{name: "help_end_60x14", w: 60, h: 14, events: all, now: t0.Add(time.Minute), steps: []step{{keys: []string{"?", "pgdown", "end"}}}},
		// Narrow: decoration goes, rows/s and ETA stay.
		{name: "dashboard_running_60x20", w: 60, h: 20, events: mid, now: t0.Add(2500 * time.Millisecond)},
		{name: "dashboard_running_big_60x20", w: 60, h: 20, events: bigRunEvents(), now: t0.Add(2 * time.Second)},
		{name: "dashboard_running_big_80x24", w: 80, h: 24, events: bigRunEvents(), now: t0.Add(2 * time.Second)},
		{name: "dashboard_done_60x20", w: 60, h: 20, events: all, now: t0.Add(time.Minute)},
		{name: "batches_list_80x24", w: 80, h: 24, events: all, now: t0.Add(time.Minute), steps: []step{{keys: []string{"tab", "down"}}}},
		{name: "batch_rows_80x24", w: 80, h: 24, events: all, now: t0.Add(time.Minute),
			steps: []step{{keys: []string{"tab", "enter"}, waitFor: "row 1 of 40"}, {keys: []string{"down", "down"}}}},
		{name: "batch_rows_scrolled_120x32", w: 120, h: 32, events: all, now: t0.Add(time.Minute),
			steps: []step{{keys: []string{"tab", "down", "enter"}, waitFor: "row 1 of 40"}, {keys: []string{"right", "right", "g", "3", "5", "enter"}}}},
		{name: "batch_whole_row_80x24", w: 80, h: 24, events: all, now: t0.Add(time.Minute),
			steps: []step{{keys: []string{"tab", "enter"}, waitFor: "row 1 of 40"}, {keys: []string{"v"}}}},
		{name: "batch_schema_80x24", w: 80, h: 24, events: all, now: t0.Add(time.Minute),
			steps: []step{{keys: []string{"tab", "enter"}, waitFor: "row 1 of 40"}, {keys: []string{"s"}}}},
		{name: "batch_meta_80x24", w: 80, h: 24, events: all, now: t0.Add(time.Minute),
			steps: []step{{keys: []string{"tab", "enter"}, waitFor: "row 1 of 40"}, {keys: []string{"m"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runGolden(t, runModel(tt.now), tt.w, tt.h, tt.events, tt.steps...)
		})
	}
}

func TestGoldenInspect(t *testing.T) {
	reps := []harness.Report{
		{RunID: "20261128T211500-7f3a", Connector: "synthetic", Job: "Synthetic Accounts", Started: "2026-11-28T21:15:00Z",
			Run: &testInfo, Exit: harness.ExitInfo{Reason: connectors.Success}, Stages: []harness.StageReport{{Name: "source", Rows: 120}, {Name: "destination", Rows: 120}},
			Batches: []harness.BatchInfo{{Index: 1, Key: batchKey(1), Rows: 40, Bytes: 4097, Format: "parquet"}, {Index: 2, Key: batchKey(2), Rows: 40, Bytes: 4098, Format: "parquet"}, {Index: 3, Key: batchKey(3), Rows: 40, Bytes: 4099, Format: "parquet"}}},
		{RunID: "20261128T201000-91c2", Connector: "salesforce", Job: "SF Accounts", Started: "2026-11-28T20:10:00Z",
			Exit: harness.ExitInfo{Reason: connectors.Error, Code: 1, Message: "login failed"}, ExitCode: 1},
	}
	open := func(_ context.Context, id string) (harness.BatchReader, error) {
		return placedReader{testReader(), "embedded S3 on disk at .connector-dev/s3"}, nil
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{name: "runs_80x24"},
		{name: "run_batches_80x24", steps: []step{{keys: []string{"enter"}, waitFor: "batch 1 of 3"}}},
		{name: "run_batch_rows_80x24", steps: []step{{keys: []string{"enter"}, waitFor: "batch 1 of 3"}, {keys: []string{"enter"}, waitFor: "row 1 of 40"}}},
		// Help lists inspect's keys: nothing about cancelling a run.
		{name: "runs_help_80x24", steps: []step{{keys: []string{"?"}}}},
		{name: "run_batches_help_80x24", steps: []step{{keys: []string{"enter"}, waitFor: "batch 1 of 3"}, {keys: []string{"?"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newInspectModel(context.Background(), asciiStyles(), reps, open, func() time.Time { return t0 })
			runGolden(t, m, 80, 24, nil, tt.steps...)
		})
	}
}

// TestGoldenLight is the finished dashboard in colour on a light background
// (the theme's light half), and on a dark one for comparison; the other
// goldens are colourless.
func TestGoldenLight(t *testing.T) {
	for _, tt := range []struct {
		name string
		dark bool
	}{{"dashboard_done_light_80x24", false}, {"dashboard_done_dark_80x24", true}} {
		t.Run(tt.name, func(t *testing.T) {
			m := newRunModel(context.Background(), colourStyles(tt.dark), harness.RunInfo{}, testReader(), func() {}, func() time.Time { return t0.Add(time.Minute) })
			runGolden(t, m, 80, 24, runEvents(0))
		})
	}
}
