package tui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"connector-dev/connectors"
	"connector-dev/harness"
)

func logEvent(i int, level string) harness.Event {
	return harness.Event{Time: t0, Kind: harness.EventLog, Stage: "source", Level: harness.Level(level), Message: fmt.Sprintf("line %d", i)}
}

// feed sends events through the feeder into the model, as one frame does.
func feed(m *model, events ...harness.Event) {
	f := newFeeder(logCap)
	for _, e := range events {
		f.Emit(e)
	}
	f.flush(func(msg tea.Msg) { m.Update(msg) })
}

func sized(w, h int) *model {
	m := runModel(t0)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

func shown(m *model) string { return m.live.dash.logs.View() }

func TestFollowMode(t *testing.T) {
	m := sized(80, 24)
	var ev []harness.Event
	for i := 0; i < 100; i++ {
		ev = append(ev, logEvent(i, "info"))
	}
	feed(m, ev...)
	if !strings.Contains(shown(m), "line 99") {
		t.Fatalf("following: last line not shown:\n%s", shown(m))
	}
	m.Update(keyMsg("up"))
	if m.live.dash.logs.follow || strings.Contains(shown(m), "line 99") {
		t.Fatalf("after scrolling up the pane still follows:\n%s", shown(m))
	}
	before := shown(m)
	feed(m, logEvent(100, "info"))
	if shown(m) != before {
		t.Errorf("a paused pane moved when a line arrived:\nbefore\n%s\nafter\n%s", before, shown(m))
	}
	m.Update(keyMsg("down"))
	if m.live.dash.logs.follow {
		t.Error("one line down is not yet the bottom (a line arrived), but follow resumed")
	}
	m.Update(keyMsg("down"))
	if !m.live.dash.logs.follow {
		t.Error("scrolling back to the bottom did not resume follow")
	}
	feed(m, logEvent(101, "info"))
	if !strings.Contains(shown(m), "line 101") {
		t.Errorf("resumed follow does not show the newest line:\n%s", shown(m))
	}
	m.Update(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelUp})
	if m.live.dash.logs.follow {
		t.Error("the mouse wheel did not scroll the log up")
	}
	m.Update(keyMsg("G"))
	if !m.live.dash.logs.follow {
		t.Error("G did not resume follow")
	}
}

func TestLevelFilter(t *testing.T) {
	levels := []string{"debug", "info", "warn", "error"}
	tests := []struct {
		presses int
		want    []string // levels shown
	}{
		{0, levels}, {1, levels[1:]}, {2, levels[2:]}, {3, levels[3:]}, {4, levels},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.presses), func(t *testing.T) {
			m := sized(80, 24)
			for i, l := range levels {
				feed(m, logEvent(i, l))
			}
			for i := 0; i < tt.presses; i++ {
				m.Update(keyMsg("f"))
			}
			got := shown(m)
			for _, l := range levels {
				want := false
				for _, w := range tt.want {
					want = want || w == l
				}
				if has := strings.Contains(got, levelTags[harness.Level(l)]); has != want {
					t.Errorf("level %s shown=%v, want %v:\n%s", l, has, want, got)
				}
			}
		})
	}
}

func TestSearch(t *testing.T) {
	m := sized(80, 24)
	var ev []harness.Event
	for i := 0; i < 200; i++ {
		ev = append(ev, logEvent(i, "info"))
	}
	ev[20].Message, ev[150].Message = "Needle in batch 20", "needle in batch 150"
	feed(m, ev...)
	// Typed in one burst: one message of several runes, as a fast terminal delivers it.
	m.Update(keyMsg("/needle"))
	m.Update(keyMsg("enter"))
	if !strings.Contains(shown(m), ">21:15:00 INF source      needle in batch 150") {
		t.Fatalf("search did not mark the latest match:\n%s", shown(m))
	}
	m.Update(keyMsg("N")) // N alone, as one key
	if !strings.Contains(shown(m), ">21:15:00 INF source      Needle in batch 20") || m.live.dash.logs.follow {
		t.Fatalf("N did not go back to the earlier match (smart case):\n%s", shown(m))
	}
	if n, at := m.live.dash.logs.matchCount(); n != 2 || at != 1 {
		t.Errorf("matchCount = %d, at %d; want 2 matches, at 1", n, at)
	}
	m.Update(keyMsg("n"))
	if !strings.Contains(shown(m), ">21:15:00 INF source      needle in batch 150") {
		t.Errorf("n did not go forward to the later match:\n%s", shown(m))
	}
}

