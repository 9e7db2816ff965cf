package tui

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"connector-dev/connectors"
	"connector-dev/harness"
)

// press sends one key to the model and runs what it asks for at once
// (a batch load), as the program would; it returns the command.
func press(m *model, k string) tea.Cmd {
	_, cmd := m.Update(keyMsg(k))
	return cmd
}

// quits says whether cmd (or a command in its batch) ends the program.
func quits(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	switch msg := cmd().(type) {
	case tea.QuitMsg:
		return true
	case tea.BatchMsg:
		for _, c := range msg {
			if quits(c) {
				return true
			}
		}
	}
	return false
}

// openBatch opens the first batch of a finished run in the batches view.
func openBatch(t *testing.T, m *model) {
	t.Helper()
	press(m, "tab")
	cmd := press(m, "enter")
	if cmd == nil {
		t.Fatal("enter on the batch list read nothing")
	}
	m.Update(cmd())
	if v := m.View(); !strings.Contains(v, "row 1 of 40") {
		t.Fatalf("the batch did not open:\n%s", v)
	}
}

// TestAltKeyIsEscThenKey: Esc and a key typed quickly arrive as alt+key;
// the program does what the two keys do.
func TestAltKeyIsEscThenKey(t *testing.T) {
	t.Run("alt+s in the row view: back to the table, then the schema", func(t *testing.T) {
		m := sized(80, 24)
		feed(m, runEvents(0)...)
		openBatch(t, m)
		press(m, "v")
		if v := m.View(); !strings.Contains(v, "account_name:string\n  account-0") {
			t.Fatalf("v did not show the whole row:\n%s", v)
		}
		press(m, "alt+s")
		if v := m.View(); !strings.Contains(v, "[schema]") || !strings.Contains(v, "NULLABLE") {
			t.Errorf("alt+s did not go back and open the schema:\n%s", v)
		}
	})
	t.Run("alt+q after the run: quits", func(t *testing.T) {
		m := sized(80, 24)
		feed(m, runEvents(0)...)
		m.Update(runDoneMsg{})
		if !quits(press(m, "alt+q")) {
			t.Errorf("alt+q did not quit:\n%s", m.View())
		}
	})
	t.Run("alt+q in the help: closes it and quits", func(t *testing.T) {
		m := sized(80, 24)
		feed(m, runEvents(0)...)
		m.Update(runDoneMsg{})
		press(m, "?")
		if !quits(press(m, "alt+q")) {
			t.Errorf("alt+q in the help did not quit:\n%s", m.View())
		}
	})
	t.Run("alt+q while the run goes: asks before cancelling", func(t *testing.T) {
		m := sized(80, 24)
		feed(m, runEvents(12)...)
		if quits(press(m, "alt+q")) {
			t.Fatal("alt+q quit a running run without asking")
		}
		if v := m.View(); !strings.Contains(v, "Cancel it and quit? (y/n)") {
			t.Errorf("alt+q did not ask:\n%s", v)
		}
	})
	t.Run("in the search prompt alt+b stays a word move, alt+q leaves and quits", func(t *testing.T) {
		m := sized(80, 24)
		feed(m, runEvents(0)...)
		m.Update(runDoneMsg{})
		for _, k := range []string{"/", "b", "a", "t", "c", "h", " ", "2"} {
			press(m, k)
		}
		press(m, "alt+b")
		if !m.live.dash.logs.searching {
			t.Fatal("alt+b left the search prompt")
		}
		press(m, "x")
		if got := m.live.dash.logs.input.Value(); got != "batch x2" {
			t.Errorf("alt+b did not move back a word: the prompt holds %q", got)
		}
		if !quits(press(m, "alt+q")) || m.live.dash.logs.searching {
			t.Errorf("alt+q in the prompt did not cancel the search and quit (searching %v, prompt %q)", m.live.dash.logs.searching, m.live.dash.logs.input.Value())
		}
	})
}

// barLine is the line of view that starts with the stage's bar.
func barLine(view, stage string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.HasPrefix(l, pad(stage, 12)+" ") && (strings.Contains(l, "█") || strings.Contains(l, "░")) {
			return l
		}
	}
	return ""
}

// TestBarPerStage: each stage has its own labelled bar; the source's does
// not fall back when the destination starts.
func TestBarPerStage(t *testing.T) {
	ev := runEvents(0)
	var upto int // just after the destination read its first batch
	for i, e := range ev {
		if e.Kind == harness.EventProgress && e.Stage == "destination" {
			upto = i + 1
			break
		}
	}
	m := sized(80, 24)
	feed(m, ev[:upto]...)
	v := m.View()
	src, dst := barLine(v, "source"), barLine(v, "destination")
	if !strings.Contains(src, "100%  120/120 rows") {
		t.Errorf("the source's bar is not full once the destination runs: %q\n%s", src, v)
	}
	if !strings.Contains(dst, " 33%  40/120 rows") || !strings.Contains(dst, "ETA ") {
		t.Errorf("the destination's bar does not show its own progress and ETA: %q\n%s", dst, v)
	}
}

