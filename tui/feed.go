package tui

import (
	"context"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"connector-dev/harness"
)

// frameInterval is how often pending events reach the program: about 30
// frames a second, so a burst of log lines costs one View per frame.
const frameInterval = time.Second / 30

// logCap bounds the log lines kept for the screen, in the feeder and in the
// model; the full log is on disk.
const logCap = 5000

// logLine is one EventLog as the log pane keeps it. seq counts every line
// the run has logged, so the pane knows how many it no longer holds.
type logLine struct {
	seq   int64
	time  time.Time
	stage string
	level harness.Level
	msg   string
}

// eventsMsg is everything emitted since the last frame, as one message.
type eventsMsg struct {
	logs   []logLine
	events []harness.Event
}

// runDoneMsg says exec returned; rep may be nil.
type runDoneMsg struct{ rep *harness.Report }

// feeder is the Sink the dashboard hands to the run. Emit only appends under
// a mutex, so the run never waits for the screen; forward hands whatever
// is pending to the program once per frame. Log lines beyond logCap are
// dropped here already, and progress events of a stage coalesce to the latest.
type feeder struct {
	mu       sync.Mutex
	logs     *ring[logLine]
	events   []harness.Event
	progress map[string]int // stage -> index in events of its pending progress
	seq      int64
}

func newFeeder(capacity int) *feeder {
	return &feeder{logs: newRing[logLine](capacity), progress: map[string]int{}}
}

// Emit implements harness.Sink.
func (f *feeder) Emit(e harness.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e.Kind == harness.EventLog {
		for _, msg := range safeLog(e) {
			f.logs.push(logLine{seq: f.seq, time: e.Time, stage: harness.SafeText(e.Stage), level: harness.Level(harness.SafeText(string(e.Level))), msg: msg})
			f.seq++
		}
		return
	}
	e = harness.SafeEvent(e)
	switch e.Kind {
	case harness.EventProgress:
		if i, ok := f.progress[e.Stage]; ok {
			f.events[i] = e
			return
		}
		f.progress[e.Stage] = len(f.events)
	default:
		// A later progress must not jump back before this event.
		delete(f.progress, e.Stage)
	}
	f.events = append(f.events, e)
}

// take returns what is pending and empties it; ok is false when nothing was.
func (f *feeder) take() (eventsMsg, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.logs.len() == 0 && len(f.events) == 0 {
		return eventsMsg{}, false
	}
	m := eventsMsg{logs: f.logs.drain(), events: f.events}
	f.events = nil
	clear(f.progress)
	return m, true
}

// flush sends what is pending, if anything.
func (f *feeder) flush(send func(tea.Msg)) {
	if m, ok := f.take(); ok {
		send(m)
	}
}

// forward runs until exec's report arrives on done: each frame it sends the
// pending events, then the last ones and a runDoneMsg, and returns the
// report. It is the only goroutine that calls send, never Update, so the
// program cannot deadlock on it. send must not block once the program has
// ended (tea.Program.Send does not).
func (f *feeder) forward(ctx context.Context, send func(tea.Msg), done <-chan *harness.Report, interval time.Duration) *harness.Report {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case rep := <-done:
			f.flush(send)
			send(runDoneMsg{rep: safeReport(rep)})
			return rep
		case <-t.C:
			f.flush(send)
		case <-ctx.Done():
			// The program is gone; keep draining until exec returns so no
			// event is held and exec's goroutine ends with the run.
			rep := <-done
			return rep
		}
	}
}
