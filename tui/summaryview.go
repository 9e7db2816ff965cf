package tui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"connector-dev/harness"
)

// summaryLoadedMsg carries a run's column summary; gen tells a stale
// answer (the user left the view and opened it again) from the current one.
type summaryLoadedMsg struct {
	gen  int
	cols []harness.ColumnSummary
	err  error
}

// summaryView is the I view: for each column of the open run's batches
// its type, rows, nulls, distinct values, min, max and mean, as `inspect
// RUN --summary` prints them. It is computed off the UI goroutine, one
// batch at a time, by harness.Summarize.
type summaryView struct {
	st            *styles
	keys          *keyMap
	width, height int

	gen     int
	cancel  context.CancelFunc // stops the summary being computed
	loading bool
	err     error
	cols    []harness.ColumnSummary
	batches int
	rows    int64
	top     int
}

func newSummaryView(st *styles, keys *keyMap) *summaryView {
	return &summaryView{st: st, keys: keys}
}

// start reads the batches listed (each key once: a live run lists a batch
// when it is written and again when it is read) and summarizes them.
func (v *summaryView) start(ctx context.Context, r harness.BatchReader, items []batchItem) tea.Cmd {
	v.close()
	v.loading, v.err, v.cols, v.top, v.rows = true, nil, nil, 0, 0
	seen := map[string]bool{}
	var batches []harness.BatchInfo
	for _, it := range items {
		if !seen[it.info.Key] {
			seen[it.info.Key] = true
			batches = append(batches, it.info)
			v.rows += it.info.Rows
		}
	}
	v.batches = len(batches)
	if r == nil {
		v.loading, v.err = false, fmt.Errorf("no batch reader for this run")
		return nil
	}
	gen := v.gen
	ctx, v.cancel = context.WithCancel(ctx)
	return func() tea.Msg {
		cols, err := harness.Summarize(ctx, r, batches, harness.SummaryOptions{})
		return summaryLoadedMsg{gen: gen, cols: cols, err: err}
	}
}

// close leaves the view: the summary being computed stops reading batches,
// and an answer still coming is dropped.
func (v *summaryView) close() {
	v.gen++
	v.loading = false
	if v.cancel != nil {
		v.cancel()
		v.cancel = nil
	}
}

func (v *summaryView) loaded(m summaryLoadedMsg) {
	if m.gen != v.gen {
		return
	}
	v.loading, v.cols, v.err = false, m.cols, safeErr(m.err)
}

// SetSize implements component.
func (v *summaryView) SetSize(w, h int) { v.width, v.height = w, max(h, 3); v.scroll(0) }

// Init implements tea.Model.
func (v *summaryView) Init() tea.Cmd { return nil }

// Update implements tea.Model: the keys and the wheel scroll the columns.
func (v *summaryView) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case summaryLoadedMsg:
		v.loaded(msg)
	case wheelMsg:
		v.scroll(int(msg))
	case tea.KeyMsg:
		if d, ok := v.keys.navDelta(msg, v.rowsShown()); ok {
			v.scroll(d)
		}
	}
	return v, nil
}

// rowsShown is how many columns' lines fit under the title, the heading
// and the note about estimates.
func (v *summaryView) rowsShown() int { return max(v.height-3, 1) }

func (v *summaryView) scroll(d int) {
	v.top = max(min(v.top+d, len(v.cols)-v.rowsShown()), 0)
}

// ShortHelp implements help.KeyMap.
func (v *summaryView) ShortHelp() []key.Binding {
	return []key.Binding{v.keys.Back, v.keys.Up, v.keys.Down}
}

