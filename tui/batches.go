package tui

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"connector-dev/connectors"
	"connector-dev/harness"
)

// batchItem is one line of the batch list.
type batchItem struct {
	stage string
	info  harness.BatchInfo
	took  time.Duration // the stage's time for it, live runs only (batchbars.go)
}

// batchLoadedMsg carries a batch read for the detail view; gen tells a stale
// answer (the user went back and opened another) from the current one.
type batchLoadedMsg struct {
	gen   int
	frame *connectors.Frame
	meta  harness.ObjectMeta
	err   error
}

// detail tabs
const (
	tabRows = iota
	tabSchema
	tabMeta
)

// batchBrowser is the list of batches and, once one is opened, its rows,
// schema and object metadata. The dashboard feeds it live; inspect fills it
// from a past run's report.
type batchBrowser struct {
	ctx           context.Context // reads of batches end with it
	st            *styles
	keys          *keyMap
	reader        harness.BatchReader
	items         []batchItem
	cursor, top   int
	width, height int

	open      bool // the detail view is shown
	gen       int
	item      batchItem
	loading   bool
	err       error
	frame     *connectors.Frame
	meta      harness.ObjectMeta
	tab       int
	table     *rowTable
	scroll    int  // first line of the schema, meta or row view
	whole     bool // the row view of the table's cursor row
	jumping   bool
	jump      textinput.Model
	browse    browseState  // find and the frequency table on the rows
	summary   *summaryView // the I view (summaryview.go)
	onSummary bool
	clock     batchClock // times each batch of a live run (batchbars.go)
}

func newBatchBrowser(ctx context.Context, st *styles, keys *keyMap, r harness.BatchReader) *batchBrowser {
	return &batchBrowser{ctx: ctx, st: st, keys: keys, reader: r, jump: st.input("go to row: "), summary: newSummaryView(st, keys), clock: batchClock{}}
}

// SetSize implements component.
func (b *batchBrowser) SetSize(w, h int) {
	b.width, b.height = w, max(h, 3)
	if b.table != nil {
		b.table.SetSize(w, b.height-1)
	}
	b.summary.SetSize(w, b.height)
	b.clampList()
}

func (b *batchBrowser) add(it batchItem) { b.items = append(b.items, it) }

func (b *batchBrowser) reset(r harness.BatchReader, items []batchItem) {
	b.reader, b.items, b.cursor, b.top = r, items, 0, 0
	b.close()
	b.onSummary = false // another run's summary is not this one's
	b.summary.close()
}

func (b *batchBrowser) close() {
	b.open, b.frame, b.table, b.err, b.loading, b.whole, b.jumping = false, nil, nil, nil, false, false, false
	b.gen++
	b.stopBrowse()
}

func (b *batchBrowser) listRows() int { return max(b.height-1, 1) }

func (b *batchBrowser) clampList() {
	b.cursor = max(min(b.cursor, len(b.items)-1), 0)
	if b.cursor < b.top {
		b.top = b.cursor
	}
	if b.cursor >= b.top+b.listRows() {
		b.top = b.cursor - b.listRows() + 1
	}
	b.top = max(min(b.top, len(b.items)-b.listRows()), 0)
}

// openCursor starts reading the batch under the cursor.
func (b *batchBrowser) openCursor(ctx context.Context) tea.Cmd {
	if len(b.items) == 0 {
		return nil
	}
	b.close()
	b.open, b.loading, b.item, b.tab, b.scroll = true, true, b.items[b.cursor], tabRows, 0
	gen, r, k := b.gen, b.reader, b.item.info.Key
	if r == nil {
		b.loading, b.err = false, fmt.Errorf("no batch reader for this run")
		return nil
	}
	return func() tea.Msg {
		f, meta, err := r.ReadBatch(ctx, k)
		if err != nil {
			err = fmt.Errorf("read batch %s: %w", k, err)
		}
		return batchLoadedMsg{gen: gen, frame: f, meta: meta, err: err}
	}
}

func (b *batchBrowser) loaded(m batchLoadedMsg) {
	if m.gen != b.gen || !b.open {
		return
	}
	b.loading, b.err, b.frame, b.meta = false, safeErr(m.err), safeFrame(m.frame), safeMeta(m.meta)
	if m.err == nil && m.frame != nil {
		b.table = newRowTable(b.st, b.keys, m.frame)
		b.table.SetSize(b.width, b.height-1)
	}
}

