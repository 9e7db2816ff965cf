package tui

import (
	"context"
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"connector-dev/connectors"
	"connector-dev/harness"
)

// browseState is what the rows table's find and frequency table keep in
// the batch browser: the find prompt and query, the one read of other
// batches going on (find or a whole-run count; gen tells its answers from
// a stale one's), and a one-shot alert.
type browseState struct {
	finding bool // the find prompt owns the keys
	input   textinput.Model
	query   *findQuery // the last find, for n and N
	gen     int
	busy    string // what the read of other batches is doing, while it goes
	alert   string // "not found" and errors, until the next key
	freq    *freqView
}

// browseMsg is an answer of a read of other batches (find, frequency).
type browseMsg interface{ browseGen() int }

// findStepMsg says batch keys[i] did not hold the match: the find goes on
// with next, unless it is back at the batch it started from.
type findStepMsg struct {
	gen         int
	q           findQuery
	dir         int
	keys        []string
	next, start int
	err         error
}

// findFoundMsg is a match in another batch, read whole: it opens there.
type findFoundMsg struct {
	gen      int
	key      string
	frame    *connectors.Frame
	meta     harness.ObjectMeta
	row, col int
}

func (m findStepMsg) browseGen() int  { return m.gen }
func (m findFoundMsg) browseGen() int { return m.gen }

// stopBrowse drops whatever read of other batches goes on, and the views
// on the batch shown (a new batch opens without them).
func (b *batchBrowser) stopBrowse() {
	b.browse.gen++
	b.browse.busy, b.browse.freq, b.browse.finding = "", nil, false
}

// runKeys are the run's batch keys in order, each once (the live list has
// a line per stage for each), and the place of the open batch among them.
func (b *batchBrowser) runKeys() (keys []string, open int) {
	seen := map[string]bool{}
	open = -1
	for _, it := range b.items {
		if seen[it.info.Key] {
			continue
		}
		seen[it.info.Key] = true
		if it.info.Key == b.item.info.Key {
			open = len(keys)
		}
		keys = append(keys, it.info.Key)
	}
	return keys, open
}

// findPrompt is the find prompt's label: which column the query looks in.
func (b *batchBrowser) findPrompt() string {
	if q, err := parseFind(b.browse.input.Value()); (err == nil && q.all) || b.browse.input.Value() == findAll {
		return "find in all columns: "
	}
	if c := b.table.column(); c != nil {
		return "find in " + c.Name + ": "
	}
	return "find: "
}

// openFind opens the find prompt, empty.
func (b *batchBrowser) openFind() tea.Cmd {
	bs := &b.browse
	if bs.input.Prompt == "" {
		bs.input = b.st.input("find: ")
		bs.input.Placeholder = "text to find (tab: every column)"
	}
	bs.finding = true
	// Empty, so what is typed is the new query (n and N repeat the last).
	bs.input.SetValue("")
	bs.input.Prompt = b.findPrompt()
	return bs.input.Focus()
}

// findKey is a key typed in the find prompt: Enter finds, Tab toggles
// every column, Esc closes.
func (b *batchBrowser) findKey(msg tea.KeyMsg) tea.Cmd {
	bs := &b.browse
	switch msg.Type {
	case tea.KeyEnter:
		bs.finding = false
		q, err := parseFind(bs.input.Value())
		if err != nil {
			bs.alert = err.Error()
			return nil
		}
		if c := b.table.column(); !q.all && c != nil {
			q.col = c.Name
		}
		bs.query = &q
		b.table.hit = nil
		// A new find looks from the cursor's row on, that row included.
		return b.find(q, 1, b.table.cursor, -1)
	case tea.KeyEsc:
		bs.finding = false
		return nil
	case tea.KeyTab:
		bs.input.SetValue(toggleAll(bs.input.Value()))
		bs.input.CursorEnd()
		bs.input.Prompt = b.findPrompt()
		return nil
	}
	var cmd tea.Cmd
	bs.input, cmd = bs.input.Update(msg)
	bs.input.Prompt = b.findPrompt()
	return cmd
}