// TestNarrowKeepsRateAndETA: however narrow, down to the width of the
// numbers themselves (36 columns), rows/s and ETA stay whole and no line
// overflows.
func TestNarrowKeepsRateAndETA(t *testing.T) {
	for w := 36; w <= 120; w += 2 {
		m := sized(w, 20)
		feed(m, bigRunEvents()...)
		v := m.View()
		checkScreen(t, v, w, 20)
		rows := "3,250,000 rows"
		if w < 44 {
			// The stage line gives up the word "rows" before a number.
			rows = "3,250,000 "
		}
		for _, want := range []string{rows, "2,166,667 rows/s", "923,077 rows/s"} {
			if !strings.Contains(v, want) {
				t.Errorf("%d columns: %q is gone:\n%s", w, want, v)
			}
		}
		for _, stage := range []string{"source", "destination"} {
			found := false
			for _, l := range strings.Split(v, "\n") {
				if strings.HasPrefix(l, stage+" ") && strings.Contains(l, "%") && strings.Contains(l, "ETA ") {
					found = true
				}
			}
			if !found {
				t.Errorf("%d columns: the %s's progress line lost its percentage or ETA:\n%s", w, stage, v)
			}
		}
	}
}

// TestFooterHasHelpAndQuit: on every screen the footer shows ? and q, at 80
// columns and narrower.
func TestFooterHasHelpAndQuit(t *testing.T) {
	screens := []struct {
		name string
		keys []string
	}{
		{"dashboard", nil},
		{"batches", []string{"tab"}},
		{"rows", []string{"open"}},
		{"whole row", []string{"open", "v"}},
		{"schema", []string{"open", "s"}},
		{"metadata", []string{"open", "m"}},
		{"help", []string{"?"}},
	}
	for _, w := range []int{60, 80} {
		for _, sc := range screens {
			m := sized(w, 24)
			feed(m, runEvents(0)...)
			for _, k := range sc.keys {
				if k == "open" {
					openBatch(t, m)
					continue
				}
				press(m, k)
			}
			lines := strings.Split(m.View(), "\n")
			foot := lines[len(lines)-1]
			for _, want := range []string{"q quit", "?"} {
				if !strings.Contains(foot, want) {
					t.Errorf("%d columns, %s: the footer lacks %q: %q", w, sc.name, want, foot)
				}
			}
			if sc.name != "help" && !strings.Contains(foot, "? help") {
				t.Errorf("%d columns, %s: the footer lacks \"? help\": %q", w, sc.name, foot)
			}
		}
	}
}

// TestHelpScrolls: a key list taller than the screen says so and scrolls to
// its last line; one that fits does not claim to scroll. Help lists the
// keys of what is on screen: the rows of a batch have the most.
func TestHelpScrolls(t *testing.T) {
	rows := func(w, h int) *model {
		m := sized(w, h)
		feed(m, runEvents(0)...)
		openBatch(t, m)
		return m
	}
	m := rows(80, 24)
	press(m, "?")
	if v := m.View(); strings.Contains(v, "scroll") || !strings.Contains(v, "column right") {
		t.Errorf("at 80x24 the whole list fits:\n%s", v)
	}
	m = rows(80, 11)
	press(m, "?")
	v := m.View()
	checkScreen(t, v, 80, 11)
	if !strings.Contains(v, "lines 1-") || !strings.Contains(v, "scroll") || strings.Contains(v, "column right") {
		t.Fatalf("at 80x11 the list should say it scrolls, from its top:\n%s", v)
	}
	press(m, "pgdown")
	press(m, "pgdown")
	press(m, "pgdown")
	if v := m.View(); !strings.Contains(v, "→/l   column right") || !strings.Contains(v, "of 15 ·") {
		t.Errorf("pgdown did not reach the end of the list:\n%s", v)
	}
	press(m, "home")
	if v := m.View(); !strings.Contains(v, "tab    switch view") {
		t.Errorf("home did not go back to the top:\n%s", v)
	}
	press(m, "esc")
	if v := m.View(); strings.Contains(v, "Keys") {
		t.Errorf("esc did not close the help:\n%s", v)
	}
}

// TestPlurals: one is one row and one batch, on every line that counts.
func TestPlurals(t *testing.T) {
	info := testInfo
	one := &harness.Stats{Rows: 1, Batches: 1, Bytes: 100, Seconds: 1}
	exit := &harness.ExitInfo{Reason: connectors.Success}
	m := sized(80, 24)
	feed(m,
		harness.Event{Time: t0, Kind: harness.EventRunStarted, Run: &info},
		harness.Event{Time: t0, Kind: harness.EventStageStarted, Stage: "source"},
		harness.Event{Time: t0, Kind: harness.EventBatchWritten, Stage: "source", Batch: &harness.BatchInfo{Index: 1, Key: batchKey(1), Rows: 1, Bytes: 100, Format: "parquet"}},
		harness.Event{Time: t0, Kind: harness.EventStageFinished, Stage: "source", Exit: exit, Stats: one},
		harness.Event{Time: t0, Kind: harness.EventFinished, Exit: exit,
			Summary: []harness.StageReport{{Name: "source", Connector: "synthetic", Rows: 1, Batches: 1, Bytes: 100, Seconds: 1, RowsPerS: 1}}},
	)
	v := m.View()
	if u := strings.ReplaceAll(v, "rows/s", "(rate)"); strings.Contains(u, "1 rows") || strings.Contains(u, "1 batches") {
		t.Errorf("one row or batch is plural:\n%s", v)
	}
	if n := strings.Count(v, "1 row  1 batch"); n != 2 {
		t.Errorf("want \"1 row  1 batch\" on the stage line and in the banner, found %d:\n%s", n, v)
	}
	press(m, "tab")
	if !strings.Contains(m.View(), "batch 1 of 1") {
		t.Errorf("the batch list does not count its one batch:\n%s", m.View())
	}
}

