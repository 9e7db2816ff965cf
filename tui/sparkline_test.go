package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/harness"
)

// Where there is room (40 rows; 120 or 80 columns), the dashboard draws
// rows/s per stage under the log, and the batch list a bar per batch of
// its size and its time; at 24 rows and 80 columns they stay away (the
// goldens of TestGoldenRun keep those sizes as they were).
func TestGoldenSpark(t *testing.T) {
	tests := []struct {
		name   string
		w, h   int
		events []harness.Event
		now    time.Time
		steps  []step
	}{
		{name: "dashboard_spark_done_120x40", w: 120, h: 40, events: runEvents(0), now: t0.Add(time.Minute)},
		{name: "dashboard_spark_done_80x40", w: 80, h: 40, events: runEvents(0), now: t0.Add(time.Minute)},
		{name: "dashboard_spark_running_120x40", w: 120, h: 40, events: runEvents(12), now: t0.Add(2500 * time.Millisecond)},
		{name: "dashboard_spark_none_80x24", w: 80, h: 24, events: runEvents(0), now: t0.Add(time.Minute)},
		{name: "batches_bars_120x40", w: 120, h: 40, events: slowBatchEvents(), now: t0.Add(time.Minute), steps: []step{{keys: []string{"tab"}}}},
		{name: "batches_bars_none_80x24", w: 80, h: 24, events: slowBatchEvents(), now: t0.Add(time.Minute), steps: []step{{keys: []string{"tab"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runGolden(t, runModel(tt.now), tt.w, tt.h, tt.events, tt.steps...)
		})
	}
}

// A past run's batches in inspect have sizes but no times: only the size
// bars show.
func TestGoldenSparkInspect(t *testing.T) {
	reps := []harness.Report{{RunID: "20261128T211500-7f3a", Connector: "synthetic", Job: "Synthetic Accounts", Started: "2026-11-28T21:15:00Z",
		Run: &testInfo, Exit: harness.ExitInfo{Reason: connectors.Success},
		Batches: []harness.BatchInfo{{Index: 1, Key: batchKey(1), Rows: 40, Bytes: 4097, Format: "parquet"}, {Index: 2, Key: batchKey(2), Rows: 40, Bytes: 40980, Format: "parquet"}, {Index: 3, Key: batchKey(3), Rows: 40, Bytes: 4099, Format: "parquet"}}}}
	open := func(_ context.Context, id string) (harness.BatchReader, error) { return testReader(), nil }
	m := newInspectModel(context.Background(), asciiStyles(), reps, open, func() time.Time { return t0 })
	runGolden(t, m, 120, 40, nil, step{keys: []string{"enter"}, waitFor: "batch 1 of 3"})
}

// slowBatchEvents is a run whose source's second batch is ten times the
// size of the others and took ten times as long.
func slowBatchEvents() []harness.Event {
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	info := testInfo
	ev := []harness.Event{{Time: at(0), Kind: harness.EventRunStarted, Run: &info}, {Time: at(0), Kind: harness.EventStageStarted, Stage: "source"}}
	ends := []float64{0.3, 3.3, 3.6}
	for i := 1; i <= 3; i++ {
		size := int64(4096)
		if i == 2 {
			size = 40960
		}
		ev = append(ev, harness.Event{Time: at(ends[i-1]), Kind: harness.EventBatchWritten, Stage: "source",
			Batch: &harness.BatchInfo{Index: i, Key: batchKey(i), Rows: 40, Bytes: size, Format: "parquet"}})
	}
	return ev
}

// The bars: the slow, big batch's are full, the others' a tenth.
func TestBatchBars(t *testing.T) {
	m := runModel(t0)
	m.Update(eventsMsg{events: slowBatchEvents()})
	b := m.live.batches
	b.SetSize(120, 20)
	lines := strings.Split(b.list(), "\n")
	if !strings.HasSuffix(lines[2], "40.0 KiB parquet ██████████    3.0s ██████████") {
		t.Errorf("the slow batch's line: %q", lines[2])
	}
	if !strings.HasSuffix(lines[1], "4.0 KiB parquet █            300ms █         ") {
		t.Errorf("a quick batch's line: %q", lines[1])
	}
}

// rowsAt reads a stage's rows between its samples; past a thousand
// samples they are thinned, the last always kept.
func TestRateSamples(t *testing.T) {
	smp := []rateSample{{at: time.Second, rows: 100}, {at: 3 * time.Second, rows: 300}}
	for _, tc := range []struct {
		at   time.Duration
		want float64
	}{{0, 0}, {500 * time.Millisecond, 50}, {2 * time.Second, 200}, {time.Minute, 300}} {
		if got := rowsAt(smp, tc.at); got != tc.want {
			t.Errorf("rows at %v: %v, want %v", tc.at, got, tc.want)
		}
	}
	d := newDashboard(asciiStyles(), new(keyMap), harness.RunInfo{}, func() time.Time { return t0 })
	s := d.stage("source")
	for i := 1; i <= 3000; i++ {
		d.sample(s, harness.Event{Time: t0.Add(time.Duration(i) * time.Millisecond), Stats: &harness.Stats{Rows: int64(i)}})
	}
	if n := len(s.samples); n > maxSamples || s.samples[n-1].rows != 3000 {
		t.Errorf("%d samples kept, the last %d", n, s.samples[n-1].rows)
	}
}