// findNext is n (dir 1) or N (-1): the next match after the one shown, or
// after the cursor's row.
func (b *batchBrowser) findNext(dir int) tea.Cmd {
	q := b.browse.query
	if q == nil {
		b.browse.alert = "nothing to find yet: / finds a value"
		return nil
	}
	t := b.table
	cols := searchCols(t.frame, *q)
	k := -1
	if dir < 0 {
		k = len(cols)
	}
	if h := t.hit; h != nil && t.row() == h.row {
		for i, c := range cols {
			if c == h.col {
				k = i
			}
		}
	}
	return b.find(*q, dir, t.cursor, k)
}

// find looks for q from (p, k) in the open batch as shown, then in the
// run's other batches, each read off the UI goroutine, and back round to
// the open batch's other end.
func (b *batchBrowser) find(q findQuery, dir, p, k int) tea.Cmd {
	t := b.table
	if pos, col, ok := findFrom(t.frame, t.view, searchCols(t.frame, q), q, p, k, dir); ok {
		b.showHit(pos, col)
		return nil
	}
	keys, open := b.runKeys()
	if len(keys) <= 1 || open < 0 || b.reader == nil {
		b.wrapFind(q, dir, 1)
		return nil
	}
	b.browse.gen++
	next := (open + dir + len(keys)) % len(keys)
	b.browse.busy = findBusy(q, 1, len(keys))
	return findStep(b.ctx, b.reader, findStepMsg{gen: b.browse.gen, q: q, dir: dir, keys: keys, next: next, start: open})
}

func findBusy(q findQuery, done, of int) string {
	return fmt.Sprintf("finding %q: %d of %s searched… (esc stops)", q.text, done, plural(int64(of), "batch", "batches"))
}

// wrapFind looks in the whole open batch from its start (or, going back,
// its end): the last place left once every other batch was searched.
func (b *batchBrowser) wrapFind(q findQuery, dir, batches int) {
	t := b.table
	p := -1
	if dir < 0 {
		p = t.n()
	}
	if pos, col, ok := findFrom(t.frame, t.view, searchCols(t.frame, q), q, p, 0, dir); ok {
		b.showHit(pos, col)
		return
	}
	where := "in " + q.col
	if q.all {
		where = "in any column"
	}
	b.browse.alert = fmt.Sprintf("%q not found %s (%s searched)", q.text, where, plural(int64(batches), "batch", "batches"))
}

// showHit puts both cursors on a match at view position pos, frame column col.
func (b *batchBrowser) showHit(pos, col int) {
	t := b.table
	t.goTo(pos)
	t.col = t.colOf(col)
	t.hit = &findHit{row: t.rowAt(pos), col: col}
	t.clamp()
}

// findStep reads one batch and looks for the query in it, whole.
func findStep(ctx context.Context, r harness.BatchReader, m findStepMsg) tea.Cmd {
	return func() tea.Msg {
		k := m.keys[m.next]
		f, meta, err := r.ReadBatch(ctx, k)
		if err != nil {
			m.err = fmt.Errorf("find stopped: read batch %s: %w", k, err)
			return m
		}
		f = safeFrame(f)
		p := -1
		if m.dir < 0 {
			p = f.Len()
		}
		if pos, col, ok := findFrom(f, nil, searchCols(f, m.q), m.q, p, 0, m.dir); ok {
			return findFoundMsg{gen: m.gen, key: k, frame: f, meta: meta, row: pos, col: col}
		}
		m.next = (m.next + m.dir + len(m.keys)) % len(m.keys)
		return m
	}
}

