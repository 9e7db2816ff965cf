package tui

import (
	"math"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"connector-dev/connectors"
	"connector-dev/harness"
)

// sfMessage is a real failure whose end says what to do about it.
const sfMessage = "Salesforce refused the refresh token (invalid_grant: expired access/refresh token): put a valid refresh token in SALESFORCE_TOKEN (.env.credentials), for the org behind https://login.salesforce.com"

// failEvents is a run whose source fails, so the destination never starts.
func failEvents(msg string, logs ...string) []harness.Event {
	info := testInfo
	info.Source = "salesforce"
	ev := []harness.Event{
		{Time: t0, Kind: harness.EventRunStarted, Run: &info},
		{Time: t0, Kind: harness.EventStageStarted, Stage: "source"},
	}
	for _, l := range logs {
		ev = append(ev, harness.Event{Time: t0.Add(time.Second), Kind: harness.EventLog, Stage: "source", Level: "error", Message: l})
	}
	exit := &harness.ExitInfo{Reason: connectors.Error, Code: 1, Message: msg}
	return append(ev,
		harness.Event{Time: t0.Add(2 * time.Second), Kind: harness.EventStageFinished, Stage: "source", Exit: exit, Stats: &harness.Stats{Seconds: 2}},
		harness.Event{Time: t0.Add(2 * time.Second), Kind: harness.EventFinished, Exit: exit,
			Summary: []harness.StageReport{{Name: "source", Connector: "salesforce", Seconds: 2}}},
	)
}

// bannerText is the text inside the exit box, its rows joined by spaces.
func bannerText(view string) (text string, rows int) {
	var parts []string
	for _, l := range strings.Split(view, "\n") {
		if strings.HasPrefix(l, "│") {
			parts = append(parts, strings.TrimSpace(strings.Trim(l, "│")))
		}
	}
	return strings.Join(parts, " "), len(parts)
}

// checkScreen fails when the view does not fill exactly w×h cells.
func checkScreen(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("screen has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got > w {
			t.Errorf("line %d is %d cells, wider than %d: %q", i+1, got, w, l)
		}
	}
}

func TestExitBannerWrapsMessage(t *testing.T) {
	long := strings.Repeat("the connector could not reach the API and gave up after five tries; ", 4) + "THE-END"
	tests := []struct {
		name     string
		msg      string
		wantRows int    // message rows in the box (plus one per summary stage)
		want     string // the banner's text contains this
		cut      bool   // the message is cut with an ellipsis
	}{
		{name: "short", msg: "login failed", wantRows: 1, want: "✘ error · exit 1 · login failed"},
		{name: "three lines whole", msg: sfMessage, wantRows: 3, want: sfMessage},
		{name: "longer is cut at three", msg: long, wantRows: 3, want: "the connector could not reach", cut: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sized(80, 24)
			feed(m, failEvents(tt.msg, "token refresh failed")...)
			view := m.View()
			checkScreen(t, view, 80, 24)
			text, rows := bannerText(view)
			text = strings.Join(strings.Fields(text), " ")
			if !strings.Contains(text, tt.want) {
				t.Errorf("banner does not hold %q:\n%s", tt.want, view)
			}
			if rows != tt.wantRows+1 {
				t.Errorf("banner has %d rows, want %d message rows and 1 summary row:\n%s", rows, tt.wantRows, view)
			}
			if got := strings.Contains(text, "…"); got != tt.cut {
				t.Errorf("banner cut with … = %v, want %v:\n%s", got, tt.cut, view)
			}
			if !strings.Contains(view, "token refresh failed") {
				t.Errorf("the log line no longer fits under the banner:\n%s", view)
			}
		})
	}
}

func TestStageNotRunAfterFinish(t *testing.T) {
	m := sized(80, 24)
	ev := failEvents("login failed")
	feed(m, ev[:len(ev)-1]...)
	if l := m.live.dash.stageLine(m.live.dash.stage("destination")); !strings.Contains(l, "waiting") {
		t.Errorf("before the run ended the destination should be waiting: %q", l)
	}
	feed(m, ev[len(ev)-1])
	if l := m.live.dash.stageLine(m.live.dash.stage("destination")); !strings.Contains(l, "– not run") || strings.Contains(l, "waiting") {
		t.Errorf("after the run ended the unstarted destination shows %q, want not run", l)
	}
	if l := m.live.dash.stageLine(m.live.dash.stage("source")); !strings.Contains(l, "✘ error") {
		t.Errorf("the failed source shows %q", l)
	}
}

