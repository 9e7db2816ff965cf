package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"connector-dev/harness"
)

// filterNames name the level filter's steps; step i shows the lines whose
// harness.Level.Rank is at least i.
var filterNames = [...]string{"all", "info+", "warn+", "error"}

// logPane is the live log: a ring of the latest lines, of which it draws only
// the visible ones. It follows the tail until the user scrolls up, and
// follows again once they are back at the bottom. Its position is the seq
// of the top line, so lines arriving or leaving the ring do not move what
// the user is reading.
type logPane struct {
	st            *styles
	keys          *keyMap
	lines         *ring[logLine]
	total         int64 // lines the run has logged
	width, height int

	follow   bool
	topSeq   int64
	minLevel int
	wrap     bool // long lines go on over several rows instead of being cut

	searching bool
	input     textinput.Model
	query     string
	matchSeq  int64 // the current match; -1 for none
}

func newLogPane(st *styles, keys *keyMap, capacity int) *logPane {
	return &logPane{st: st, keys: keys, lines: newRing[logLine](capacity), follow: true, input: st.input("/"), matchSeq: -1}
}

// SetSize implements component.
func (p *logPane) SetSize(w, h int) {
	p.width, p.height = w, max(h, 1)
	p.input.Width = max(w-4, 1)
}

func (p *logPane) add(lines []logLine) {
	for _, l := range lines {
		p.lines.push(l)
		p.total = max(p.total, l.seq+1)
	}
}

// visible lists the ring positions that pass the level filter, oldest first.
func (p *logPane) visible() []int {
	out := make([]int, 0, p.lines.len())
	for i := 0; i < p.lines.len(); i++ {
		if p.lines.at(i).level.Rank() >= p.minLevel {
			out = append(out, i)
		}
	}
	return out
}

// lastTop is the index into vis of the first line drawn when the view is at
// the bottom. When wrapping, it counts the rows of the last lines only, so
// the cost stays at one screenful however long the log is.
func (p *logPane) lastTop(vis []int) int {
	if !p.wrap {
		return max(len(vis)-p.height, 0)
	}
	rows := 0
	for i := len(vis) - 1; i >= 0; i-- {
		rows += len(p.renderRows(p.lines.at(vis[i])))
		if rows >= p.height {
			return i
		}
	}
	return 0
}

// top is the index into vis of the first line drawn.
func (p *logPane) top(vis []int) int {
	last := p.lastTop(vis)
	if p.follow {
		return last
	}
	for i, pos := range vis {
		if p.lines.at(pos).seq >= p.topSeq {
			return min(i, last)
		}
	}
	return last
}

// setTop moves the view to index t of vis; reaching the bottom resumes follow.
func (p *logPane) setTop(vis []int, t int) {
	last := p.lastTop(vis)
	t = max(min(t, last), 0)
	if t == last {
		p.follow = true
		return
	}
	p.follow = false
	p.topSeq = p.lines.at(vis[t]).seq
}

func (p *logPane) scroll(delta int) {
	vis := p.visible()
	p.setTop(vis, p.top(vis)+delta)
}

func (p *logPane) matches(l logLine) bool {
	return p.query != "" && len(matchSpans(l.msg, p.query)) > 0
}

// jump moves to the next (dir 1) or previous (dir -1) match from the current
// one, or from the bottom of the view when there is none, and shows it.
func (p *logPane) jump(dir int) {
	if p.query == "" {
		return
	}
	vis := p.visible()
	if len(vis) == 0 {
		return
	}
	t := p.top(vis)
	from := -1
	for i, pos := range vis {
		if p.lines.at(pos).seq == p.matchSeq {
			from = i
		}
	}
	if from < 0 {
		if dir > 0 {
			from = t - 1
		} else {
			from = min(t+p.height, len(vis))
		}
	}
	for i := from + dir; i >= 0 && i < len(vis); i += dir {
		if l := p.lines.at(vis[i]); p.matches(l) {
			p.matchSeq = l.seq
			if i < t || i >= t+p.height {
				p.setTop(vis, i-p.height/2)
			}
			return
		}
	}
}

