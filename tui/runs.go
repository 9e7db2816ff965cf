package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"connector-dev/harness"
)

// runList is inspect's list of past runs, newest first; enter opens the
// run under the cursor (open reads its batches).
type runList struct {
	ctx           context.Context
	st            *styles
	keys          *keyMap
	runs          []harness.Report
	cursor, top   int
	width, height int
	open          func(ctx context.Context, runID string) (harness.BatchReader, error)
	marked        []string // run ids marked for diff, at most two, first marked first
}

// runOpenedMsg is the answer to opening a past run's batches.
type runOpenedMsg struct {
	rep    harness.Report
	reader harness.BatchReader
	err    error
}

func newRunList(ctx context.Context, st *styles, keys *keyMap, runs []harness.Report, open func(context.Context, string) (harness.BatchReader, error)) *runList {
	return &runList{ctx: ctx, st: st, keys: keys, runs: runs, open: open}
}

// Init implements tea.Model.
func (l *runList) Init() tea.Cmd { return nil }

// SetSize implements component; h counts the header line.
func (l *runList) SetSize(w, h int) { l.width, l.height = w, h }

// Update implements tea.Model: keys and the wheel move the cursor; enter
// opens the run under it.
func (l *runList) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case wheelMsg:
		l.move(int(msg))
	case tea.KeyMsg:
		k := l.keys
		if d, ok := k.navDelta(msg, l.height); ok {
			l.move(d)
			return l, nil
		}
		switch {
		case key.Matches(msg, k.Open):
			return l, l.openCursor()
		case key.Matches(msg, k.Mark):
			l.toggleMark()
		}
	}
	return l, nil
}

// ShortHelp implements help.KeyMap: d once two runs are marked.
func (l *runList) ShortHelp() []key.Binding {
	k := l.keys
	keys := []key.Binding{k.Open, k.Up, k.Down, k.Mark}
	if len(l.marked) == 2 {
		keys = append(keys, k.Diff)
	}
	return keys
}

// FullHelp implements help.KeyMap.
func (l *runList) FullHelp() [][]key.Binding {
	k := l.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {k.Open, k.Mark, k.Diff}}
}

func (l *runList) move(d int) {
	l.cursor = max(min(l.cursor+d, len(l.runs)-1), 0)
	h := max(l.height-1, 1)
	if l.cursor < l.top {
		l.top = l.cursor
	}
	if l.cursor >= l.top+h {
		l.top = l.cursor - h + 1
	}
}

func (l *runList) openCursor() tea.Cmd {
	if len(l.runs) == 0 || l.open == nil {
		return nil
	}
	rep, open, ctx := l.runs[l.cursor], l.open, l.ctx
	return func() tea.Msg {
		r, err := open(ctx, rep.RunID)
		if err != nil {
			err = fmt.Errorf("open run %s: %w", rep.RunID, err)
		}
		return runOpenedMsg{rep: rep, reader: r, err: err}
	}
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
func (l *runList) runColumns() runCols {
	c := runCols{started: 16, layout: "2006-01-02 15:04", conn: len("CONNECTOR"), exit: len("EXIT")}
	longestID := len("RUN")
	for _, r := range l.runs {
		longestID = max(longestID, ansi.StringWidth(r.RunID))
		c.conn = max(c.conn, ansi.StringWidth(r.Connector))
		c.exit = max(c.exit, ansi.StringWidth(string(r.Exit.Reason)))
	}
	c.conn, c.exit = min(c.conn, 16), min(c.exit, 11)
	wantConn := c.conn
	// mark, STARTED, ROWS, BATCHES and the five gaps between six columns
	fixed := 2 + runRowsW + 7 + 5
	c.id = l.width - fixed - c.started - c.conn - c.exit
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

// View implements tea.Model: a line per past run, the cursor's marked.
func (l *runList) View() string {
	if len(l.runs) == 0 {
		return l.st.dim.Render("no past runs in the state folder")
	}
	c := l.runColumns()
	lines := []string{l.st.header.Render(fit("  "+pad("RUN", c.id)+" "+pad("STARTED", c.started)+" "+pad("CONNECTOR", c.conn)+" "+pad("EXIT", c.exit)+" "+padLeft("ROWS", runRowsW)+" "+padLeft("BATCHES", 7), l.width))}
	h := max(l.height-1, 1)
	for i := l.top; i < min(l.top+h, len(l.runs)); i++ {
		r := l.runs[i]
		mark := []byte("  ")
		if i == l.cursor {
			mark[0] = '>'
		}
		if l.isMarked(r.RunID) {
			mark[1] = '*'
		}
		started := r.Started
		if t, err := time.Parse(time.RFC3339, r.Started); err == nil {
			started = t.UTC().Format(c.layout)
		}
		exit := string(r.Exit.Reason)
		line := fit(string(mark)+pad(r.RunID, c.id)+" "+pad(started, c.started)+" "+pad(r.Connector, c.conn)+" "+pad(exit, c.exit)+" "+padLeft(count(r.Rows()), runRowsW)+" "+padLeft(count(int64(len(r.Batches))), 7), l.width)
		if i == l.cursor {
			line = l.st.cursor.Render(line)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
