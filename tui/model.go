package tui

import (
	"context"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"connector-dev/harness"
)

// model is the program either page runs in: the live dashboard
// (RunDashboard) or the browser over past runs (Inspect). It draws the
// header, the body and the footer, owns the help overlay and the keys every
// page shares, and hands the rest to its page. It is a pointer so that
// components keep their state across Update without copying.
type model struct {
	st   *styles
	keys keyMap
	help help.Model

	width, height int
	showHelp      bool
	helpTop       int // first line of the key list shown, when it does not fit

	page page
	live *livePage // page, when it is a live run (nil in inspect)
}

func newModel(st *styles) *model {
	return &model{st: st, keys: newKeyMap(), help: st.helpModel(), width: 80, height: 24}
}

// newRunModel is the dashboard of a run that starts now.
func newRunModel(ctx context.Context, st *styles, info harness.RunInfo, r harness.BatchReader, cancel context.CancelFunc, now func() time.Time) *model {
	m := newModel(st)
	m.live = newLivePage(ctx, st, &m.keys, info, r, cancel, now)
	m.page = m.live
	m.layout()
	return m
}

// newInspectModel is the browser over past runs; no clock shows there.
func newInspectModel(ctx context.Context, st *styles, runs []harness.Report, open func(context.Context, string) (harness.BatchReader, error), _ func() time.Time) *model {
	m := newModel(st)
	m.page = newInspectPage(ctx, st, &m.keys, runs, open)
	m.layout()
	return m
}

// Init implements tea.Model.
func (m *model) Init() tea.Cmd { return m.page.Init() }

// Update implements tea.Model.
func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
	case tea.MouseMsg:
		if msg.Action == tea.MouseActionPress && (msg.Button == tea.MouseButtonWheelUp || msg.Button == tea.MouseButtonWheelDown) {
			d := 3
			if msg.Button == tea.MouseButtonWheelUp {
				d = -3
			}
			if m.showHelp {
				m.helpScroll(d)
			} else {
				m.page.Update(wheelMsg(d))
			}
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
	default:
		return m, cmdOf(m.page.Update(msg))
	}
	return m, nil
}

// key handles the keys every page shares, in the order they win: ctrl+c,
// then a page's question or prompt, then the help overlay, q and ?; the
// page gets the rest.
func (m *model) key(msg tea.KeyMsg) tea.Cmd {
	k := m.keys
	if key.Matches(msg, k.ForceQuit) {
		return m.page.quit(true)
	}
	if m.page.modal() || m.page.typing() {
		return cmdOf(m.page.Update(msg))
	}
	if m.showHelp {
		return m.helpKey(msg)
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m.page.quit(false)
	case key.Matches(msg, k.Help):
		m.showHelp, m.helpTop = true, 0
		return nil
	}
	return cmdOf(m.page.Update(msg))
}

// Layout: header (3 lines), body, footer (1 line).
const headerLines, footerLines = 3, 1

func (m *model) bodyHeight() int { return max(m.height-headerLines-footerLines, 3) }

// layout hands the page the body's size.
func (m *model) layout() {
	m.help.Width = m.width
	m.page.SetSize(m.width, m.bodyHeight())
}

// View implements tea.Model.
func (m *model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	body := m.page.View()
	if m.showHelp {
		body = m.helpView()
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
	return strings.Join(m.page.header(), "\n") + "\n" + strings.Join(lines, "\n") + "\n" + fit(m.footer(), m.width)
}