// matchCount counts the kept lines that match the search.
func (p *logPane) matchCount() (n, at int) {
	for _, pos := range p.visible() {
		if l := p.lines.at(pos); p.matches(l) {
			n++
			if l.seq == p.matchSeq {
				at = n
			}
		}
	}
	return n, at
}

// Init implements tea.Model.
func (p *logPane) Init() tea.Cmd { return nil }

// Update implements tea.Model: keys and the wheel scroll, filter and
// search the log.
func (p *logPane) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		cmd, _ := p.update(msg)
		return p, cmd
	case wheelMsg:
		p.scroll(int(msg))
	}
	return p, nil
}

// ShortHelp implements help.KeyMap: the keys a user reaching the log wants
// first (up and down need no telling).
func (p *logPane) ShortHelp() []key.Binding {
	k := p.keys
	return []key.Binding{k.Search, k.Next, k.Filter, k.Bottom, k.Wrap}
}

// FullHelp implements help.KeyMap.
func (p *logPane) FullHelp() [][]key.Binding {
	k := p.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Filter, k.Search, k.Next, k.Prev, k.Wrap},
	}
}

// update handles a key for the pane; handled is false when the key is not its.
func (p *logPane) update(msg tea.KeyMsg) (cmd tea.Cmd, handled bool) {
	if p.searching {
		switch msg.Type {
		case tea.KeyEnter:
			p.searching = false
			p.input.Blur()
			p.query = p.input.Value()
			p.matchSeq = -1
			p.jump(-1)
			return nil, true
		case tea.KeyEsc:
			p.searching = false
			p.input.Blur()
			return nil, true
		}
		p.input, cmd = p.input.Update(msg)
		return cmd, true
	}
	k := p.keys
	if d, ok := k.navDelta(msg, max(p.height-1, 1)); ok {
		p.scroll(d) // to the bottom is to follow: setTop says so at the last line
		return nil, true
	}
	switch {
	case key.Matches(msg, k.Filter):
		vis := p.visible()
		var anchor int64 = -1
		if !p.follow && len(vis) > 0 {
			anchor = p.lines.at(vis[p.top(vis)]).seq
		}
		p.minLevel = (p.minLevel + 1) % len(filterNames)
		if anchor >= 0 {
			p.topSeq = anchor
		}
	case key.Matches(msg, k.Search):
		p.searching = true
		p.input.SetValue(p.query)
		p.input.CursorEnd()
		return p.input.Focus(), true
	case key.Matches(msg, k.Wrap):
		vis := p.visible()
		var anchor int64 = -1
		if !p.follow && len(vis) > 0 {
			anchor = p.lines.at(vis[p.top(vis)]).seq
		}
		p.wrap = !p.wrap
		if anchor >= 0 {
			p.topSeq = anchor
		}
	case key.Matches(msg, k.Next):
		p.jump(1)
	case key.Matches(msg, k.Prev):
		p.jump(-1)
	case msg.Type == tea.KeyEsc && p.query != "":
		p.query, p.matchSeq = "", -1
	default:
		return nil, false
	}
	return nil, true
}

// title is the pane's heading: mode, filter, search and what the ring holds.
func (p *logPane) title() string {
	mode := "follow"
	if !p.follow {
		mode = "paused"
	}
	parts := []string{"log", mode, "level " + filterNames[p.minLevel]}
	if p.wrap {
		parts = append(parts, "wrap")
	}
	if p.query != "" {
		n, at := p.matchCount()
		parts = append(parts, fmt.Sprintf("/%s %s/%s", p.query, count(int64(at)), count(int64(n))))
	}
	if p.total > int64(p.lines.len()) {
		parts = append(parts, fmt.Sprintf("last %s of %s lines", count(int64(p.lines.len())), count(p.total)))
	}
	return strings.Join(parts, " · ")
}

