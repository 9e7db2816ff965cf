package tui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"connector-dev/harness"
)

// freqView is the frequency table of one column (F): each value, its
// count, its share and a bar, most frequent first, over the open batch or
// the whole run (a toggles). Enter filters the rows to the value under the
// cursor.
type freqView struct {
	st     *styles
	keys   *keyMap
	filter key.Binding // enter, described as what it does here

	col     string // the column counted
	typ     string
	run     bool   // the whole run, not the open batch
	where   string // what was counted: "batch 2" or "whole run"
	batches int    // read so far (whole run)
	of      int    // to read (whole run)
	done    bool
	err     error

	counter *freqCounter
	entries []freqEntry

	cursor, top   int
	width, height int
}

// freqStepMsg is one batch counted for a whole-run frequency table: the
// counter goes back and forth between the UI and the read of the next
// batch, so only one of them holds it at a time.
type freqStepMsg struct {
	gen     int
	col     string
	keys    []string
	next    int
	counter *freqCounter
	err     error
}

func (m freqStepMsg) browseGen() int { return m.gen }

// openFreq opens the frequency table of the cursor's column, over the
// open batch (counted at once: it is in memory) or the whole run (read a
// batch at a time, off the UI goroutine, keeping counts, never rows).
func (b *batchBrowser) openFreq(run bool) tea.Cmd {
	c := b.table.column()
	if c == nil {
		return nil
	}
	b.browse.gen++
	v := &freqView{st: b.st, keys: b.keys, col: c.Name, typ: c.Type.String(), run: run,
		filter: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "filter rows to it"))}
	v.SetSize(b.width, b.height-1)
	b.browse.freq = v
	keys, _ := b.runKeys()
	if !run || len(keys) <= 1 || b.reader == nil {
		v.where = "batch " + count(int64(b.item.info.Index))
		v.counter = newFreqCounter(freqLimit)
		v.counter.addColumn(c)
		v.finish()
		return nil
	}
	v.where, v.of = "whole run", len(keys)
	return freqStep(b.ctx, b.reader, freqStepMsg{gen: b.browse.gen, col: c.Name, keys: keys, counter: newFreqCounter(freqLimit)})
}

// freqStep reads batch keys[next] and counts its column.
func freqStep(ctx context.Context, r harness.BatchReader, m freqStepMsg) tea.Cmd {
	return func() tea.Msg {
		k := m.keys[m.next]
		f, _, err := r.ReadBatch(ctx, k)
		if err != nil {
			m.err = fmt.Errorf("count stopped: read batch %s: %w", k, err)
			return m
		}
		f = safeFrame(f)
		if c := f.Col(m.col); c != nil {
			m.counter.addColumn(c)
		}
		m.next++
		return m
	}
}

// freqAnswer takes one counted batch: the next is read, or the table is done.
func (b *batchBrowser) freqAnswer(m freqStepMsg) tea.Cmd {
	v := b.browse.freq
	if v == nil || !v.run {
		return nil
	}
	if m.err != nil {
		v.err = safeErr(m.err)
		return nil
	}
	v.batches = m.next
	if m.next < len(m.keys) {
		return freqStep(b.ctx, b.reader, m)
	}
	v.counter = m.counter
	v.finish()
	return nil
}

func (v *freqView) finish() {
	v.done = true
	v.entries = v.counter.entries()
	v.clamp() // after entries: the note, and so the rows, depend on them
}

// freqKey answers a key on the frequency table; handled is false for the
// keys of the batch's tabs (r, s, m), which work here too.
func (b *batchBrowser) freqKey(msg tea.KeyMsg) (cmd tea.Cmd, handled bool) {
	v, k := b.browse.freq, b.keys
	switch {
	case key.Matches(msg, k.Rows), key.Matches(msg, k.Schema), key.Matches(msg, k.Meta):
		return nil, false
	case key.Matches(msg, k.Back), key.Matches(msg, k.Freq):
		b.stopBrowse()
	case key.Matches(msg, k.Scope):
		return b.openFreq(!v.run), true
	case key.Matches(msg, v.filter):
		if v.done && v.cursor < len(v.entries) {
			e := v.entries[v.cursor]
			if j := colIndex(b.table.frame, v.col); j >= 0 {
				b.table.setFilter(&rowFilter{col: j, name: v.col, value: e.value, null: e.null})
			}
			b.stopBrowse()
		}
	default:
		if d, ok := k.navDelta(msg, v.rows()); ok {
			v.move(d)
		}
	}
	return nil, true
}

// SetSize implements component.
func (v *freqView) SetSize(w, h int) { v.width, v.height = w, max(h, 3); v.clamp() }

// rows is how many values show: the title, the note and the header take
// two or three lines.
func (v *freqView) rows() int {
	if v.note() != "" {
		return max(v.height-3, 1)
	}
	return max(v.height-2, 1)
}

func (v *freqView) move(d int) { v.cursor += d; v.clamp() }

func (v *freqView) clamp() {
	n := len(v.entries)
	v.cursor = max(min(v.cursor, n-1), 0)
	if v.cursor < v.top {
		v.top = v.cursor
	}
	if v.cursor >= v.top+v.rows() {
		v.top = v.cursor - v.rows() + 1
	}
	v.top = max(min(v.top, n-v.rows()), 0)
}

