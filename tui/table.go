package tui

import (
	"fmt"
	"slices"
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
// for a null or an empty string, which are drawn dim. A null is ∅ and an empty string "" (both drawn dim), so
// neither reads as the other or as a blank cell.
func cell(c *connectors.Column, i int) (s string, ok bool) {
	switch v := c.Value(i).(type) {
	case nil:
		return nullMark, false
	case string:
		if v == "" {
			return emptyMark, false
		}
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

// nullMark and emptyMark stand for a null and an empty string in a cell.
const nullMark, emptyMark = "∅", `""`

// numeric says a column's values are numbers, drawn right-aligned.
func numeric(c *connectors.Column) bool {
	return c.Type == connectors.Int64 || c.Type == connectors.Float64
}

// oneLine makes a value safe for a single table row.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", "⏎", "\n", "⏎", "\r", "⏎", "\t", " ").Replace(s)
}

// rowTable draws a frame's rows: a 1-based row number, the key column
// (Id or id) pinned at the left, then the other columns from left on, as
// many as fit. A column cursor picks the column that find, sort and the
// frequency table work on. Rows show in view order (sorted, filtered);
// the number is a row's place in the batch. Only the visible rows are
// formatted.
type rowTable struct {
	st            *styles
	keys          *keyMap
	frame         *connectors.Frame
	widths        []int // per frame column
	cols          []int // frame columns in display order
	pinned        bool  // cols[0] is the key column, always shown
	cursor, top   int   // view positions
	col           int   // the column cursor: an index into cols
	left          int   // the first scrolled column shown: an index into cols
	width, height int   // height counts the header line

	sorted []int     // every row, sorted; nil: as stored
	sorts  []sortKey // the sorts asked for, latest first (for the status)
	filter *rowFilter
	view   []int    // the rows shown: sorted, then filtered; nil: all, as stored
	hit    *findHit // the find match shown, if in this batch
}

// findHit is a find match: a row and a column of the frame.
type findHit struct{ row, col int }

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
	t.cols, t.pinned = displayCols(f)
	if t.pinned {
		t.left = 1
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
// and the column cursor.
func (t *rowTable) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case wheelMsg:
		t.move(int(msg))
	case tea.KeyMsg:
		k := t.keys
		if d, ok := k.navDelta(msg, t.rows()); ok {
			t.move(d)
			return t, nil
		}
		switch {
		case key.Matches(msg, k.Left):
			t.shift(-1)
		case key.Matches(msg, k.Right):
			t.shift(1)
		case key.Matches(msg, k.SortAsc):
			t.sortBy(false)
		case key.Matches(msg, k.SortDesc):
			t.sortBy(true)
		}
	}
	return t, nil
}

// ShortHelp implements help.KeyMap.
func (t *rowTable) ShortHelp() []key.Binding {
	return []key.Binding{t.keys.Left, t.keys.Right, t.keys.SortAsc, t.keys.SortDesc}
}

// FullHelp implements help.KeyMap.
func (t *rowTable) FullHelp() [][]key.Binding {
	k := t.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Left, k.Right, k.SortAsc, k.SortDesc}}
}

func (t *rowTable) rows() int { return max(t.height-1, 1) }

func (t *rowTable) numWidth() int { return max(len(count(int64(t.frame.Len()))), 1) + 2 }

// n is the number of rows shown.
func (t *rowTable) n() int {
	if t.view != nil {
		return len(t.view)
	}
	return t.frame.Len()
}

// rowAt is the frame row at view position p.
func (t *rowTable) rowAt(p int) int {
	if t.view != nil {
		return t.view[p]
	}
	return p
}

// row is the frame row under the cursor, or -1 when none shows.
func (t *rowTable) row() int {
	if t.n() == 0 {
		return -1
	}
	return t.rowAt(t.cursor)
}

// colOf is the display index of frame column j.
func (t *rowTable) colOf(j int) int {
	for d, c := range t.cols {
		if c == j {
			return d
		}
	}
	return 0
}

// column is the frame column under the column cursor.
func (t *rowTable) column() *connectors.Column {
	if len(t.cols) == 0 {
		return nil
	}
	return t.frame.Columns()[t.cols[t.col]]
}

