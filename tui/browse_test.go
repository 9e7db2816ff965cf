package tui

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"connector-dev/connectors"
)

func TestParseFind(t *testing.T) {
	tests := []struct {
		in   string
		text string
		all  bool
		err  bool
	}{
		{in: "north", text: "north"},
		{in: "*north", text: "north", all: true},
		{in: `\*north`, text: "*north"},
		{in: `\\north`, text: `\north`},
		{in: `\north`, text: `\north`}, // only a leading * or \ needs the escape
		{in: " two words ", text: " two words "},
		{in: "**", text: "*", all: true},
		{in: "", err: true},
		{in: "*", err: true},
		{in: `\*`, text: "*"},
	}
	for _, tt := range tests {
		q, err := parseFind(tt.in)
		if tt.err {
			if err == nil {
				t.Errorf("parseFind(%q) = %+v, want an error", tt.in, q)
			}
			continue
		}
		if err != nil || q.text != tt.text || q.all != tt.all {
			t.Errorf("parseFind(%q) = %+v, %v; want text %q all %v", tt.in, q, err, tt.text, tt.all)
		}
		if got, _ := parseFind(formatFind(q)); got != q {
			t.Errorf("parseFind(formatFind(%+v)) = %+v", q, got)
		}
	}
	if got := toggleAll(toggleAll("north")); got != "north" {
		t.Errorf("tab twice: %q", got)
	}
}

// FuzzParseFind: whatever is typed, the parser does not panic, a query it
// accepts has text to find, and formatting it gives back the same query.
func FuzzParseFind(f *testing.F) {
	for _, s := range []string{"", "*", "north", "*north", `\*x`, `\\`, "**", "É"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := parseFind(s)
		if err != nil {
			return
		}
		if q.text == "" || q.fold != strings.ToLower(q.text) {
			t.Fatalf("parseFind(%q) = %+v", s, q)
		}
		if back, err := parseFind(formatFind(q)); err != nil || back != q {
			t.Fatalf("parseFind(%q) = %+v; formatted %q reads back as %+v, %v", s, q, formatFind(q), back, err)
		}
	})
}

func TestContainsFold(t *testing.T) {
	tests := []struct {
		s, sub string
		want   bool
	}{
		{"North", "north", true},
		{"NORTH-EAST", "h-e", true},
		{"north", "south", false},
		{"ÉMILE Zola", "émile", true},
		{"émile", "mile", true},
		{"abc", "abcd", false},
		{"", "a", false},
	}
	for _, tt := range tests {
		if got := containsFold(tt.s, strings.ToLower(tt.sub)); got != tt.want {
			t.Errorf("containsFold(%q, %q) = %v", tt.s, tt.sub, got)
		}
	}
}

// people is a small frame with nulls, empty strings, ties and a key column
// that is not the first.
func people() *connectors.Frame {
	f := connectors.NewFrame(
		connectors.Field{Name: "name", Type: connectors.String, Nullable: true},
		connectors.Field{Name: "id", Type: connectors.Int64},
		connectors.Field{Name: "city", Type: connectors.String},
		connectors.Field{Name: "score", Type: connectors.Float64, Nullable: true},
	)
	rows := [][]any{
		{"Ann", 1, "Oslo", 2.5},
		{nil, 2, "", nil},
		{"bob", 3, "Rome", 1.0},
		{"ann", 4, "Oslo", nil},
		{"", 5, "oslo", 2.5},
	}
	for _, r := range rows {
		if err := f.AppendRow(r...); err != nil {
			panic(err)
		}
	}
	return f
}

func TestDisplayColsPinsTheKey(t *testing.T) {
	cols, pinned := displayCols(people())
	if !pinned || !reflect.DeepEqual(cols, []int{1, 0, 2, 3}) {
		t.Errorf("displayCols = %v, %v; want id first, pinned", cols, pinned)
	}
}

