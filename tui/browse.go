package tui

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"connector-dev/connectors"
)

// This file is the logic of the rows table's find, sort and frequency
// table, kept apart from drawing so that it is tested on frames alone.

// findAll is the prefix of a find query that searches every column, not
// only the cursor's: /*north. A backslash before a leading * or \ takes it
// as text: /\*north finds "*north" in the cursor's column.
const findAll = "*"

// findQuery is what the user typed after /.
type findQuery struct {
	text string // the text to find, as typed, without the prefix
	fold string // text lower-cased: matching ignores case
	all  bool   // every column, not only col
	col  string // the column searched when not all (the cursor's at /)
}

// errEmptyFind is the answer to a query with nothing to find.
var errEmptyFind = errors.New("nothing to find: type a value (*value searches every column)")

// parseFind reads the find prompt: "*" first searches every column, "\"
// first escapes a leading "*" or "\"; the rest, spaces included, is the
// text, found as a substring, ignoring case.
func parseFind(s string) (findQuery, error) {
	var q findQuery
	if strings.HasPrefix(s, findAll) {
		q.all, s = true, s[len(findAll):]
	}
	if strings.HasPrefix(s, `\*`) || strings.HasPrefix(s, `\\`) {
		s = s[1:]
	}
	if s == "" {
		return findQuery{}, errEmptyFind
	}
	q.text, q.fold = s, strings.ToLower(s)
	return q, nil
}

