package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"connector-dev/harness"
)

// screen is what the main area shows.
type screen int

const (
	screenDashboard screen = iota
	screenBatches
	screenRuns // inspect only
)

// stageState is one stage as the dashboard knows it from events.
type stageState struct {
	name    string
	started bool
	done    bool
	stats   harness.Stats
	exit    *harness.ExitInfo
}

// model is the whole program: the live dashboard (RunDashboard) or the
// browser over past runs (Inspect). It is a pointer so that components keep
// their state across Update without copying.
type model struct {
	ctx  context.Context
	st   *styles
	keys keyMap
	help help.Model
	now  func() time.Time

	width, height int
	screen        screen
	showHelp      bool
	helpTop       int // first line of the key list shown, when it does not fit
	inspect       bool

	// the live run
	info       harness.RunInfo
	begin, end time.Time
	stages     []*stageState
	exit       *harness.ExitInfo
	exitCode   *int   // the process's code, when the finished event gave it
	closing    string // the finished event's closing line (expectations)
	summary    []harness.StageReport
	report     *harness.Report
	runDone    bool
	logs       *logPane
	cancel     context.CancelFunc
	cancelled  bool
	confirm    bool // asking whether to cancel the run and quit

	batches *batchBrowser

	// inspect
	runs      []harness.Report
	runCursor int
	runTop    int
	openRun   func(ctx context.Context, runID string) (harness.BatchReader, error)
	runErr    error
	readFrom  string // where the open run's batches are read from now
}

func newModel(ctx context.Context, st *styles, now func() time.Time) *model {
	m := &model{ctx: ctx, st: st, keys: newKeyMap(), help: st.helpModel(), now: now, width: 80, height: 24}
	m.logs = newLogPane(st, &m.keys, logCap)
	m.batches = newBatchBrowser(st, &m.keys, nil)
	return m
}

// newRunModel is the dashboard of a run that starts now.
func newRunModel(ctx context.Context, st *styles, info harness.RunInfo, r harness.BatchReader, cancel context.CancelFunc, now func() time.Time) *model {
	m := newModel(ctx, st, now)
	m.info, m.cancel, m.begin = info, cancel, now()
	m.batches.reader = r
	m.stage("source")
	m.stage("destination")
	m.layout()
	return m
}

// newInspectModel is the browser over past runs.
func newInspectModel(ctx context.Context, st *styles, runs []harness.Report, open func(context.Context, string) (harness.BatchReader, error), now func() time.Time) *model {
	m := newModel(ctx, st, now)
	m.inspect, m.runs, m.openRun, m.screen = true, runs, open, screenRuns
	m.layout()
	return m
}

// stage returns the named stage, adding it in order of first mention.
func (m *model) stage(name string) *stageState {
	for _, s := range m.stages {
		if s.name == name {
			return s
		}
	}
	s := &stageState{name: name}
	m.stages = append(m.stages, s)
	return s
}

func (m *model) finished() bool { return m.exit != nil }

// tickMsg keeps the elapsed clock moving while a run is quiet.
type tickMsg struct{}

func tick() tea.Cmd { return tea.Tick(time.Second, func(time.Time) tea.Msg { return tickMsg{} }) }

// Init implements tea.Model.
func (m *model) Init() tea.Cmd {
	if m.inspect {
		return nil
	}
	return tick()
}

// runOpenedMsg is the answer to opening a past run's batches.
type runOpenedMsg struct {
	rep    harness.Report
	reader harness.BatchReader
	err    error
}