// title says what was counted, and how exactly.
func (v *freqView) title() string {
	t := "frequency of " + v.col + ":" + v.typ + " · " + v.where
	switch {
	case v.err != nil:
		return t
	case !v.done:
		return t + fmt.Sprintf(" · counting, %d of %s read…", v.batches, plural(int64(v.of), "batch", "batches"))
	}
	if v.run {
		t += " (" + plural(int64(v.of), "batch", "batches") + ")"
	}
	t += " · " + plural(v.counter.rows, "row", "rows") + " · " + v.valuesLabel()
	return t
}

// valuesLabel counts the distinct values as the summary does, nulls apart
// ("6 values + null"); a table that dropped values says its count is a
// lower bound, the same way whatever was kept.
func (v *freqView) valuesLabel() string {
	fc := v.counter
	var s string
	if fc.pruned {
		s = "≥ " + count(int64(fc.limit)) + " values (approximate)"
	} else {
		s = plural(int64(len(fc.counts)), "value", "values")
	}
	if fc.nulls > 0 {
		s += " + null"
	}
	return s
}

// note is the line under the title of a table that had to drop values.
func (v *freqView) note() string {
	if !v.done || v.counter == nil || !v.counter.pruned {
		return ""
	}
	return fmt.Sprintf("approximate: over %s distinct values, the rarest were dropped as counted (%s rows); counts are at least these",
		count(int64(v.counter.limit)), count(v.counter.dropped))
}

// View implements tea.Model: the title, a header and the values that fit.
func (v *freqView) View() string {
	lines := []string{v.st.bold.Render(fit(v.title(), v.width))}
	switch {
	case v.err != nil:
		return strings.Join(append(lines, v.st.bad.Render(fit(v.err.Error(), v.width))), "\n")
	case !v.done:
		return strings.Join(lines, "\n")
	}
	var most int64
	vw, cw := len("VALUE"), len("COUNT")
	for i, e := range v.entries {
		most = max(most, e.count)
		cw = max(cw, len(count(e.count)))
		if i < 1000 { // wide enough for the first values; a long tail is cut
			vw = max(vw, len([]rune(freqLabel(e))))
		}
	}
	vw = min(vw, maxCell, max(v.width/3, 5))
	barW := min(max(v.width-(2+vw+1+cw+1+7+1), 0), 40)
	if n := v.note(); n != "" {
		lines = append(lines, v.st.warn.Render(fit(n, v.width)))
	}
	head := "  " + pad("VALUE", vw) + " " + padLeft("COUNT", cw) + " " + padLeft("PERCENT", 7)
	lines = append(lines, v.st.header.Render(fit(head, v.width)))
	total := v.counter.rows
	for i := v.top; i < min(v.top+v.rows(), len(v.entries)); i++ {
		e := v.entries[i]
		mark := "  "
		if i == v.cursor {
			mark = "> "
		}
		label := pad(oneLine(freqLabel(e)), vw)
		if e.null || e.value == "" {
			label = v.st.null.Render(label)
		}
		pct := 0.0
		if total > 0 {
			pct = 100 * float64(e.count) / float64(total)
		}
		rest := " " + padLeft(count(e.count), cw) + " " + padLeft(fmt.Sprintf("%.1f%%", pct), 7) + " " + v.st.barFull.Render(bar(e.count, most, barW))
		l := fit(mark+label+rest, v.width)
		if i == v.cursor {
			l = v.st.cursor.Render(l)
		}
		lines = append(lines, l)
	}
	if len(v.entries) == 0 {
		lines = append(lines, v.st.dim.Render("no rows"))
	}
	return strings.Join(lines, "\n")
}

// freqLabel is how a value shows in the table: ∅ for null, "" for empty.
func freqLabel(e freqEntry) string {
	switch {
	case e.null:
		return nullMark
	case e.value == "":
		return emptyMark
	}
	return e.value
}

// bar is n of most drawn in width cells, to an eighth of a cell.
func bar(n, most int64, width int) string {
	if most <= 0 || width <= 0 {
		return ""
	}
	eighths := int(float64(n) / float64(most) * float64(width*8))
	if n > 0 && eighths == 0 {
		eighths = 1 // a value that is there shows
	}
	s := strings.Repeat("█", eighths/8)
	if r := eighths % 8; r > 0 {
		s += string([]rune("▏▎▍▌▋▊▉")[r-1])
	}
	return s
}

// status is where the cursor is in the table.
func (v *freqView) status() string {
	if !v.done || len(v.entries) == 0 {
		return ""
	}
	return fmt.Sprintf("value %s of %s", count(int64(v.cursor+1)), count(int64(len(v.entries))))
}

// ShortHelp lists the frequency table's keys.
func (v *freqView) ShortHelp() []key.Binding {
	k := v.keys
	return []key.Binding{k.Back, v.filter, k.Scope, k.Up, k.Down}
}

// FullHelp lists the frequency table's keys in groups.
func (v *freqView) FullHelp() [][]key.Binding {
	k := v.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {v.filter, k.Scope, k.Freq}}
}

// Init implements tea.Model.
func (v *freqView) Init() tea.Cmd { return nil }

// Update implements tea.Model: the wheel scrolls (keys come through freqKey).
func (v *freqView) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if d, ok := msg.(wheelMsg); ok {
		v.move(int(d))
	}
	return v, nil
}