func TestFindFrom(t *testing.T) {
	f := people()
	q := func(s string, col string) findQuery {
		fq, err := parseFind(s)
		if err != nil {
			t.Fatal(err)
		}
		fq.col = col
		return fq
	}
	tests := []struct {
		name         string
		q            findQuery
		view         []int
		p, k, dir    int
		wantPos, col int
		ok           bool
	}{
		{name: "case-insensitive, from the top", q: q("OSLO", "city"), p: -1, dir: 1, wantPos: 0, col: 2, ok: true},
		{name: "after the first", q: q("oslo", "city"), p: 0, k: 0, dir: 1, wantPos: 3, col: 2, ok: true},
		{name: "the row itself, column -1", q: q("oslo", "city"), p: 3, k: -1, dir: 1, wantPos: 3, col: 2, ok: true},
		{name: "backwards from the end", q: q("oslo", "city"), p: 5, dir: -1, wantPos: 4, col: 2, ok: true},
		{name: "backwards before the first", q: q("oslo", "city"), p: 0, k: 0, dir: -1, ok: false},
		{name: "only the query's column", q: q("ann", "city"), p: -1, dir: 1, ok: false},
		{name: "every column, display order: id before name", q: q("*1", ""), p: -1, dir: 1, wantPos: 0, col: 1, ok: true},
		{name: "every column, the next in the row", q: q("*a", ""), p: 0, k: 1, dir: 1, wantPos: 3, col: 0, ok: true},
		{name: "numbers as shown", q: q("2.5", "score"), p: 0, k: 0, dir: 1, wantPos: 4, col: 3, ok: true},
		{name: "a null never matches", q: q("nul", "name"), p: -1, dir: 1, ok: false},
		{name: "in view order", q: q("oslo", "city"), view: []int{4, 3, 0}, p: -1, dir: 1, wantPos: 0, col: 2, ok: true},
		{name: "a column the batch lacks", q: q("x", "gone"), p: -1, dir: 1, ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pos, col, ok := findFrom(f, tt.view, searchCols(f, tt.q), tt.q, tt.p, tt.k, tt.dir)
			if ok != tt.ok || (ok && (pos != tt.wantPos || col != tt.col)) {
				t.Errorf("findFrom = %d, %d, %v; want %d, %d, %v", pos, col, ok, tt.wantPos, tt.col, tt.ok)
			}
		})
	}
}

// ids lists the id column of f's rows in order.
func ids(f *connectors.Frame, order []int) []int64 {
	var out []int64
	for _, r := range order {
		out = append(out, f.Col("id").Ints[r])
	}
	return out
}

