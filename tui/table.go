package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"connector-dev/connectors"
)

// maxCell is the widest a table cell gets; longer values are cut with an
// ellipsis and shown whole in the row view.
const maxCell = 24

// cell renders one value as the table and the row view show it; ok is false
// for a null.
func cell(c *connectors.Column, i int) (s string, ok bool) {
	switch v := c.Value(i).(type) {
	case nil:
		return "NULL", false
	case string:
		return v, true
	case int64:
		return strconv.FormatInt(v, 10), true
	case float64:
		return number(v), true
	case bool:
		return strconv.FormatBool(v), true
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano), true
	default:
		return fmt.Sprint(v), true
	}
}

// oneLine makes a value safe for a single table row.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", "⏎", "\n", "⏎", "\r", "⏎", "\t", " ").Replace(s)
}

// rowTable draws a frame's rows: a 1-based row number, then the columns
// from left on, as many as fit. Only the visible rows are formatted.
type rowTable struct {
	st            *styles
	keys          *keyMap
	frame         *connectors.Frame
	widths        []int
	cursor, top   int
	left          int
	width, height int // height counts the header line
}

func newRowTable(st *styles, keys *keyMap, f *connectors.Frame) *rowTable {
	t := &rowTable{st: st, keys: keys, frame: f}
	cols := f.Columns()
	t.widths = make([]int, len(cols))
	sample := min(f.Len(), 500)
	for j, c := range cols {
		w := ansi.StringWidth(header(c))
		for i := 0; i < sample; i++ {
			s, _ := cell(c, i)
			w = max(w, ansi.StringWidth(oneLine(s)))
		}
		t.widths[j] = min(max(w, 4), maxCell)
	}
	return t
}

// header is a column's heading: name:type, with ? for nullable.
func header(c *connectors.Column) string {
	h := c.Name + ":" + c.Type.String()
	if c.Nullable {
		h += "?"
	}
	return h
}

// SetSize implements component; h counts the header line.
func (t *rowTable) SetSize(w, h int) { t.width, t.height = w, max(h, 2); t.clamp() }

// Init implements tea.Model.
func (t *rowTable) Init() tea.Cmd { return nil }

// Update implements tea.Model: the keys and the wheel move the cursor row
// and the columns shown.
func (t *rowTable) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case wheelMsg:
		t.move(int(msg))
	case tea.KeyMsg:
		k := t.keys
		switch {
		case key.Matches(msg, k.Up):
			t.move(-1)
		case key.Matches(msg, k.Down):
			t.move(1)
		case key.Matches(msg, k.PageUp):
			t.move(-t.rows())
		case key.Matches(msg, k.PageDown):
			t.move(t.rows())
		case key.Matches(msg, k.Top):
			t.goTo(0)
		case key.Matches(msg, k.Bottom):
			t.goTo(t.frame.Len() - 1)
		case key.Matches(msg, k.Left):
			t.shift(-1)
		case key.Matches(msg, k.Right):
			t.shift(1)
		}
	}
	return t, nil
}

// ShortHelp implements help.KeyMap.
func (t *rowTable) ShortHelp() []key.Binding { return []key.Binding{t.keys.Left, t.keys.Right} }

// FullHelp implements help.KeyMap.
func (t *rowTable) FullHelp() [][]key.Binding {
	k := t.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Left, k.Right}}
}

func (t *rowTable) rows() int { return max(t.height-1, 1) }

func (t *rowTable) numWidth() int { return max(len(count(int64(t.frame.Len()))), 1) + 2 }

func (t *rowTable) clamp() {
	n := t.frame.Len()
	t.cursor = max(min(t.cursor, n-1), 0)
	if t.cursor < t.top {
		t.top = t.cursor
	}
	if t.cursor >= t.top+t.rows() {
		t.top = t.cursor - t.rows() + 1
	}
	t.top = max(min(t.top, n-t.rows()), 0)
	t.left = max(min(t.left, t.frame.NumColumns()-1), 0)
}

func (t *rowTable) move(d int)  { t.cursor += d; t.clamp() }
func (t *rowTable) goTo(i int)  { t.cursor = i; t.clamp() }
func (t *rowTable) shift(d int) { t.left += d; t.clamp() }

// shown returns the columns [left, right) that fit the width.
func (t *rowTable) shown() (int, int) {
	room := t.width - t.numWidth()
	right := t.left
	for right < len(t.widths) && (right == t.left || room >= t.widths[right]+1) {
		room -= t.widths[right] + 1
		right++
	}
	return t.left, right
}

// status says where the view is: row and columns.
func (t *rowTable) status() string {
	if t.frame.Len() == 0 {
		return "no rows"
	}
	l, r := t.shown()
	return fmt.Sprintf("row %s of %s · columns %d-%d of %d", count(int64(t.cursor+1)), count(int64(t.frame.Len())), l+1, r, len(t.widths))
}

// View implements tea.Model: the header and the rows that fit.
func (t *rowTable) View() string {
	cols := t.frame.Columns()
	l, r := t.shown()
	nw := t.numWidth()
	var b strings.Builder
	hd := padLeft("#", nw-1) + " "
	for j := l; j < r; j++ {
		hd += pad(header(cols[j]), t.widths[j]) + " "
	}
	b.WriteString(t.st.header.Render(fit(strings.TrimRight(hd, " "), t.width)))
	for i := t.top; i < min(t.top+t.rows(), t.frame.Len()); i++ {
		b.WriteByte('\n')
		mark := " "
		if i == t.cursor {
			mark = ">"
		}
		line := mark + padLeft(count(int64(i+1)), nw-2) + " "
		var cells []string
		for j := l; j < r; j++ {
			s, ok := cell(cols[j], i)
			s = pad(oneLine(s), t.widths[j])
			if !ok {
				s = t.st.null.Render(s)
			}
			cells = append(cells, s)
		}
		line = fit(line+strings.Join(cells, " "), t.width)
		if i == t.cursor {
			line = t.st.cursor.Render(line)
		}
		b.WriteString(line)
	}
	return b.String()
}

// record lists row i whole: each column's heading, then its value wrapped.
func record(st *styles, f *connectors.Frame, i, width int) []string {
	var out []string
	for _, c := range f.Columns() {
		out = append(out, st.bold.Render(fit(header(c), width)))
		s, ok := cell(c, i)
		for _, part := range strings.Split(ansi.Hardwrap(s, max(width-2, 1), true), "\n") {
			if !ok {
				part = st.null.Render(part)
			}
			out = append(out, "  "+part)
		}
	}
	return out
}
