package tui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"

	"connector-dev/connectors"
	"connector-dev/harness"
)

// A job name and a log message with a newline, a screen clear and a window
// title reach the screen escaped: neither the final view nor any frame the
// program wrote holds their raw ESC, and the escaped text is shown.
func TestScreenHoldsNoRawEscape(t *testing.T) {
	const evil = "x\n\x1b[2J\x1b]0;PWNED\x07\u009b1m\u202e"
	info := testInfo
	info.Job = "job" + evil
	events := []harness.Event{
		{Time: t0, Kind: harness.EventRunStarted, Run: &info},
		{Time: t0, Kind: harness.EventStageStarted, Stage: "source"},
		{Time: t0, Kind: harness.EventLog, Stage: "source", Level: "info", Message: "api said" + evil},
		{Time: t0, Kind: harness.EventLog, Stage: "source", Level: "error", Message: "panic: boom" + evil, Trace: "goroutine 1 [running]:\n\tmain.go:1" + evil},
		{Time: t0, Kind: harness.EventBatchWritten, Stage: "source", Batch: &harness.BatchInfo{Index: 1, Key: "job" + evil + "/b-000001.parquet", Rows: 1, Format: "parquet"}},
		{Time: t0, Kind: harness.EventStageFinished, Stage: "source", Exit: &harness.ExitInfo{Reason: connectors.Error, Code: 1, Message: "failed" + evil},
			Stats: &harness.Stats{Rows: 1, Batches: 1}},
		{Time: t0, Kind: harness.EventFinished, Exit: &harness.ExitInfo{Reason: connectors.Error, Code: 1, Message: "failed" + evil},
			Summary: []harness.StageReport{{Name: "source", Connector: "evil" + evil, Rows: 1, Batches: 1}}},
	}
	m := runModel(t0)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(160, 40))
	f := newFeeder(logCap)
	for _, e := range events {
		f.Emit(e)
	}
	f.flush(tm.Send)
	var frames bytes.Buffer
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		frames.Write(b)
		return bytes.Contains(frames.Bytes(), []byte(`api saidx\n\x1b[2J`))
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*model)
	view := fm.View()
	if strings.ContainsAny(view, "\x1b\x07\u009b\u202e") {
		t.Errorf("the view holds a raw control character:\n%q", view)
	}
	for _, want := range []string{`jobx\n\x1b[2J\x1b]0;PWNED\x07\u009b1m\u202e`, `panic: boomx\n\x1b[2J`, `main.go:1x`, `failedx\n\x1b[2J`} {
		if !strings.Contains(view, want) {
			t.Errorf("the view lacks %q:\n%s", want, view)
		}
	}
	for _, raw := range []string{"\x1b]0;PWNED", "\x1b[2J\x1b]", "\u009b1m", "\u202e"} {
		if bytes.Contains(frames.Bytes(), []byte(raw)) {
			t.Errorf("a frame the program wrote holds %q raw", raw)
		}
	}
}