// FullHelp implements help.KeyMap.
func (v *summaryView) FullHelp() [][]key.Binding {
	k := v.keys
	return [][]key.Binding{{k.Back}, {k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}
}

// status says which columns are shown.
func (v *summaryView) status() string {
	if len(v.cols) == 0 {
		return ""
	}
	return fmt.Sprintf("columns %d-%d of %d", v.top+1, min(v.top+v.rowsShown(), len(v.cols)), len(v.cols))
}

// summaryCell is the widest a min or max gets: a timestamp, whole.
const summaryCell = 27

// summaryHeads are the view's columns; the counts and the mean are
// right-aligned, and min and max too in a column of numbers.
var summaryHeads = [...]string{"COLUMN", "TYPE", "ROWS", "NULLS", "DISTINCT", "MIN", "MAX", "MEAN"}

// cells are one column's values as the view shows them; null says min
// and max are NULL (shown apart from an empty string, which is "").
func summaryCells(c harness.ColumnSummary) (cells [8]string, null bool) {
	cells = [8]string{oneLine(harness.SafeText(c.Column)), c.Type.String(), count(c.Rows), count(c.Nulls), harness.SummaryDistinct(c),
		oneLine(harness.SafeText(harness.SummaryValue(c.Min))), oneLine(harness.SafeText(harness.SummaryValue(c.Max))), harness.SummaryMean(c.Mean)}
	return cells, c.Min == nil
}

// widths are the columns' widths: each as wide as its longest value,
// the name capped at maxCell and the extremes at summaryCell, narrowed
// further (to 8) when the line would not fit.
func (v *summaryView) widths() [8]int {
	var w [8]int
	for j, h := range summaryHeads {
		w[j] = len(h)
	}
	for _, c := range v.cols {
		cells, _ := summaryCells(c)
		for j, s := range cells {
			w[j] = max(w[j], ansi.StringWidth(s))
		}
	}
	w[0], w[5], w[6] = min(w[0], maxCell), min(w[5], summaryCell), min(w[6], summaryCell)
	total := len(w) - 1
	for _, n := range w {
		total += n
	}
	for over := total - v.width; over > 0 && (w[5] > 8 || w[6] > 8); over-- {
		if w[5] >= w[6] && w[5] > 8 {
			w[5]--
		} else {
			w[6]--
		}
	}
	return w
}

// View implements tea.Model: a title, the heading and a line a column.
func (v *summaryView) View() string {
	title := fmt.Sprintf("summary of %s · %s", plural(int64(v.batches), "batch", "batches"), plural(v.rows, "row", "rows"))
	lines := []string{v.st.bold.Render(fit(title, v.width))}
	switch {
	case v.loading:
		return strings.Join(append(lines, v.st.dim.Render(fit("reading the batches one at a time …", v.width))), "\n")
	case v.err != nil:
		return strings.Join(append(lines, v.st.bad.Render(fit(v.err.Error(), v.width))), "\n")
	case len(v.cols) == 0:
		return strings.Join(append(lines, v.st.dim.Render("no columns")), "\n")
	}
	w := v.widths()
	var head []string
	for j, h := range summaryHeads {
		if j >= 2 && j != 5 && j != 6 {
			head = append(head, padLeft(h, w[j]))
		} else {
			head = append(head, pad(h, w[j]))
		}
	}
	lines = append(lines, v.st.header.Render(fit(strings.TrimRight(strings.Join(head, " "), " "), v.width)))
	estimated := false
	for _, c := range v.cols[v.top:min(v.top+v.rowsShown(), len(v.cols))] {
		cells, null := summaryCells(c)
		num := harness.IsNumber(c.Type)
		var out []string
		for j, s := range cells {
			right := j >= 2 && j != 5 && j != 6 || (num && (j == 5 || j == 6))
			if right {
				s = padLeft(s, w[j])
			} else {
				s = pad(s, w[j])
			}
			if null && (j == 5 || j == 6) {
				s = v.st.null.Render(s)
			}
			out = append(out, s)
		}
		lines = append(lines, fit(strings.TrimRight(strings.Join(out, " "), " "), v.width))
	}
	for _, c := range v.cols {
		estimated = estimated || c.DistinctEstimated
	}
	if estimated {
		lines = append(lines, v.st.dim.Render(fit(fmt.Sprintf("~ estimated: distinct values are counted exactly up to %s a column", count(harness.DefaultExactDistinct)), v.width)))
	}
	return strings.Join(lines, "\n")
}

// summaryKey is the I view's share of the batch browser's keys: I on the
// batch list or the rows table opens it, esc goes back, and while it is
// shown it takes the other keys. handled is false for keys it leaves.
func (b *batchBrowser) summaryKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	switch {
	case b.onSummary && key.Matches(msg, b.keys.Back):
		b.onSummary = false
		b.summary.close()
		return nil, true
	case b.onSummary:
		if key.Matches(msg, b.keys.Tab) {
			return nil, false
		}
		b.summary.Update(msg)
		return nil, true
	case key.Matches(msg, b.keys.Summary) && !b.inputActive() && (!b.open || b.rowsShown()) && len(b.items) > 0:
		b.onSummary = true
		b.summary.SetSize(b.width, b.height)
		return b.summary.start(b.ctx, b.reader, b.items), true
	}
	return nil, false
}