func TestLogWrapToggle(t *testing.T) {
	m := sized(80, 24)
	tail := "SEE-THE-END"
	long := strings.Repeat("a long log message that keeps going ", 5) + tail
	var ev []harness.Event
	for i := 0; i < 40; i++ {
		ev = append(ev, logEvent(i, "info"))
	}
	ev = append(ev, harness.Event{Time: t0, Kind: harness.EventLog, Stage: "source", Level: "info", Message: long})
	feed(m, ev...)
	if s := shown(m); strings.Contains(s, tail) || !strings.Contains(s, "…") {
		t.Fatalf("unwrapped, the long line should be cut with …:\n%s", s)
	}
	m.Update(keyMsg("w"))
	s := shown(m)
	if !strings.Contains(s, tail) {
		t.Fatalf("after w the long line's end is not shown:\n%s", s)
	}
	if got := strings.Count(s, "\n") + 1; got != m.live.dash.logs.height {
		t.Errorf("wrapped pane has %d rows, want its height %d", got, m.live.dash.logs.height)
	}
	rows := strings.Split(s, "\n")
	if !strings.Contains(rows[len(rows)-1], tail) {
		t.Errorf("following, the last row should end the newest line:\n%s", s)
	}
	if !strings.Contains(m.live.dash.logs.title(), "wrap") {
		t.Errorf("title %q does not say the log wraps", m.live.dash.logs.title())
	}
	checkScreen(t, m.View(), 80, 24)
	// Scrolling up one line from the bottom shows the line above the top.
	m.Update(keyMsg("up"))
	if m.live.dash.logs.follow {
		t.Error("up while wrapping did not leave follow")
	}
	m.Update(keyMsg("G"))
	m.Update(keyMsg("w"))
	if s := shown(m); strings.Contains(s, tail) {
		t.Errorf("w again should cut the line again:\n%s", s)
	}
	m.Update(keyMsg("?"))
	if v := m.View(); !strings.Contains(v, "w") || !strings.Contains(v, "wrap log lines") {
		t.Errorf("help does not list the wrap key:\n%s", v)
	}
}

func TestRunsListFitsBigCounts(t *testing.T) {
	big := int64(999_999_999)
	reps := []harness.Report{
		{RunID: "20261128T211500-7f3a", Connector: "salesforce", Started: "2026-11-28T21:15:00Z",
			Exit: harness.ExitInfo{Reason: connectors.Interrupted}, Stages: []harness.StageReport{{Name: "destination", Rows: big}}},
		{RunID: "20261128T201000-91c2", Connector: "synthetic", Started: "2026-11-28T20:10:00Z",
			Exit: harness.ExitInfo{Reason: connectors.Success}, Stages: []harness.StageReport{{Name: "destination", Rows: 1000}}},
	}
	m := newInspectModel(t.Context(), asciiStyles(), reps, nil, func() time.Time { return t0 })
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	view := m.View()
	checkScreen(t, view, 80, 24)
	for _, want := range []string{"999,999,999", "1,000", reps[0].RunID, reps[1].RunID, "salesforce", "interrupted"} {
		if !strings.Contains(view, want) {
			t.Errorf("runs list does not show %q whole:\n%s", want, view)
		}
	}
	if strings.Contains(view, "…") {
		t.Errorf("runs list cuts a value at 80 columns:\n%s", view)
	}
}

func TestNumber(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{8.494716569999999e+07, "84947165.69999999"},
		{84947165.7, "84947165.7"},
		{1.5, "1.5"},
		{-2, "-2"},
		{0, "0"},
		{1e-6, "0.000001"},
		{1e-7, "1e-07"},
		{1e20, "100000000000000000000"},
		{1e21, "1e+21"},
		{-1.25e22, "-1.25e+22"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "+Inf"},
		{math.Inf(-1), "-Inf"},
	}
	for _, tt := range tests {
		if got := number(tt.in); got != tt.want {
			t.Errorf("number(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBytesizeBinary(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"},
		{3 << 20, "3.0 MiB"}, {5 << 30, "5.0 GiB"},
	}
	for _, tt := range tests {
		if got := bytesize(tt.in); got != tt.want {
			t.Errorf("bytesize(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