// parseRow reads the 1-based row number typed after g; thousands separators
// are allowed, as the table shows them.
func parseRow(s string) (int, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, false
	}
	return n, true
}

// inputActive says the jump prompt owns the keys.
func (b *batchBrowser) inputActive() bool { return b.open && (b.jumping || b.browse.finding) }

// update handles a key; handled is false for keys the browser leaves to
// its parent (Esc on the list, Tab, q).
func (b *batchBrowser) update(ctx context.Context, msg tea.KeyMsg) (tea.Cmd, bool) {
	k := b.keys
	if cmd, ok := b.summaryKey(msg); ok || b.onSummary {
		return cmd, ok
	}
	if !b.open {
		if d, ok := k.navDelta(msg, b.listRows()); ok {
			b.cursor += d
			b.clampList()
			return nil, true
		}
		if key.Matches(msg, k.Open) {
			return b.openCursor(ctx), true
		}
		return nil, false
	}
	b.browse.alert = "" // an alert lasts until the next key
	if b.jumping {
		switch msg.Type {
		case tea.KeyEnter:
			b.jumping = false
			if n, ok := parseRow(b.jump.Value()); ok && b.table != nil && !b.table.goToRow(n-1) {
				b.browse.alert = fmt.Sprintf("row %s is not shown (filtered out, or past the end)", count(int64(n)))
			}
			return nil, true
		case tea.KeyEsc:
			b.jumping = false
			return nil, true
		}
		var cmd tea.Cmd
		b.jump, cmd = b.jump.Update(msg)
		return cmd, true
	}
	if b.browse.finding {
		return b.findKey(msg), true
	}
	if b.tab == tabRows && !b.whole && b.table != nil {
		// Find, the frequency table, and esc clearing a filter come
		// before esc closing the batch.
		if cmd, ok := b.browseKey(msg); ok {
			return cmd, true
		}
	}
	switch {
	case key.Matches(msg, k.Back):
		if b.whole {
			b.whole, b.scroll = false, 0
		} else {
			b.close()
		}
		return nil, true
	case key.Matches(msg, k.Rows):
		b.tab, b.scroll, b.whole = tabRows, 0, false
		return nil, true
	case key.Matches(msg, k.Schema):
		b.tab, b.scroll, b.whole = tabSchema, 0, false
		return nil, true
	case key.Matches(msg, k.Meta):
		b.tab, b.scroll, b.whole = tabMeta, 0, false
		return nil, true
	}
	if b.tab == tabRows && !b.whole && b.table != nil {
		switch {
		case key.Matches(msg, k.Open), key.Matches(msg, k.Value):
			if b.table.n() > 0 {
				b.whole, b.scroll = true, 0
			}
		case key.Matches(msg, k.Jump):
			b.jumping = true
			b.jump.SetValue("")
			return b.jump.Focus(), true
		default:
			b.table.Update(msg)
		}
		return nil, true
	}
	if d, ok := k.navDelta(msg, b.height-2); ok {
		b.scrollBy(d)
		return nil, true
	}
	return nil, false
}

// wheel scrolls whatever is shown by d lines.
func (b *batchBrowser) wheel(d int) {
	switch {
	case !b.open:
		b.cursor += d
		b.clampList()
	case b.tab == tabRows && !b.whole && b.browse.freq != nil:
		b.browse.freq.Update(wheelMsg(d))
	case b.tab == tabRows && !b.whole && b.table != nil:
		b.table.Update(wheelMsg(d))
	default:
		b.scrollBy(d)
	}
}

func (b *batchBrowser) scrollBy(d int) {
	b.scroll = max(min(b.scroll+d, len(b.textLines())-(b.height-1)), 0)
}

