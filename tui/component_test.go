package tui

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"connector-dev/connectors"
	"connector-dev/harness"
)

// inspectModel is inspect over one past run of three batches.
func inspectModel(t *testing.T) *model {
	t.Helper()
	reps := []harness.Report{{RunID: testInfo.RunID, Connector: "synthetic", Run: &testInfo, Started: "2026-11-28T21:15:00Z",
		Exit:    harness.ExitInfo{Reason: connectors.Success},
		Batches: []harness.BatchInfo{{Index: 1, Key: batchKey(1), Rows: 40, Bytes: 4097, Format: "parquet"}}}}
	open := func(context.Context, string) (harness.BatchReader, error) { return testReader(), nil }
	m := newInspectModel(t.Context(), asciiStyles(), reps, open, nil)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	return m
}

// TestHelpShowsKeysOnScreen: the ? overlay and the footer list the keys of
// the screen they are on, and none of another's: no log keys over a batch,
// no table keys over the log, no "cancel run" in inspect.
func TestHelpShowsKeysOnScreen(t *testing.T) {
	live := func(t *testing.T) *model {
		m := sized(100, 30)
		feed(m, runEvents(0)...)
		return m
	}
	tests := []struct {
		name      string
		model     func(*testing.T) *model
		keys      []string // "open": open the first batch (or run)
		want, not []string
	}{
		{"dashboard", live, nil,
			[]string{"level filter", "wrap log lines", "bottom (follow)", "cancel run and quit", "switch view"},
			[]string{"column right", "whole row", "metadata", "esc    back"}},
		{"batch list", live, []string{"tab"},
			[]string{"enter open", "bottom (follow)", "cancel run and quit"},
			[]string{"level filter", "column right", "metadata"}},
		{"batch rows", live, []string{"open"},
			[]string{"column right", "whole row", "go to row", "metadata", "esc back"},
			[]string{"level filter", "wrap log lines"}},
		{"batch schema", live, []string{"open", "s"},
			[]string{"rows", "metadata", "esc back"},
			[]string{"column right", "whole row", "level filter"}},
		{"inspect runs", inspectModel, nil,
			[]string{"enter open", "ctrl+c quit", "switch view"},
			[]string{"cancel run", "level filter", "column right", "bottom (follow)", "esc    back", "esc back"}},
		{"inspect batches", inspectModel, []string{"open"},
			[]string{"enter open", "esc    back", "ctrl+c quit"},
			[]string{"cancel run", "level filter", "column right"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.model(t)
			for _, k := range tt.keys {
				if k != "open" {
					press(m, k)
					continue
				}
				if m.live != nil {
					openBatch(t, m)
					continue
				}
				m.Update(press(m, "enter")())
			}
			press(m, "?")
			v := m.View()
			if !strings.Contains(v, "Keys") {
				t.Fatalf("? did not open the help:\n%s", v)
			}
			for _, w := range tt.want {
				if !strings.Contains(v, w) {
					t.Errorf("the help lacks %q:\n%s", w, v)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(v, n) {
					t.Errorf("the help lists %q, not a key of this screen:\n%s", n, v)
				}
			}
			press(m, "esc")
			lines := strings.Split(m.View(), "\n")
			foot := lines[len(lines)-1]
			for _, n := range tt.not {
				if strings.Contains(foot, n) {
					t.Errorf("the footer lists %q, not a key of this screen: %q", n, foot)
				}
			}
		})
	}
}

// TestInspectKeys: in inspect every quit key quits at once (there is no
// run to cancel), esc on a run's batch list goes back to the runs, and tab
// goes to the batches only once a run is open.
func TestInspectKeys(t *testing.T) {
	m := inspectModel(t)
	press(m, "tab")
	if v := m.View(); !strings.Contains(v, "[runs]") {
		t.Errorf("tab left the runs with no run open:\n%s", v)
	}
	m.Update(press(m, "enter")())
	if v := m.View(); !strings.Contains(v, "[batches]") || !strings.Contains(v, "batch 1 of 1") {
		t.Fatalf("enter did not open the run's batches:\n%s", v)
	}
	press(m, "esc")
	if v := m.View(); !strings.Contains(v, "[runs]") {
		t.Errorf("esc on the batch list did not go back to the runs:\n%s", v)
	}
	press(m, "tab")
	if v := m.View(); !strings.Contains(v, "[batches]") {
		t.Errorf("tab did not go back to the open run's batches:\n%s", v)
	}
	for _, k := range []string{"q", "ctrl+c"} {
		msg := keyMsg(k)
		if k == "ctrl+c" {
			msg = tea.KeyMsg{Type: tea.KeyCtrlC}
		}
		if _, cmd := m.Update(msg); !quits(cmd) {
			t.Errorf("%s in inspect did not quit", k)
		}
	}
}

// TestUnknownLevelShownAsInfo: a log line of a level the harness does not
// know ranks as info (harness.Level.Rank), in the TUI's filter as in
// LOG_LEVEL: shown at info+, hidden at warn+.
func TestUnknownLevelShownAsInfo(t *testing.T) {
	m := sized(100, 30)
	feed(m, logEvent(1, "notice"))
	press(m, "f") // info+
	if got := shown(m); !strings.Contains(got, "line 1") {
		t.Errorf("at info+ the notice line is hidden:\n%s", got)
	}
	press(m, "f") // warn+
	if got := shown(m); strings.Contains(got, "line 1") {
		t.Errorf("at warn+ the notice line shows:\n%s", got)
	}
}