func (t *rowTable) clamp() {
	n := t.n()
	t.cursor = max(min(t.cursor, n-1), 0)
	if t.cursor < t.top {
		t.top = t.cursor
	}
	if t.cursor >= t.top+t.rows() {
		t.top = t.cursor - t.rows() + 1
	}
	t.top = max(min(t.top, n-t.rows()), 0)
	t.col = max(min(t.col, len(t.cols)-1), 0)
	first := 0
	if t.pinned {
		first = 1
	}
	t.left = max(min(t.left, len(t.cols)-1), first)
	// Scroll so the column cursor shows (the pinned column always does).
	if t.col >= first && t.col < t.left {
		t.left = t.col
	}
	for t.left < t.col {
		if _, r := t.shown(); t.col < r {
			break
		}
		t.left++
	}
}

func (t *rowTable) move(d int) { t.cursor += d; t.clamp() }
func (t *rowTable) goTo(i int) { t.cursor = i; t.clamp() }

// shift moves the column cursor by d columns; the view follows it.
func (t *rowTable) shift(d int) { t.col += d; t.clamp() }

// goToRow puts the cursor on frame row r (1-based in the prompt), when shown.
func (t *rowTable) goToRow(r int) bool {
	if t.view == nil {
		t.goTo(r)
		return r >= 0 && r < t.n()
	}
	for p, v := range t.view {
		if v == r {
			t.goTo(p)
			return true
		}
	}
	return false
}

// shown returns the scrolled columns [left, right) (indices into cols)
// that fit the width beside the row number and the pinned column.
func (t *rowTable) shown() (int, int) {
	room := t.width - t.numWidth()
	if t.pinned && len(t.cols) > 0 {
		room -= t.widths[t.cols[0]] + 1
	}
	right := t.left
	for right < len(t.cols) && (right == t.left || room >= t.widths[t.cols[right]]+1) {
		room -= t.widths[t.cols[right]] + 1
		right++
	}
	return t.left, right
}

// visible lists the columns drawn, indices into cols: the pinned one, then
// the scrolled ones that fit.
func (t *rowTable) visible() []int {
	var out []int
	if t.pinned && len(t.cols) > 0 {
		out = append(out, 0)
	}
	l, r := t.shown()
	for d := l; d < r; d++ {
		out = append(out, d)
	}
	return out
}

// sortBy sorts the rows by the cursor's column (the previous order breaks
// ties), keeps the filter, and puts the cursor on the first row.
func (t *rowTable) sortBy(desc bool) {
	if len(t.cols) == 0 {
		return
	}
	j := t.cols[t.col]
	t.sorted = sortRows(t.frame, t.sorted, j, desc)
	t.sorts = append([]sortKey{{col: j, desc: desc}}, slices.DeleteFunc(t.sorts, func(s sortKey) bool { return s.col == j })...)
	t.refilter()
	t.cursor, t.top = 0, 0
	t.clamp()
}

// setFilter shows only the rows rf keeps (nil: every row).
func (t *rowTable) setFilter(rf *rowFilter) {
	t.filter = rf
	t.refilter()
	t.cursor, t.top = 0, 0
	t.clamp()
}

func (t *rowTable) refilter() {
	t.view = t.sorted
	if t.filter != nil {
		t.view = filterRows(t.frame, t.sorted, *t.filter)
	}
}

// sortNote says how the rows are sorted: "sorted score↓ region↑".
func (t *rowTable) sortNote() string {
	if len(t.sorts) == 0 {
		return ""
	}
	parts := make([]string, 0, len(t.sorts))
	for _, s := range t.sorts {
		arrow := "↑"
		if s.desc {
			arrow = "↓"
		}
		parts = append(parts, t.frame.Columns()[s.col].Name+arrow)
	}
	return "sorted " + strings.Join(parts, " ")
}

// status says where the view is: the row, the column, the sort and filter.
func (t *rowTable) status() string {
	var where string
	switch {
	case t.frame.Len() == 0:
		return "no rows"
	case t.n() == 0:
		where = "no rows"
	default:
		where = fmt.Sprintf("row %s of %s", count(int64(t.row()+1)), count(int64(t.frame.Len())))
	}
	filter := ""
	if f := t.filter; f != nil {
		v := f.value
		if f.null {
			v = nullMark
		} else if v == "" {
			v = emptyMark
		}
		filter = fmt.Sprintf("%s = %s: %s", f.name, fit(oneLine(v), 16), plural(int64(t.n()), "row", "rows"))
	}
	return joinNonEmpty(" · ", filter, where, fmt.Sprintf("column %d of %d", t.col+1, len(t.cols)), t.sortNote())
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