// browseAnswer handles the answer of a read of other batches.
func (b *batchBrowser) browseAnswer(msg browseMsg) tea.Cmd {
	if msg.browseGen() != b.browse.gen || !b.open || b.table == nil {
		return nil // stopped, or the batch it started from was closed
	}
	switch m := msg.(type) {
	case findStepMsg:
		if m.err != nil {
			b.browse.busy, b.browse.alert = "", safeErr(m.err).Error()
			return nil
		}
		if m.next == m.start {
			b.browse.busy = ""
			b.wrapFind(m.q, m.dir, len(m.keys))
			return nil
		}
		done := (m.next - m.start) * m.dir
		if done < 0 {
			done += len(m.keys)
		}
		b.browse.busy = findBusy(m.q, done, len(m.keys))
		return findStep(b.ctx, b.reader, m)
	case findFoundMsg:
		b.browse.busy = ""
		b.showBatch(m.key, m.frame, m.meta)
		b.showHit(m.row, m.col)
	case freqStepMsg:
		return b.freqAnswer(m)
	}
	return nil
}

// showBatch opens a batch read by a find, in place of the open one; the
// column cursor stays on the column of the same name.
func (b *batchBrowser) showBatch(k string, f *connectors.Frame, meta harness.ObjectMeta) {
	for i, it := range b.items {
		if it.info.Key == k {
			b.cursor, b.item = i, it
			break
		}
	}
	b.gen++ // a read of the batch open before is stale now
	b.loading, b.err, b.frame, b.meta = false, nil, f, safeMeta(meta)
	b.tab, b.whole, b.scroll = tabRows, false, 0
	old := b.table
	b.table = newRowTable(b.st, b.keys, f)
	b.table.SetSize(b.width, b.height-1)
	if c := old.column(); c != nil {
		if j := colIndex(f, c.Name); j >= 0 {
			b.table.col = b.table.colOf(j)
		}
	}
	b.clampList()
}

// colIndex is the frame column named name, or -1.
func colIndex(f *connectors.Frame, name string) int {
	for j, c := range f.Columns() {
		if c.Name == name {
			return j
		}
	}
	return -1
}

// browseKey answers the keys of find, sort's neighbours and the frequency
// table on the rows table; handled is false for the others.
func (b *batchBrowser) browseKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	k, bs := b.keys, &b.browse
	bs.alert = ""
	if bs.freq != nil {
		return b.freqKey(msg)
	}
	switch {
	case key.Matches(msg, k.Back) && bs.busy != "":
		bs.gen++
		bs.busy = ""
	case key.Matches(msg, k.Back) && b.table.filter != nil:
		b.table.setFilter(nil)
	case key.Matches(msg, k.Find):
		return b.openFind(), true
	case key.Matches(msg, k.Next):
		return b.findNext(1), true
	case key.Matches(msg, k.Prev):
		return b.findNext(-1), true
	case key.Matches(msg, k.Freq):
		return b.openFreq(false), true
	default:
		return nil, false
	}
	return nil, true
}

// browseStatus is the status of the rows table with what find says.
func (b *batchBrowser) browseStatus() string {
	t := b.table
	switch {
	case b.browse.busy != "":
		return b.browse.busy
	case b.browse.freq != nil:
		return b.browse.freq.status()
	case t.hit != nil && t.row() == t.hit.row && b.browse.query != nil:
		// Short (the query cut, no column position: the hit is marked), so
		// that n, the key to press next, still fits beside it.
		return fmt.Sprintf("found %q in batch %s · row %s of %s", fit(oneLine(b.browse.query.text), 16), count(int64(b.item.info.Index)),
			count(int64(t.row()+1)), count(int64(t.frame.Len())))
	}
	return t.status()
}

// alertText is the one-shot alert of find and the frequency table ("" for none).
func (b *batchBrowser) alertText() string {
	if !b.open {
		return ""
	}
	return b.browse.alert
}

// browseHelp is the group of keys of find and the frequency table.
func (b *batchBrowser) browseHelp() []key.Binding {
	k := b.keys
	return []key.Binding{k.Find, k.Next, k.Prev, k.Freq}
}