// View draws exactly height lines, rendering only the log lines on screen.
func (p *logPane) View() string {
	vis := p.visible()
	t := p.top(vis)
	rows := make([]string, 0, p.height)
	if p.wrap && t == p.lastTop(vis) {
		// At the bottom the newest line must show whole, so fill from
		// there; the top line may lose its first rows.
		for i := t; i < len(vis); i++ {
			rows = append(rows, p.renderRows(p.lines.at(vis[i]))...)
		}
		rows = rows[max(len(rows)-p.height, 0):]
	} else {
		for i := t; i < len(vis) && len(rows) < p.height; i++ {
			rows = append(rows, p.renderRows(p.lines.at(vis[i]))...)
		}
		rows = rows[:min(len(rows), p.height)]
	}
	for len(rows) < p.height {
		rows = append(rows, "")
	}
	return strings.Join(rows, "\n")
}

var levelTags = map[harness.Level]string{harness.LevelDebug: "DBG", harness.LevelInfo: "INF", harness.LevelWarn: "WRN", harness.LevelError: "ERR"}

// renderRows draws one log line: one row cut to the width, or when
// wrapping, as many rows as the message needs, indented under its start.
func (p *logPane) renderRows(l logLine) []string {
	tag, ok := levelTags[l.level]
	if !ok {
		tag = strings.ToUpper(pad(string(l.level), 3))
	}
	mark := " "
	if p.matchSeq >= 0 && l.seq == p.matchSeq {
		mark = ">"
	}
	ts := "        "
	if !l.time.IsZero() {
		ts = l.time.Format("15:04:05")
	}
	stage := l.stage
	if stage == "" {
		stage = "run"
	}
	head := fmt.Sprintf("%s%s %s %s ", mark, ts, tag, pad(stage, 11))
	headW := ansi.StringWidth(head)
	room := p.width - headW
	msg := strings.ReplaceAll(l.msg, "\n", "⏎")
	msg = strings.ReplaceAll(msg, "\t", " ")
	if room <= 0 {
		return []string{fit(head, p.width)}
	}
	styled := p.st.dim.Render(mark+ts) + " " + p.st.level(l.level).Render(tag) + " " + p.st.dim.Render(pad(stage, 11)) + " "
	if !p.wrap {
		return []string{styled + p.highlight(fit(msg, room))}
	}
	// Log lines are full of URLs and JSON: break after / and , too, so a
	// long one does not leave most of the row above it empty.
	parts := strings.Split(ansi.Wrap(msg, room, "/,"), "\n")
	out := make([]string, len(parts))
	for i, part := range parts {
		part = p.highlight(strings.TrimRight(part, " "))
		if i == 0 {
			out[i] = styled + part
		} else {
			out[i] = strings.Repeat(" ", headW) + part
		}
	}
	return out
}

// highlight styles the search matches in a plain string.
func (p *logPane) highlight(s string) string {
	spans := matchSpans(s, p.query)
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	at := 0
	for _, sp := range spans {
		b.WriteString(s[at:sp[0]])
		b.WriteString(p.st.match.Render(s[sp[0]:sp[1]]))
		at = sp[1]
	}
	b.WriteString(s[at:])
	return b.String()
}

// matchSpans finds the byte ranges of q in s: case-insensitive unless q has
// an upper-case letter (smart case).
func matchSpans(s, q string) [][2]int {
	if q == "" {
		return nil
	}
	hay := s
	if strings.ToLower(q) == q {
		if l := strings.ToLower(s); len(l) == len(s) {
			hay = l
		}
	}
	var out [][2]int
	for at := 0; at <= len(hay)-len(q); {
		i := strings.Index(hay[at:], q)
		if i < 0 {
			break
		}
		out = append(out, [2]int{at + i, at + i + len(q)})
		at += i + len(q)
	}
	return out
}