// TestInspectSaysWhereBatchesAreNow: a past run's header shows where its
// batches are read from now, not its embedded S3's dead port as if live.
func TestInspectSaysWhereBatchesAreNow(t *testing.T) {
	reps := []harness.Report{{RunID: testInfo.RunID, Connector: "synthetic", Run: &testInfo,
		Batches: []harness.BatchInfo{{Index: 1, Key: batchKey(1), Rows: 40, Bytes: 4097, Format: "parquet"}}}}
	tests := []struct {
		name   string
		reader harness.BatchReader
		want   string
	}{
		{"reader says where", placedReader{testReader(), "embedded S3 on disk at .connector-dev/s3"}, "batches from embedded S3 on disk at .connector-dev/s3"},
		{"reader does not say", testReader(), "s3 was at " + testInfo.Endpoint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			open := func(_ context.Context, _ string) (harness.BatchReader, error) { return tt.reader, nil }
			m := newInspectModel(t.Context(), asciiStyles(), reps, open, func() time.Time { return t0 })
			m.Update(tea.WindowSizeMsg{Width: 100, Height: 24})
			m.Update(press(m, "enter")())
			v := m.View()
			third := strings.Split(v, "\n")[2]
			if !strings.HasPrefix(third, tt.want) {
				t.Errorf("the S3 line is %q, want it to start %q:\n%s", third, tt.want, v)
			}
			if tt.name == "reader says where" && strings.Contains(v, testInfo.Endpoint) {
				t.Errorf("the run's dead endpoint is shown:\n%s", v)
			}
		})
	}
}

// envOf is a fixed environment for termenv.
type envOf map[string]string

func (e envOf) Environ() []string {
	var out []string
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	return out
}
func (e envOf) Getenv(k string) string { return e[k] }

// TestBackgroundDetected: the background is asked for, not assumed dark;
// not asked under NO_COLOR or without a terminal.
func TestBackgroundDetected(t *testing.T) {
	renderer := func(colorfgbg string) *lipgloss.Renderer {
		// A terminal (as termenv is told) that cannot answer OSC 11 (tmux),
		// so its answer is $COLORFGBG's: "foreground;background".
		return lipgloss.NewRenderer(io.Discard, termenv.WithTTY(true),
			termenv.WithEnvironment(envOf{"TERM": "tmux-256color", "COLORFGBG": colorfgbg}))
	}
	tests := []struct {
		name         string
		colorfgbg    string
		noColor, tty bool
		wantDark     bool
	}{
		{"light terminal", "0;15", false, true, false},
		{"dark terminal", "15;0", false, true, true},
		{"light, NO_COLOR: not asked", "0;15", true, true, true},
		{"light, no terminal: not asked", "0;15", false, false, true},
	}
	for _, tt := range tests {
		if got := darkBackground(renderer(tt.colorfgbg), tt.noColor, tt.tty); got != tt.wantDark {
			t.Errorf("%s: dark = %v, want %v", tt.name, got, tt.wantDark)
		}
	}
}

// colourStyles are the theme in true colour on a light or dark background.
func colourStyles(dark bool) *styles {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.TrueColor)
	r.SetHasDarkBackground(dark)
	return newStyles(r, false)
}

// TestLightThemeDiffers: on a light background the theme draws its light
// colours (dark violet, not pale lilac, for the title and bars).
func TestLightThemeDiffers(t *testing.T) {
	view := func(dark bool) string {
		m := newRunModel(t.Context(), colourStyles(dark), harness.RunInfo{}, testReader(), func() {}, func() time.Time { return t0.Add(time.Minute) })
		m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		feed(m, runEvents(0)...)
		return m.View()
	}
	light, dark := view(false), view(true)
	// The escape that sets a colour, as the renderer writes it.
	fg := func(hex string) string {
		r := lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(termenv.TrueColor)
		s := r.NewStyle().Foreground(lipgloss.Color(hex)).Render("x")
		return s[:strings.Index(s, "x")]
	}
	lightViolet, paleLilac := fg("#5A3FC0"), fg("#B4A4FF") // the title and bars
	if !strings.Contains(light, lightViolet) || strings.Contains(light, paleLilac) {
		t.Errorf("the light theme does not use its own colours")
	}
	if !strings.Contains(dark, paleLilac) || strings.Contains(dark, lightViolet) {
		t.Errorf("the dark theme does not use its own colours")
	}
}