// Update implements tea.Model.
func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
	case eventsMsg:
		m.logs.add(msg.logs)
		for _, e := range msg.events {
			m.apply(e)
		}
		m.layout()
	case runDoneMsg:
		m.runDone, m.report = true, msg.rep
		if m.exit == nil && msg.rep != nil {
			ex := msg.rep.Exit
			m.exit, m.summary, m.end = &ex, msg.rep.Stages, m.now()
			m.closing, m.exitCode = msg.rep.Closing, &msg.rep.ExitCode
		}
		m.layout()
		if m.cancelled {
			return m, tea.Quit
		}
	case tickMsg:
		if !m.finished() {
			return m, tick()
		}
	case batchLoadedMsg:
		m.batches.loaded(msg)
	case runOpenedMsg:
		if msg.err != nil {
			m.runErr = msg.err
			return m, nil
		}
		m.runErr = nil
		m.info = harness.RunInfo{RunID: msg.rep.RunID, Job: msg.rep.Job, Source: msg.rep.Connector}
		if msg.rep.Run != nil {
			m.info = *msg.rep.Run
		}
		items := make([]batchItem, len(msg.rep.Batches))
		for i, b := range msg.rep.Batches {
			items[i] = batchItem{stage: "source", info: b}
		}
		m.batches.reset(msg.reader, items)
		m.readFrom = readFrom(msg.reader)
		m.screen = screenBatches
	case tea.MouseMsg:
		if msg.Action == tea.MouseActionPress && (msg.Button == tea.MouseButtonWheelUp || msg.Button == tea.MouseButtonWheelDown) {
			d := 3
			if msg.Button == tea.MouseButtonWheelUp {
				d = -3
			}
			m.wheel(d)
		}
	case tea.KeyMsg:
		if esc, ok := m.splitAlt(msg); ok {
			// Esc then the key, as the user typed them (see splitAlt).
			msg.Alt = false
			_, cmd := m.Update(msg)
			return m, tea.Batch(esc, cmd)
		}
		// Keys typed faster than the program reads arrive as one message
		// of several runes ("/err" or "gG"); each is a key of its own.
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste {
			var cmds []tea.Cmd
			for _, r := range msg.Runes {
				cmds = append(cmds, m.key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}))
			}
			return m, tea.Batch(cmds...)
		}
		return m, m.key(msg)
	}
	return m, nil
}

// apply folds one non-log event into the dashboard.
func (m *model) apply(e harness.Event) {
	switch e.Kind {
	case harness.EventRunStarted:
		if e.Run != nil {
			m.info = *e.Run
		}
		if !e.Time.IsZero() {
			m.begin = e.Time
		}
	case harness.EventStageStarted:
		m.stage(e.Stage).started = true
	case harness.EventStageFinished:
		s := m.stage(e.Stage)
		s.started, s.done, s.exit = true, true, e.Exit
		if e.Stats != nil {
			s.stats = *e.Stats
		}
	case harness.EventProgress:
		if e.Stats != nil {
			s := m.stage(e.Stage)
			s.started, s.stats = true, *e.Stats
		}
	case harness.EventBatchWritten, harness.EventBatchRead:
		if e.Batch != nil {
			m.batches.add(batchItem{stage: e.Stage, info: *e.Batch})
		}
	case harness.EventFinished:
		m.exit, m.summary, m.end = e.Exit, e.Summary, e.Time
		m.exitCode, m.closing = e.ExitCode, e.Message
		if m.exit == nil {
			m.exit = &harness.ExitInfo{}
		}
		if m.end.IsZero() {
			m.end = m.now()
		}
	}
}

func (m *model) wheel(d int) {
	if m.showHelp {
		m.helpScroll(d)
		return
	}
	switch m.screen {
	case screenDashboard:
		m.logs.scroll(d)
	case screenBatches:
		m.batches.wheel(d)
	case screenRuns:
		m.moveRun(d)
	}
}

// typing says a prompt owns the keyboard, so letters are text, not commands.
func (m *model) typing() bool {
	return (m.screen == screenDashboard && m.logs.searching) || (m.screen == screenBatches && m.batches.inputActive())
}

func (m *model) key(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	if key.Matches(msg, k.ForceQuit) {
		if m.inspect || m.runDone || m.cancelled {
			return tea.Quit
		}
		m.cancelRun()
		return nil
	}
	if m.confirm {
		switch {
		case key.Matches(msg, k.Yes):
			m.confirm = false
			m.cancelRun()
		case key.Matches(msg, k.No):
			m.confirm = false
		}
		return nil
	}
	if m.typing() {
		if m.screen == screenDashboard {
			cmd, _ := m.logs.update(msg)
			return cmd
		}
		cmd, _ := m.batches.update(m.ctx, msg)
		return cmd
	}
	if m.showHelp {
		return m.helpKey(msg)
	}
	switch {
	case key.Matches(msg, k.Quit):
		if m.inspect || m.runDone {
			return tea.Quit
		}
		if !m.cancelled {
			m.confirm = true
		}
		return nil
	case key.Matches(msg, k.Help):
		m.showHelp, m.helpTop = true, 0
		return nil
	case key.Matches(msg, k.Tab):
		m.switchScreen()
		return nil
	}
	switch m.screen {
	case screenDashboard:
		cmd, _ := m.logs.update(msg)
		return cmd
	case screenBatches:
		cmd, handled := m.batches.update(m.ctx, msg)
		if !handled && m.inspect && key.Matches(msg, k.Back) {
			m.screen = screenRuns
		}
		return cmd
	case screenRuns:
		switch {
		case key.Matches(msg, k.Up):
			m.moveRun(-1)
		case key.Matches(msg, k.Down):
			m.moveRun(1)
		case key.Matches(msg, k.PageUp):
			m.moveRun(-m.bodyHeight())
		case key.Matches(msg, k.PageDown):
			m.moveRun(m.bodyHeight())
		case key.Matches(msg, k.Open):
			return m.openCursorRun()
		}
	}
	return nil
}

