package tui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"connector-dev/harness"
)

// DiffFunc compares two past runs by id, a the older: what `connector-dev
// diff A B` computes. main hands it to Inspect (Options.Diff), so the tui
// needs neither the state folder nor the S3 the batches are read from.
type DiffFunc func(ctx context.Context, a, b string) (*harness.DiffResult, error)

// diffLoadedMsg is the answer to a diff; gen tells a stale answer (the
// user went back and opened another) from the current one.
type diffLoadedMsg struct {
	gen int
	res *harness.DiffResult
	err error
}

// diffView shows the comparison of two marked runs as `connector-dev diff`
// prints it (the runs, the schema, the row counts, the samples), a line
// of text per line, scrolled by the keys; an error is one line.
type diffView struct {
	ctx           context.Context
	st            *styles
	keys          *keyMap
	width, height int

	a, b    string // run ids, a the older
	gen     int
	loading bool
	err     error
	lines   []string
	top     int
}

func newDiffView(ctx context.Context, st *styles, keys *keyMap) *diffView {
	return &diffView{ctx: ctx, st: st, keys: keys}
}

// Init implements tea.Model.
func (d *diffView) Init() tea.Cmd { return nil }

// SetSize implements component.
func (d *diffView) SetSize(w, h int) {
	d.width, d.height = w, max(h, 2)
	d.scroll(0)
}

// start computes the diff of a and b off the UI goroutine; a diff of
// millions of rows takes seconds and the screen must stay live.
func (d *diffView) start(fn DiffFunc, a, b string) tea.Cmd {
	d.close()
	d.a, d.b, d.loading = a, b, true
	if fn == nil {
		d.loading, d.err = false, fmt.Errorf("diff is not available here")
		return nil
	}
	gen, ctx := d.gen, d.ctx
	return func() tea.Msg {
		// The title line names the two runs; the error is shown bare.
		res, err := fn(ctx, a, b)
		return diffLoadedMsg{gen: gen, res: res, err: err}
	}
}

// close forgets the diff shown; an answer still on its way is stale.
func (d *diffView) close() {
	d.gen++
	d.loading, d.err, d.lines, d.top = false, nil, nil, 0
}

func (d *diffView) loaded(m diffLoadedMsg) {
	if m.gen != d.gen || !d.loading {
		return
	}
	d.loading = false
	if m.err != nil {
		d.err = safeErr(m.err)
		return
	}
	var sb strings.Builder
	if err := harness.WriteDiff(&sb, m.res, harness.SafeText); err != nil {
		d.err = safeErr(err)
		return
	}
	d.lines = strings.Split(strings.TrimRight(sb.String(), "\n"), "\n")
}

// room is how many lines of the diff show under the title line.
func (d *diffView) room() int { return max(d.height-1, 1) }

func (d *diffView) scroll(by int) {
	d.top = max(min(d.top+by, len(d.lines)-d.room()), 0)
}

// Update implements tea.Model: the keys and the wheel scroll.
func (d *diffView) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case diffLoadedMsg:
		d.loaded(msg)
	case wheelMsg:
		d.scroll(int(msg))
	case tea.KeyMsg:
		if by, ok := d.keys.navDelta(msg, d.room()); ok {
			d.scroll(by)
		}
	}
	return d, nil
}

// View implements tea.Model: a title line saying which lines show, then
// the diff, or what it is waiting for, or why it failed.
func (d *diffView) View() string {
	title := d.st.bold.Render("diff " + d.a + " -> " + d.b)
	switch {
	case d.err != nil:
		return fit(title, d.width) + "\n" + d.st.bad.Render(fit(d.err.Error(), d.width))
	case d.loading:
		return fit(title, d.width) + "\n" + d.st.dim.Render(fit("comparing the two runs...", d.width))
	}
	end := min(d.top+d.room(), len(d.lines))
	if len(d.lines) > d.room() {
		title += d.st.dim.Render(fmt.Sprintf(" · lines %d-%d of %d", d.top+1, end, len(d.lines)))
	}
	out := []string{fit(title, d.width)}
	for _, l := range d.lines[d.top:end] {
		out = append(out, fit(l, d.width))
	}
	return strings.Join(out, "\n")
}

// ShortHelp implements help.KeyMap.
func (d *diffView) ShortHelp() []key.Binding {
	k := d.keys
	return []key.Binding{k.Back, k.Up, k.Down}
}

// FullHelp implements help.KeyMap.
func (d *diffView) FullHelp() [][]key.Binding {
	k := d.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Back}}
}
