package tui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"connector-dev/harness"
)

// A run killed in its destination stage (report.json still "running",
// manifest.json there) shows in the runs list as incomplete, with the
// rows and batches its manifest lists.
func TestRunsListShowsIncompleteRun(t *testing.T) {
	state := t.TempDir()
	const id = "20261128-211500-7f3a00"
	dir := filepath.Join(state, "runs", id)
	os.MkdirAll(dir, 0o755)
	write := func(name string, v any) {
		b, _ := json.Marshal(v)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	prefix := "synthetic-accounts/" + id + "/"
	write("report.json", harness.Report{RunID: id, Connector: "synthetic", Job: "synthetic-accounts", Started: "2026-11-28T21:15:00.000000Z", Status: harness.StatusRunning})
	write("manifest.json", harness.Manifest{Version: 1, RunID: id, Prefix: prefix, Connector: "synthetic", Rows: 123456, Bytes: 30,
		Batches: []harness.BatchInfo{{Index: 1, Key: prefix + "batch-000001.parquet", Rows: 100000, Bytes: 20}, {Index: 2, Key: prefix + "batch-000002.parquet", Rows: 23456, Bytes: 10}},
		Exit:    harness.ExitInfo{Reason: "success"}})
	runs, err := harness.ListRuns(state)
	if err != nil || len(runs) != 1 {
		t.Fatalf("ListRuns: %v %v", runs, err)
	}
	m := newInspectModel(t.Context(), asciiStyles(), runs, nil, nil)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	var line string
	for _, l := range strings.Split(m.View(), "\n") {
		if strings.Contains(l, id) {
			line = l
		}
	}
	for _, want := range []string{"incomplete", "123,456", " 2"} {
		if !strings.Contains(line, want) {
			t.Errorf("the run's line lacks %q: %q", want, line)
		}
	}
}

// A run that died of a Go fatal error (report.json "running", a non-empty
// crash.log) says so under the runs list while the cursor is on it.
func TestRunsListSaysGoFatalError(t *testing.T) {
	state := t.TempDir()
	const id = "20261128-211500-7f3a01"
	dir := filepath.Join(state, "runs", id)
	os.MkdirAll(dir, 0o755)
	b, _ := json.Marshal(harness.Report{RunID: id, Connector: "unlocker", Job: "unlock", Started: "2026-11-28T21:15:00.000000Z", Status: harness.StatusRunning})
	os.WriteFile(filepath.Join(dir, "report.json"), b, 0o644)
	os.WriteFile(filepath.Join(dir, "crash.log"), []byte("\ngoroutine 7 [running]:\nsync.fatal(...)\n"), 0o600)
	runs, err := harness.ListRuns(state)
	if err != nil || len(runs) != 1 {
		t.Fatalf("ListRuns: %v %v", runs, err)
	}
	m := newInspectModel(t.Context(), asciiStyles(), runs, nil, nil)
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 24})
	want := "the process died of a Go fatal error: see " + filepath.Join(dir, "crash.log")
	if v := m.View(); !strings.Contains(v, want) {
		t.Errorf("the runs list does not say %q:\n%s", want, v)
	}
}