func TestSortRows(t *testing.T) {
	f := people()
	score, city, name := 3, 2, 0
	tests := []struct {
		name  string
		sorts []sortKey
		want  []int64
	}{
		{name: "ascending, nulls last", sorts: []sortKey{{col: score}}, want: []int64{3, 1, 5, 2, 4}},
		{name: "descending, nulls still last", sorts: []sortKey{{col: score, desc: true}}, want: []int64{1, 5, 3, 2, 4}},
		// Ties keep the previous sort: by score down, then by city, the
		// two Oslo rows stay score-ordered (1 has 2.5, 4 has null).
		{name: "stable: city after score", sorts: []sortKey{{col: score, desc: true}, {col: city}}, want: []int64{2, 1, 4, 3, 5}},
		{name: "stable: city after id down", sorts: []sortKey{{col: 1, desc: true}, {col: city}}, want: []int64{2, 4, 1, 3, 5}},
		{name: "strings by bytes, empty first, null last", sorts: []sortKey{{col: name}}, want: []int64{5, 1, 4, 3, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var order []int
			for _, s := range tt.sorts {
				order = sortRows(f, order, s.col, s.desc)
			}
			if got := ids(f, order); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ids in order %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFreqCounter(t *testing.T) {
	f := people()
	fc := newFreqCounter(freqLimit)
	fc.addColumn(f.Col("city"))
	fc.addColumn(f.Col("city")) // a second batch of the same
	got := fc.entries()
	want := []freqEntry{{value: "Oslo", count: 4}, {value: "", count: 2}, {value: "Rome", count: 2}, {value: "oslo", count: 2}}
	if !reflect.DeepEqual(got, want) || fc.rows != 10 {
		t.Errorf("entries = %+v (rows %d), want %+v", got, fc.rows, want)
	}
	fc = newFreqCounter(freqLimit)
	fc.addColumn(f.Col("score"))
	got = fc.entries()
	want = []freqEntry{{value: "2.5", count: 2}, {null: true, count: 2}, {value: "1", count: 1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("score entries = %+v, want %+v (null after values of its count)", got, want)
	}
}

// TestFreqCounterBounded: a column of unique values over many batches keeps
// at most the limit of values; the frequent one is still counted whole.
func TestFreqCounterBounded(t *testing.T) {
	fc := newFreqCounter(100)
	for b := 0; b < 20; b++ {
		c := &connectors.Column{Field: connectors.Field{Name: "v", Type: connectors.String}}
		for i := 0; i < 500; i++ {
			c.Strings = append(c.Strings, fmt.Sprintf("u%d-%d", b, i))
			if i%2 == 0 {
				c.Strings = append(c.Strings, "common")
			}
		}
		fc.addColumn(c)
		if len(fc.counts) > 100 {
			t.Fatalf("batch %d: %d values kept, limit 100", b, len(fc.counts))
		}
	}
	e := fc.entries()
	if !fc.pruned || e[0].value != "common" || e[0].count != 20*250 || fc.rows != 20*750 {
		t.Errorf("pruned %v, first %+v, rows %d; want common counted 5000 of 15000", fc.pruned, e[0], fc.rows)
	}
	var sum int64
	for _, x := range e {
		sum += x.count
	}
	if sum+fc.dropped != fc.rows {
		t.Errorf("kept %d + dropped %d != rows %d", sum, fc.dropped, fc.rows)
	}
}

func TestFilterRows(t *testing.T) {
	f := people()
	if got := ids(f, filterRows(f, nil, rowFilter{col: 3, value: "2.5"})); !reflect.DeepEqual(got, []int64{1, 5}) {
		t.Errorf("score = 2.5: %v", got)
	}
	if got := ids(f, filterRows(f, nil, rowFilter{col: 0, null: true})); !reflect.DeepEqual(got, []int64{2}) {
		t.Errorf("name null: %v", got)
	}
	if got := ids(f, filterRows(f, nil, rowFilter{col: 0, value: ""})); !reflect.DeepEqual(got, []int64{5}) {
		t.Errorf("name empty (not null): %v", got)
	}
	if got := ids(f, filterRows(f, []int{4, 0, 1, 2, 3}, rowFilter{col: 2, value: "Oslo"})); !reflect.DeepEqual(got, []int64{1, 4}) {
		t.Errorf("city Oslo in a sorted order: %v", got)
	}
}

// drain runs cmd and every command its answers lead to, feeding each
// answer to m, as the program would (only find's and the counts' reads).
func drain(t *testing.T, m *model, cmd tea.Cmd) {
	t.Helper()
	for i := 0; cmd != nil; i++ {
		if i > 100 {
			t.Fatal("the reads do not end")
		}
		_, cmd = m.Update(cmd())
	}
}

func typeText(m *model, s string) {
	for _, r := range s {
		press(m, string(r))
	}
}

func footer(m *model) string {
	lines := strings.Split(m.View(), "\n")
	return lines[len(lines)-1]
}

// TestFindAcrossBatches: from batch 1, a value only batch 3 holds is found
// there (batch 2 read and searched on the way), n wraps round to batch 1,
// N goes back, and a value no batch holds is said to be nowhere.
func TestFindAcrossBatches(t *testing.T) {
	m := sized(100, 30)
	feed(m, runEvents(0)...)
	openBatch(t, m)
	press(m, "l") // the column cursor onto account_name
	press(m, "/")
	typeText(m, "ACCOUNT-10")
	drain(t, m, press(m, "enter"))
	v := m.View()
	// account-10 is in batch 1 itself, row 11.
	if !strings.Contains(footer(m), `found "ACCOUNT-10" in batch 1 · row 11 of 40`) {
		t.Fatalf("the first match is not batch 1 row 11:\n%s", v)
	}
	drain(t, m, press(m, "n"))
	if !strings.Contains(footer(m), "in batch 3 · row 21 of 40") || !strings.Contains(m.View(), "source batch 3") {
		t.Fatalf("n did not reach account-100 in batch 3 (row 21):\n%s", m.View())
	}
	for range 10 { // account-101 ... account-109, then round to batch 1
		drain(t, m, press(m, "n"))
	}
	if !strings.Contains(footer(m), "in batch 1 · row 11 of 40") {
		t.Fatalf("n did not wrap round to batch 1:\n%s", m.View())
	}
	drain(t, m, press(m, "N"))
	if !strings.Contains(footer(m), "in batch 3 · row 30 of 40") {
		t.Fatalf("N did not go back to account-109 in batch 3:\n%s", m.View())
	}
	// Every column: the first 7 in a column left of email, in batch 3's
	// rows after the cursor.
	press(m, "/")
	for range len("ACCOUNT-10") {
		press(m, "backspace")
	}
	press(m, "tab")
	typeText(m, "nowhere")
	if !strings.Contains(footer(m), "find in all columns: *nowhere") {
		t.Errorf("tab did not make the find look in every column: %q", footer(m))
	}
	drain(t, m, press(m, "enter"))
	if !strings.Contains(footer(m), `"nowhere" not found in any column (3 batches searched)`) {
		t.Errorf("not found is not said: %q", footer(m))
	}
}
