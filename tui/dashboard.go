package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"connector-dev/harness"
)

// stageState is one stage as the dashboard knows it from events.
type stageState struct {
	name    string
	started bool
	done    bool
	stats   harness.Stats
	exit    *harness.ExitInfo
	samples []rateSample // rows over the run, for the sparkline (sparkline.go)
}

// dashboard is the live run as its events tell it: a line and a bar per
// stage, the exit banner once the run ended, and under them the log pane,
// which gets the room they leave.
type dashboard struct {
	st            *styles
	now           func() time.Time
	width, height int

	info       harness.RunInfo
	begin, end time.Time
	stages     []*stageState
	exit       *harness.ExitInfo
	exitCode   *int   // the process's code, when the finished event gave it
	closing    string // the finished event's closing line (expectations)
	summary    []harness.StageReport
	logs       *logPane
}

func newDashboard(st *styles, keys *keyMap, info harness.RunInfo, now func() time.Time) *dashboard {
	d := &dashboard{st: st, now: now, info: info, begin: now(), logs: newLogPane(st, keys, logCap)}
	d.stage("source")
	d.stage("destination")
	return d
}

// stage returns the named stage, adding it in order of first mention.
func (d *dashboard) stage(name string) *stageState {
	for _, s := range d.stages {
		if s.name == name {
			return s
		}
	}
	s := &stageState{name: name}
	d.stages = append(d.stages, s)
	return s
}

func (d *dashboard) finished() bool { return d.exit != nil }

// Init implements tea.Model.
func (d *dashboard) Init() tea.Cmd { return nil }

// SetSize implements component. The log pane gets what the stages, bars
// and banner leave, so the dashboard sizes it again when they change.
func (d *dashboard) SetSize(w, h int) {
	d.width, d.height = w, h
	d.logs.SetSize(w, max(h-len(d.dashTop())-1-len(d.sparkLines()), 1))
}

// Update implements tea.Model: it folds the run's events and its report in;
// keys and the wheel go to the log pane.
func (d *dashboard) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case eventsMsg:
		d.logs.add(msg.logs)
		for _, e := range msg.events {
			d.apply(e)
		}
		d.SetSize(d.width, d.height)
	case runDoneMsg:
		if d.exit == nil && msg.rep != nil {
			ex := msg.rep.Exit
			d.exit, d.summary, d.end = &ex, msg.rep.Stages, d.now()
			d.closing, d.exitCode = msg.rep.Closing, &msg.rep.ExitCode
		}
		d.SetSize(d.width, d.height)
	case tea.KeyMsg, wheelMsg:
		return d, cmdOf(d.logs.Update(msg))
	}
	return d, nil
}

// cmdOf is the command of a component's Update, whose model is the
// component itself.
func cmdOf(_ tea.Model, cmd tea.Cmd) tea.Cmd { return cmd }

// ShortHelp implements help.KeyMap: the log's keys.
func (d *dashboard) ShortHelp() []key.Binding { return d.logs.ShortHelp() }

// FullHelp implements help.KeyMap: the log's keys.
func (d *dashboard) FullHelp() [][]key.Binding { return d.logs.FullHelp() }

// apply folds one non-log event into the dashboard.
func (d *dashboard) apply(e harness.Event) {
	switch e.Kind {
	case harness.EventRunStarted:
		if e.Run != nil {
			d.info = *e.Run
		}
		if !e.Time.IsZero() {
			d.begin = e.Time
		}
	case harness.EventStageStarted:
		d.stage(e.Stage).started = true
		d.sample(d.stage(e.Stage), harness.Event{Time: e.Time, Stats: &harness.Stats{}}) // no rows before it
	case harness.EventStageFinished:
		s := d.stage(e.Stage)
		s.started, s.done, s.exit = true, true, e.Exit
		if e.Stats != nil {
			s.stats = *e.Stats
		}
		d.sample(s, e)
	case harness.EventProgress:
		if e.Stats != nil {
			s := d.stage(e.Stage)
			s.started, s.stats = true, *e.Stats
			d.sample(s, e)
		}
	case harness.EventFinished:
		d.exit, d.summary, d.end = e.Exit, e.Summary, e.Time
		d.exitCode, d.closing = e.ExitCode, e.Message
		if d.exit == nil {
			d.exit = &harness.ExitInfo{}
		}
		if d.end.IsZero() {
			d.end = d.now()
		}
	}
}