// list draws the batch list.
func (b *batchBrowser) list() string {
	if len(b.items) == 0 {
		return b.st.dim.Render("no batches yet")
	}
	keyW := max(b.width-2-12-6-10-11-8-5-b.barsWidth(), 10)
	head := "  " + pad("STAGE", 12) + " " + padLeft("#", 5) + " " + pad("KEY", keyW) + " " + padLeft("ROWS", 10) + " " + padLeft("BYTES", 11) + " " + "FORMAT" + b.barsHead()
	lines := []string{b.st.header.Render(fit(head, b.width))}
	for i := b.top; i < min(b.top+b.listRows(), len(b.items)); i++ {
		it := b.items[i]
		mark := "  "
		if i == b.cursor {
			mark = "> "
		}
		l := mark + pad(it.stage, 12) + " " + padLeft(count(int64(it.info.Index)), 5) + " " + fitLeft(it.info.Key, keyW) + " " +
			padLeft(count(it.info.Rows), 10) + " " + padLeft(bytesize(it.info.Bytes), 11) + " " + it.info.Format + b.barsPad(it)
		l = fit(l, b.width)
		if i == b.cursor {
			l = b.st.cursor.Render(l)
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

// textLines are the lines of the schema, meta or whole-row view.
func (b *batchBrowser) textLines() []string {
	if b.frame == nil {
		return nil
	}
	switch {
	case b.tab == tabSchema:
		out := []string{b.st.header.Render(fit(pad("  #", 4)+" "+pad("COLUMN", 30)+" "+pad("TYPE", 10)+" NULLABLE", b.width))}
		for i, f := range b.frame.Fields() {
			out = append(out, fit(padLeft(fmt.Sprint(i+1), 4)+" "+pad(f.Name, 30)+" "+pad(f.Type.String(), 10)+" "+fmt.Sprint(f.Nullable), b.width))
		}
		return out
	case b.tab == tabMeta:
		m := b.meta
		out := []string{
			"key            " + m.Key,
			"size           " + count(m.Size) + " bytes",
			"content type   " + m.ContentType,
			"etag           " + m.ETag,
		}
		if !m.LastModified.IsZero() {
			out = append(out, "last modified  "+m.LastModified.UTC().Format("2006-01-02 15:04:05 MST"))
		} else {
			out = append(out, "last modified  ")
		}
		names := make([]string, 0, len(m.Metadata))
		for n := range m.Metadata {
			names = append(names, n)
		}
		sort.Strings(names)
		out = append(out, "", b.st.header.Render("metadata"))
		if len(names) == 0 {
			out = append(out, b.st.dim.Render("(none)"))
		}
		for _, n := range names {
			out = append(out, n+" = "+m.Metadata[n])
		}
		for i := range out {
			out[i] = fit(out[i], b.width)
		}
		return out
	case b.whole && b.table != nil:
		return record(b.st, b.frame, b.table.row(), b.width)
	}
	return nil
}

// detail draws the opened batch.
func (b *batchBrowser) detail() string {
	it := b.item.info
	tabs := []string{"rows", "schema", "meta"}
	for i, t := range tabs {
		if i == b.tab {
			tabs[i] = b.st.tabOn.Render("[" + t + "]")
		} else {
			tabs[i] = b.st.tabOff.Render(" " + t + " ")
		}
	}
	title := fmt.Sprintf("%s batch %s · %s · %s", b.item.stage, count(int64(it.Index)), plural(it.Rows, "row", "rows"), bytesize(it.Bytes))
	lines := []string{spread(b.st.bold.Render(title), strings.Join(tabs, ""), b.width)}
	body := b.height - 1
	switch {
	case b.loading:
		lines = append(lines, b.st.dim.Render("reading "+fit(it.Key, b.width-8)+" …"))
	case b.err != nil:
		lines = append(lines, b.st.bad.Render(fit(b.err.Error(), b.width)))
	case b.frame == nil:
		lines = append(lines, b.st.dim.Render("the batch holds no frame"))
	case b.tab == tabRows && !b.whole && b.browse.freq != nil:
		lines = append(lines, b.browse.freq.View())
	case b.tab == tabRows && !b.whole && b.table != nil:
		lines = append(lines, b.table.View())
	default:
		tl := b.textLines()
		if b.whole {
			tl = append([]string{b.st.dim.Render(fmt.Sprintf("row %s of %s", count(int64(b.table.row()+1)), count(int64(b.frame.Len()))))}, tl...)
		}
		end := min(b.scroll+body, len(tl))
		lines = append(lines, tl[min(b.scroll, end):end]...)
	}
	return strings.Join(lines, "\n")
}

// View implements tea.Model: the list, or the opened batch.
func (b *batchBrowser) View() string {
	if b.onSummary {
		return b.summary.View()
	}
	if b.open {
		return b.detail()
	}
	return b.list()
}

// status is the line under the browser: the jump prompt or where we are.
func (b *batchBrowser) status() string {
	switch {
	case b.onSummary:
		return b.summary.status()
	case b.jumping:
		return b.jump.View()
	case b.open && b.browse.finding:
		return b.browse.input.View()
	case b.open && b.tab == tabRows && !b.whole && b.table != nil:
		return b.browseStatus()
	case !b.open && len(b.items) > 0:
		return fmt.Sprintf("batch %s of %s", count(int64(b.cursor+1)), count(int64(len(b.items))))
	}
	return ""
}

// Init implements tea.Model.
func (b *batchBrowser) Init() tea.Cmd { return nil }

// Update implements tea.Model: the batches a live run reports join the
// list; keys and the wheel move in it and in the opened batch.
func (b *batchBrowser) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case eventsMsg:
		for _, e := range msg.events {
			took := b.clock.since(e)
			if (e.Kind == harness.EventBatchWritten || e.Kind == harness.EventBatchRead) && e.Batch != nil {
				b.add(batchItem{stage: e.Stage, info: *e.Batch, took: took})
			}
		}
	case batchLoadedMsg:
		b.loaded(msg)
	case summaryLoadedMsg:
		b.summary.loaded(msg)
	case browseMsg:
		return b, b.browseAnswer(msg)
	case wheelMsg:
		if b.onSummary {
			b.summary.Update(msg)
			return b, nil
		}
		b.wheel(int(msg))
	case tea.KeyMsg:
		cmd, _ := b.update(b.ctx, msg)
		return b, cmd
	}
	return b, nil
}

// ShortHelp implements help.KeyMap: the keys worth showing under the
// browser, most useful first (the footer adds help and quit, and drops
// from the end what does not fit).
func (b *batchBrowser) ShortHelp() []key.Binding {
	k := b.keys
	switch {
	case b.onSummary:
		return b.summary.ShortHelp()
	case !b.open:
		return []key.Binding{k.Open, k.Up, k.Down}
	case b.rowsShown() && b.browse.freq != nil:
		return b.browse.freq.ShortHelp()
	case b.rowsShown():
		keys := []key.Binding{k.Back, k.Find}
		if b.browse.query != nil {
			// n first: after a find it is the key pressed next, and the
			// footer drops keys from the end when the status is long.
			keys = []key.Binding{k.Next, k.Back, k.Find}
		}
		keys = append(keys, k.Freq, k.Value, k.Jump)
		return append(keys, append(b.table.ShortHelp(), k.Schema, k.Meta)...)
	case b.tab == tabRows && !b.whole:
		// Still reading, or the read failed: only the ways out work.
		return []key.Binding{k.Back, k.Schema, k.Meta}
	}
	return []key.Binding{k.Back, k.Rows, k.Schema, k.Meta}
}

// FullHelp implements help.KeyMap: the keys of the list, or of the view of
// the opened batch that shows.
func (b *batchBrowser) FullHelp() [][]key.Binding {
	k := b.keys
	tabs := []key.Binding{k.Back, k.Rows, k.Schema, k.Meta}
	switch {
	case b.onSummary:
		return b.summary.FullHelp()
	case !b.open:
		return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Open, k.Summary}}
	case b.rowsShown() && b.browse.freq != nil:
		return append(b.browse.freq.FullHelp(), tabs)
	case b.rowsShown():
		t := b.table.FullHelp()
		return [][]key.Binding{t[0], tabs, append([]key.Binding{k.Open, k.Value, k.Jump, k.Summary}, t[1]...), b.browseHelp()}
	case b.tab == tabRows && !b.whole:
		return [][]key.Binding{tabs}
	}
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top}, tabs}
}

// rowsShown says the rows table is on screen (and answers the keys).
func (b *batchBrowser) rowsShown() bool {
	return b.open && b.tab == tabRows && !b.whole && b.table != nil
}