func TestRingBound(t *testing.T) {
	m := sized(80, 24)
	f := newFeeder(logCap)
	for i := 0; i < 3*logCap; i++ {
		f.Emit(logEvent(i, "info"))
		if i%1000 == 0 {
			f.flush(func(msg tea.Msg) { m.Update(msg) })
		}
	}
	f.flush(func(msg tea.Msg) { m.Update(msg) })
	if n := m.live.dash.logs.lines.len(); n != logCap {
		t.Errorf("log pane holds %d lines, want the cap %d", n, logCap)
	}
	if oldest := m.live.dash.logs.lines.at(0).msg; oldest != fmt.Sprintf("line %d", 2*logCap) {
		t.Errorf("oldest kept line is %q, want line %d", oldest, 2*logCap)
	}
	if !strings.Contains(m.live.dash.logs.title(), "last 5,000 of 15,000 lines") {
		t.Errorf("title does not say lines were let go: %q", m.live.dash.logs.title())
	}
}

func TestCoalescing(t *testing.T) {
	m := sized(80, 24)
	f := newFeeder(logCap)
	done := make(chan *harness.Report, 1)
	msgs := 0
	send := func(msg tea.Msg) { msgs++; m.Update(msg) }
	fwd := make(chan *harness.Report)
	go func() { fwd <- f.forward(context.Background(), send, done, frameInterval) }()
	const n = 200000
	for i := 0; i < n; i++ {
		f.Emit(logEvent(i, "info"))
		if i%1000 == 0 {
			f.Emit(harness.Event{Kind: harness.EventProgress, Stage: "source", Stats: &harness.Stats{Rows: int64(i), ExpectedRows: n}})
		}
	}
	done <- &harness.Report{}
	<-fwd
	if msgs > n/100 {
		t.Errorf("%d Emit calls became %d program messages; want them coalesced per frame", n, msgs)
	}
	if got := m.live.dash.logs.total; got != n {
		t.Errorf("pane counted %d lines, want %d", got, n)
	}
	if got := m.live.dash.stage("source").stats.Rows; got != 199000 {
		t.Errorf("last progress rows = %d, want 199000", got)
	}
	if !m.live.runDone {
		t.Error("the report's arrival did not reach the model")
	}
}

func TestProgressCoalescesInFeeder(t *testing.T) {
	f := newFeeder(logCap)
	for i := 1; i <= 50; i++ {
		f.Emit(harness.Event{Kind: harness.EventProgress, Stage: "source", Stats: &harness.Stats{Rows: int64(i)}})
	}
	f.Emit(harness.Event{Kind: harness.EventStageFinished, Stage: "source"})
	f.Emit(harness.Event{Kind: harness.EventProgress, Stage: "destination", Stats: &harness.Stats{Rows: 7}})
	msg, ok := f.take()
	if !ok || len(msg.events) != 3 {
		t.Fatalf("pending events = %d, want 3 (latest source progress, stage end, destination progress)", len(msg.events))
	}
	if msg.events[0].Stats.Rows != 50 || msg.events[1].Kind != harness.EventStageFinished {
		t.Errorf("coalesced wrong: %+v", msg.events)
	}
}

// pipeIn feeds keys to a real program's input.
type keyFeed struct{ ch chan string }

func (k keyFeed) Read(p []byte) (int, error) {
	s, ok := <-k.ch
	if !ok {
		return 0, io.EOF
	}
	return copy(p, s), nil
}