// formatFind is what parseFind reads back as q: the prompt text of a query.
func formatFind(q findQuery) string {
	s := q.text
	if strings.HasPrefix(s, findAll) || strings.HasPrefix(s, `\`) {
		s = `\` + s
	}
	if q.all {
		s = findAll + s
	}
	return s
}

// toggleAll adds or removes the every-column prefix of a prompt's text
// (Tab in the prompt).
func toggleAll(s string) string {
	if strings.HasPrefix(s, findAll) {
		return s[len(findAll):]
	}
	return findAll + s
}

// appendValue appends row i of c as the table shows it (before it is cut
// to one line); ok is false for a null. Numbers are formatted without
// allocating, so a find over a million rows makes no garbage.
func appendValue(buf []byte, c *connectors.Column, i int) ([]byte, bool) {
	if c.IsNull(i) {
		return buf, false
	}
	switch c.Type {
	case connectors.String:
		return append(buf, c.Strings[i]...), true
	case connectors.Int64:
		return strconv.AppendInt(buf, c.Ints[i], 10), true
	case connectors.Float64:
		return append(buf, number(c.Floats[i])...), true
	case connectors.Bool:
		return strconv.AppendBool(buf, c.Bools[i]), true
	case connectors.Timestamp:
		return c.Time(i).AppendFormat(buf, time.RFC3339Nano), true
	}
	return buf, false
}

// isASCII says s has no byte over 0x7f.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// containsFold says s holds sub (already lower-cased), ignoring case. ASCII
// values are compared byte by byte without a copy; others are lower-cased.
func containsFold(s, sub string) bool {
	if !isASCII(s) {
		return strings.Contains(strings.ToLower(s), sub)
	}
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for j < n {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
			j++
		}
		if j == n {
			return true
		}
	}
	return false
}

// finder matches a query against cells; buf is reused across cells.
type finder struct {
	q   findQuery
	buf []byte
}

// match says row i of c holds the query's text. A null never matches.
func (m *finder) match(c *connectors.Column, i int) bool {
	if c.IsNull(i) {
		return false
	}
	if c.Type == connectors.String {
		return containsFold(c.Strings[i], m.q.fold)
	}
	m.buf, _ = appendValue(m.buf[:0], c, i)
	return containsFold(string(m.buf), m.q.fold)
}

// keyColumn is the frame column named Id or id, or -1: the column kept at
// the left of the table, as diff matches rows by it.
func keyColumn(f *connectors.Frame) int {
	for j, c := range f.Columns() {
		if c.Name == "id" || c.Name == "Id" {
			return j
		}
	}
	return -1
}

// displayCols is the order the table shows f's columns in: the key column
// first (pinned) when there is one, then the others as stored.
func displayCols(f *connectors.Frame) (cols []int, pinned bool) {
	k := keyColumn(f)
	if k >= 0 {
		cols = append(cols, k)
	}
	for j := range f.Columns() {
		if j != k {
			cols = append(cols, j)
		}
	}
	return cols, k >= 0
}

// searchCols are the frame columns a query looks in, in display order:
// every one, or the query's column (none when f lacks it).
func searchCols(f *connectors.Frame, q findQuery) []int {
	cols, _ := displayCols(f)
	if q.all {
		return cols
	}
	for _, j := range cols {
		if f.Columns()[j].Name == q.col {
			return []int{j}
		}
	}
	return nil
}

// findFrom looks for q in f's rows in the order view gives them (nil: as
// stored), starting after position p, column k of cols (a position of its
// own: cols[k]), going forward (dir 1) or back (dir -1) to the end of the
// view. p = -1 (or len, going back) starts before the first row. It
// returns the view position and the frame column of the first match.
func findFrom(f *connectors.Frame, view []int, cols []int, q findQuery, p, k, dir int) (pos, col int, ok bool) {
	n := f.Len()
	if view != nil {
		n = len(view)
	}
	if len(cols) == 0 || n == 0 {
		return 0, 0, false
	}
	if dir > 0 && p < 0 {
		p, k = 0, -1
	}
	if dir < 0 && p >= n {
		p, k = n-1, len(cols)
	}
	fc := f.Columns()
	m := &finder{q: q}
	for p >= 0 && p < n {
		row := p
		if view != nil {
			row = view[p]
		}
		for k += dir; k >= 0 && k < len(cols); k += dir {
			if m.match(fc[cols[k]], row) {
				return p, cols[k], true
			}
		}
		p += dir
		k = -1
		if dir < 0 {
			k = len(cols)
		}
	}
	return 0, 0, false
}

// sortKey is one sort the user asked for: a frame column and a direction.
type sortKey struct {
	col  int
	desc bool
}

// compareRows orders rows a and b of c, nulls last whichever the direction.
func compareRows(c *connectors.Column, a, b int, desc bool) int {
	na, nb := c.IsNull(a), c.IsNull(b)
	switch {
	case na && nb:
		return 0
	case na:
		return 1
	case nb:
		return -1
	}
	var v int
	switch c.Type {
	case connectors.String:
		v = strings.Compare(c.Strings[a], c.Strings[b])
	case connectors.Int64:
		v = cmp.Compare(c.Ints[a], c.Ints[b])
	case connectors.Float64:
		v = cmp.Compare(c.Floats[a], c.Floats[b])
	case connectors.Bool:
		v = cmp.Compare(b2i(c.Bools[a]), b2i(c.Bools[b]))
	case connectors.Timestamp:
		v = cmp.Compare(c.Micros[a], c.Micros[b])
	}
	if desc {
		v = -v
	}
	return v
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sortRows returns order (every row of f, nil: as stored) sorted by column
// col, nulls last. Ties keep their place in order, so sorting by one
// column and then another orders by the second, then the first. order is
// not changed: a find running off the UI goroutine may be reading it.
func sortRows(f *connectors.Frame, order []int, col int, desc bool) []int {
	n := f.Len()
	out := make([]int, n)
	pos := make([]int, n) // a row's place in order: the tie-break that makes the sort stable
	for p := range out {
		r := p
		if order != nil {
			r = order[p]
		}
		out[p], pos[r] = r, p
	}
	c := f.Columns()[col]
	slices.SortFunc(out, func(a, b int) int {
		if v := compareRows(c, a, b, desc); v != 0 {
			return v
		}
		return pos[a] - pos[b]
	})
	return out
}

// rowFilter keeps the rows whose column col holds value (or null).
type rowFilter struct {
	col   int // frame column
	name  string
	value string
	null  bool
}

// keep says row i passes the filter; buf is scratch space.
func (rf rowFilter) keep(f *connectors.Frame, i int, buf []byte) ([]byte, bool) {
	c := f.Columns()[rf.col]
	if c.IsNull(i) {
		return buf, rf.null
	}
	if rf.null {
		return buf, false
	}
	if c.Type == connectors.String {
		return buf, c.Strings[i] == rf.value
	}
	buf, _ = appendValue(buf[:0], c, i)
	return buf, string(buf) == rf.value
}

// filterRows is the rows of order (nil: as stored) that rf keeps, in order.
func filterRows(f *connectors.Frame, order []int, rf rowFilter) []int {
	out := []int{}
	var buf []byte
	var ok bool
	for p := 0; p < f.Len(); p++ {
		r := p
		if order != nil {
			r = order[p]
		}
		if buf, ok = rf.keep(f, r, buf); ok {
			out = append(out, r)
		}
	}
	return out
}

// freqLimit is how many distinct values a frequency count keeps exactly;
// past it the rarest are dropped (and counted as other values), so the
// whole run's table of a column of unique values stays a few megabytes.
const freqLimit = 100_000

// freqCounter counts the values of one column over one or many batches,
// streaming: it keeps counts, never rows.
type freqCounter struct {
	counts  map[string]int64
	nulls   int64
	rows    int64
	dropped int64 // rows whose value was dropped to stay under limit
	pruned  bool  // some were: the counts shown are lower bounds
	limit   int
	buf     []byte
}

func newFreqCounter(limit int) *freqCounter {
	return &freqCounter{counts: map[string]int64{}, limit: limit}
}

// addColumn counts every row of c.
func (fc *freqCounter) addColumn(c *connectors.Column) {
	n := c.Len()
	fc.rows += int64(n)
	for i := 0; i < n; i++ {
		if c.IsNull(i) {
			fc.nulls++
			continue
		}
		var s string
		if c.Type == connectors.String {
			s = c.Strings[i]
		} else {
			fc.buf, _ = appendValue(fc.buf[:0], c, i)
			s = string(fc.buf) // no copy: the map lookup takes the bytes as they are
		}
		if _, ok := fc.counts[s]; ok {
			fc.counts[s]++
			continue
		}
		if c.Type == connectors.String {
			// A decoded batch's strings may share one buffer: a copy keeps
			// only the value alive, not the batch.
			s = strings.Clone(s)
		}
		fc.counts[s] = 1
		if len(fc.counts) > fc.limit {
			fc.prune()
		}
	}
}

// prune keeps the limit/2 most frequent values, ties kept by value, and
// drops the rest (lossy counting): a value dropped and seen again counts
// from there. Dropping every value at or under a count instead would drop
// all of them when most counts are equal (a column of unique values), and
// leave the table empty. Order by count then value, as entries shows them,
// so the same input always keeps the same values.
func (fc *freqCounter) prune() {
	fc.pruned = true
	keep := fc.limit / 2
	if len(fc.counts) <= keep {
		return
	}
	all := make([]freqEntry, 0, len(fc.counts))
	for v, n := range fc.counts {
		all = append(all, freqEntry{value: v, count: n})
	}
	slices.SortFunc(all, func(a, b freqEntry) int {
		if c := cmp.Compare(b.count, a.count); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	for _, e := range all[keep:] {
		fc.dropped += e.count
		delete(fc.counts, e.value)
	}
}

// freqEntry is one line of a frequency table.
type freqEntry struct {
	value string
	null  bool
	count int64
}

// entries are the values counted, most frequent first, ties by value; the
// null count is one of them.
func (fc *freqCounter) entries() []freqEntry {
	out := make([]freqEntry, 0, len(fc.counts)+1)
	for v, n := range fc.counts {
		out = append(out, freqEntry{value: v, count: n})
	}
	if fc.nulls > 0 {
		out = append(out, freqEntry{null: true, count: fc.nulls})
	}
	slices.SortFunc(out, func(a, b freqEntry) int {
		if c := cmp.Compare(b.count, a.count); c != 0 {
			return c
		}
		if a.null != b.null { // null after values of the same count
			return b2i(a.null) - b2i(b.null)
		}
		return strings.Compare(a.value, b.value)
	})
	return out
}