// dashTop is the dashboard above the log: a line per stage, a progress
// bar per stage (each labelled, so the destination's bar does not seem to be
// the source's starting over), and once the run ended the exit banner.
func (d *dashboard) dashTop() []string {
	out := append(d.stageLines(), d.stageBars()...)
	if d.finished() {
		out = append(out, strings.Split(d.banner(), "\n")...)
	}
	return out
}

// processCode is the exit code the program ends with: the run's, or what
// the fixture's expectations made of it.
func (d *dashboard) processCode() int {
	if d.exitCode != nil {
		return *d.exitCode
	}
	return d.exit.Code
}

// banner is the exit box: reason word, code, message and the summary.
func (d *dashboard) banner() string {
	e := d.exit
	code := d.processCode()
	box := d.st.bannerOK
	mark := "✔"
	if code != 0 {
		box, mark = d.st.bannerBad, "✘"
	}
	inner := max(d.width-4, 10)
	// The message often ends with what to do about it, so it wraps rather
	// than being cut; past bannerMsgLines it is cut, to leave room for the log.
	// The closing message's first line, built by harness, says how the
	// code came about (expectations, recording): the printer shows the same.
	head, rest, _ := strings.Cut(d.closing, "\n")
	if head == "" {
		head = fmt.Sprintf("%s · exit %d", orDash(string(e.Reason)), code)
	}
	first := mark + " " + head
	if e.Message != "" && e.Message != string(e.Reason) {
		first += " · " + oneLine(e.Message)
	}
	var lines []string
	for _, l := range wrapLines(first, inner, bannerMsgLines) {
		lines = append(lines, d.st.bold.Render(l))
	}
	if rest != "" {
		lines = append(lines, strings.Split(rest, "\n")...)
	}
	lines = append(lines, summaryLines(d.summary, inner)...)
	for i := range lines {
		lines[i] = fit(lines[i], inner)
	}
	return box.Width(d.width - 2).Render(strings.Join(lines, "\n"))
}

// bannerMsgLines is how many lines the exit message may take in the banner.
const bannerMsgLines = 3

// wrapLines word-wraps a plain one-line string to width cells (breaking
// inside a word only when it is longer than a line), keeping at most n
// lines; the last kept line ends in an ellipsis when text was left over.
func wrapLines(s string, width, n int) []string {
	lines := strings.Split(ansi.Wrap(s, max(width, 1), ""), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	if len(lines) > n {
		rest := strings.Join(lines[n-1:], " ")
		lines = lines[:n]
		lines[n-1] = fit(rest, width)
	}
	return lines
}

// View implements tea.Model: the whole dashboard body.
func (d *dashboard) View() string {
	top := d.dashTop()
	title := "── " + d.logs.title() + " "
	if w := d.width - len([]rune(title)); w > 0 {
		title += strings.Repeat("─", w)
	}
	view := strings.Join(top, "\n") + "\n" + d.st.dim.Render(fit(title, d.width)) + "\n" + d.logs.View()
	if spark := d.sparkLines(); len(spark) > 0 {
		// Under the log, which keeps its room's height: pad it out.
		logH := max(d.height-len(top)-1-len(spark), 1)
		lines := strings.Split(view, "\n")
		for len(lines) < len(top)+1+logH {
			lines = append(lines, "")
		}
		view = strings.Join(append(lines[:len(top)+1+logH], spark...), "\n")
	}
	return view
}