func TestRunDashboardExitCodes(t *testing.T) {
	tests := []struct {
		name string
		keys []string
		exec func(ctx context.Context, sink harness.Sink, ran chan<- struct{}) *harness.Report
		want int
	}{
		{
			name: "q after the run returns its code",
			keys: []string{"q"},
			exec: func(ctx context.Context, sink harness.Sink, ran chan<- struct{}) *harness.Report {
				sink.Emit(harness.Event{Kind: harness.EventFinished, Exit: &harness.ExitInfo{Reason: connectors.Error, Code: 1}})
				close(ran)
				return &harness.Report{Exit: harness.ExitInfo{Reason: connectors.Error, Code: 1}, ExitCode: 1}
			},
			want: 1,
		},
		{
			name: "expectations that held make an error run exit 0, as --ci does",
			keys: []string{"q"},
			exec: func(ctx context.Context, sink harness.Sink, ran chan<- struct{}) *harness.Report {
				zero := 0
				sink.Emit(harness.Event{Kind: harness.EventFinished, Exit: &harness.ExitInfo{Reason: connectors.Error, Code: 1},
					ExitCode: &zero, Message: "expectations of x.expect.yaml held: exit code 0"})
				close(ran)
				return &harness.Report{Exit: harness.ExitInfo{Reason: connectors.Error, Code: 1}, ExitCode: 0}
			},
			want: 0,
		},
		{
			name: "ctrl+c cancels the run",
			keys: []string{"\x03"},
			exec: func(ctx context.Context, sink harness.Sink, ran chan<- struct{}) *harness.Report {
				close(ran)
				<-ctx.Done()
				return &harness.Report{Exit: harness.ExitInfo{Reason: connectors.Interrupted, Code: 130}, ExitCode: 130}
			},
			want: 130,
		},
		{
			name: "q then y cancels the run",
			keys: []string{"q", "y"},
			exec: func(ctx context.Context, sink harness.Sink, ran chan<- struct{}) *harness.Report {
				close(ran)
				<-ctx.Done()
				return &harness.Report{Exit: harness.ExitInfo{Reason: connectors.Interrupted, Code: 130}, ExitCode: 130}
			},
			want: 130,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := keyFeed{ch: make(chan string)}
			ran := make(chan struct{})
			res := make(chan int, 1)
			go func() {
				code, err := RunDashboard(context.Background(), testInfo, testReader(),
					func(ctx context.Context, s harness.Sink) *harness.Report { return tt.exec(ctx, s, ran) },
					Options{In: in, Out: io.Discard, NoColor: true})
				if err != nil {
					t.Errorf("RunDashboard: %v", err)
				}
				res <- code
			}()
			<-ran
			time.Sleep(200 * time.Millisecond) // let the frame with the report land
			for _, k := range tt.keys {
				in.ch <- k
			}
			select {
			case code := <-res:
				if code != tt.want {
					t.Errorf("exit code %d, want %d", code, tt.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("RunDashboard did not return")
			}
			close(in.ch)
		})
	}
}

func FuzzMatchSpans(f *testing.F) {
	f.Add("uploaded batch 2 (40 rows)", "batch")
	f.Add("Needle NEEDLE needle", "needle")
	f.Add("ÀÉÎ straße", "ß")
	f.Add("aaaa", "aa")
	f.Fuzz(func(t *testing.T, s, q string) {
		last := 0
		for _, sp := range matchSpans(s, q) {
			if sp[0] < last || sp[1] > len(s) || sp[1]-sp[0] != len(q) {
				t.Fatalf("bad span %v in %q for %q", sp, s, q)
			}
			if !strings.EqualFold(s[sp[0]:sp[1]], q) {
				t.Fatalf("span %v of %q is %q, not %q", sp, s, s[sp[0]:sp[1]], q)
			}
			last = sp[1]
		}
	})
}

func BenchmarkEmitUpdate200k(b *testing.B) {
	for b.Loop() {
		m := sized(100, 30)
		f := newFeeder(logCap)
		done := make(chan *harness.Report, 1)
		fwd := make(chan *harness.Report)
		go func() {
			fwd <- f.forward(context.Background(), func(msg tea.Msg) { m.Update(msg); _ = m.View() }, done, frameInterval)
		}()
		for i := 0; i < 200000; i++ {
			f.Emit(logEvent(i, "info"))
		}
		done <- nil
		<-fwd
	}
}

func BenchmarkEmit200kHeadlessBaseline(b *testing.B) {
	// What the run pays for a sink that only counts: the floor Emit is held to.
	for b.Loop() {
		n := 0
		s := harness.SinkFunc(func(harness.Event) { n++ })
		for i := 0; i < 200000; i++ {
			s.Emit(logEvent(i, "info"))
		}
	}
}

func FuzzParseRow(f *testing.F) {
	for _, s := range []string{"35", " 1,200 ", "0", "-3", "", "abc", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := parseRow(s)
		if ok && n < 1 {
			t.Fatalf("parseRow(%q) = %d, accepted a row before the first", s, n)
		}
		if !ok && n != 0 {
			t.Fatalf("parseRow(%q) rejected but returned %d", s, n)
		}
	})
}

func TestParseRow(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{{"35", 35, true}, {" 1,200 ", 1200, true}, {"0", 0, false}, {"-3", 0, false}, {"x", 0, false}, {"", 0, false}}
	for _, tt := range tests {
		if n, ok := parseRow(tt.in); n != tt.want || ok != tt.ok {
			t.Errorf("parseRow(%q) = %d, %v; want %d, %v", tt.in, n, ok, tt.want, tt.ok)
		}
	}
}