func (m *model) cancelRun() {
	m.cancelled = true
	if m.cancel != nil {
		m.cancel()
	}
}

func (m *model) switchScreen() {
	if m.inspect {
		if m.screen == screenRuns && m.batches.reader != nil {
			m.screen = screenBatches
		} else {
			m.screen = screenRuns
		}
		return
	}
	if m.screen == screenDashboard {
		m.screen = screenBatches
	} else {
		m.screen = screenDashboard
	}
}

func (m *model) moveRun(d int) {
	m.runCursor = max(min(m.runCursor+d, len(m.runs)-1), 0)
	h := max(m.bodyHeight()-1, 1)
	if m.runCursor < m.runTop {
		m.runTop = m.runCursor
	}
	if m.runCursor >= m.runTop+h {
		m.runTop = m.runCursor - h + 1
	}
}

func (m *model) openCursorRun() tea.Cmd {
	if len(m.runs) == 0 || m.openRun == nil {
		return nil
	}
	rep, open, ctx := m.runs[m.runCursor], m.openRun, m.ctx
	return func() tea.Msg {
		r, err := open(ctx, rep.RunID)
		if err != nil {
			err = fmt.Errorf("open run %s: %w", rep.RunID, err)
		}
		return runOpenedMsg{rep: rep, reader: r, err: err}
	}
}

// Layout: header (3 lines), body, footer (1 line).
const headerLines, footerLines = 3, 1

func (m *model) bodyHeight() int { return max(m.height-headerLines-footerLines, 3) }

// layout hands each component its size; the log pane gets what the
// dashboard's fixed parts leave.
func (m *model) layout() {
	m.help.Width = m.width
	m.batches.setSize(m.width, m.bodyHeight())
	m.logs.setSize(m.width, max(m.bodyHeight()-len(m.dashTop())-1, 1))
}

// View implements tea.Model.
func (m *model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var body string
	switch {
	case m.showHelp:
		body = m.helpView()
	case m.screen == screenDashboard:
		body = m.dashboard()
	case m.screen == screenBatches:
		body = m.batches.view()
	case m.screen == screenRuns:
		body = m.runList()
	}
	lines := strings.Split(body, "\n")
	bh := m.bodyHeight()
	if len(lines) > bh {
		lines = lines[:bh]
	}
	for len(lines) < bh {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = fit(l, m.width)
	}
	return strings.Join(m.header(), "\n") + "\n" + strings.Join(lines, "\n") + "\n" + fit(m.footer(), m.width)
}

// tabs shows which screen is on.
func (m *model) tabs() string {
	names := []string{"dashboard", "batches"}
	ids := []screen{screenDashboard, screenBatches}
	if m.inspect {
		names, ids = []string{"runs", "batches"}, []screen{screenRuns, screenBatches}
	}
	var out []string
	for i, n := range names {
		if ids[i] == m.screen {
			out = append(out, m.st.tabOn.Render("["+n+"]"))
		} else {
			out = append(out, m.st.tabOff.Render(" "+n+" "))
		}
	}
	return strings.Join(out, "")
}

func (m *model) header() []string {
	if m.inspect && m.screen == screenRuns {
		return []string{
			spread(m.st.title.Render("connector-dev inspect"), m.tabs(), m.width),
			m.st.dim.Render(fit(plural(int64(len(m.runs)), "past run", "past runs")+", newest first", m.width)),
			"",
		}
	}
	i := m.info
	left := m.st.title.Render(orDash(i.Job)) + "  " + orDash(i.Source) + " → " + orDash(i.Destination)
	second := "run " + orDash(i.RunID)
	if i.Container != "" || i.Version != "" {
		second = i.Container + ":" + i.Version + " · " + second
	}
	third := "s3 " + orDash(i.Endpoint)
	if m.inspect {
		third = m.pastS3()
	}
	if i.Bucket != "" {
		third += " · bucket " + i.Bucket
	}
	if i.Format != "" {
		third += " · " + i.Format
	}
	if i.FromRun != "" {
		third += " · batches of run " + i.FromRun
	}
	right := ""
	if !m.inspect {
		end := m.end
		if end.IsZero() {
			end = m.now()
		}
		right = "elapsed " + clock(end.Sub(m.begin))
	}
	if lipgloss.Width(second)+lipgloss.Width(right)+1 > m.width {
		second = "run " + orDash(i.RunID) // the id is what --from-run and inspect need
	}
	return []string{spread(left, m.tabs(), m.width), spread(second, right, m.width), m.st.dim.Render(fit(third, m.width))}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// runRowsW fits a row count up to 999,999,999 whole.
const runRowsW = len("999,999,999")

// runCols are the widths of the runs list's text columns, and the layout
// of STARTED (without the year when room is short: the run id has it).
type runCols struct {
	id, started, conn, exit int
	layout                  string
}

// runColumns sizes CONNECTOR and EXIT to their longest value (so that the
// counts keep their room) and gives RUN the rest; when that is too little
// for a run id, CONNECTOR gives way first, as its words are the easiest
// to guess from a prefix, then STARTED drops the year.
func (m *model) runColumns() runCols {
	c := runCols{started: 16, layout: "2006-01-02 15:04", conn: len("CONNECTOR"), exit: len("EXIT")}
	longestID := len("RUN")
	for _, r := range m.runs {
		longestID = max(longestID, ansi.StringWidth(r.RunID))
		c.conn = max(c.conn, ansi.StringWidth(r.Connector))
		c.exit = max(c.exit, ansi.StringWidth(string(r.Exit.Reason)))
	}
	c.conn, c.exit = min(c.conn, 16), min(c.exit, 11)
	wantConn := c.conn
	// mark, STARTED, ROWS, BATCHES and the five gaps between six columns
	fixed := 2 + runRowsW + 7 + 5
	c.id = m.width - fixed - c.started - c.conn - c.exit
	if short := longestID - c.id; short > 0 {
		give := min(short, c.conn-len("CONNECTOR"))
		c.conn -= give
		c.id += give
	}
	if c.id < longestID {
		c.started, c.layout = 11, "01-02 15:04"
		c.id += 5
		back := min(max(c.id-longestID, 0), wantConn-c.conn)
		c.conn += back
		c.id -= back
	}
	c.id = max(c.id, 12)
	return c
}

// runList draws the past runs for inspect.
func (m *model) runList() string {
	if len(m.runs) == 0 {
		return m.st.dim.Render("no past runs in the state folder")
	}
	c := m.runColumns()
	lines := []string{m.st.header.Render(fit("  "+pad("RUN", c.id)+" "+pad("STARTED", c.started)+" "+pad("CONNECTOR", c.conn)+" "+pad("EXIT", c.exit)+" "+padLeft("ROWS", runRowsW)+" "+padLeft("BATCHES", 7), m.width))}
	h := max(m.bodyHeight()-1, 1)
	for i := m.runTop; i < min(m.runTop+h, len(m.runs)); i++ {
		r := m.runs[i]
		mark := "  "
		if i == m.runCursor {
			mark = "> "
		}
		started := r.Started
		if t, err := time.Parse(time.RFC3339, r.Started); err == nil {
			started = t.UTC().Format(c.layout)
		}
		exit := string(r.Exit.Reason)
		l := fit(mark+pad(r.RunID, c.id)+" "+pad(started, c.started)+" "+pad(r.Connector, c.conn)+" "+pad(exit, c.exit)+" "+padLeft(count(r.Rows()), runRowsW)+" "+padLeft(count(int64(len(r.Batches))), 7), m.width)
		if i == m.runCursor {
			l = m.st.cursor.Render(l)
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}
