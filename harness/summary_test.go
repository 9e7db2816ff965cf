package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"connector-dev/connectors"
)

func summaryFrame(t *testing.T, rows ...[]any) *connectors.Frame {
	t.Helper()
	f := connectors.NewFrame(
		connectors.Field{Name: "id", Type: connectors.Int64},
		connectors.Field{Name: "note", Type: connectors.String, Nullable: true},
		connectors.Field{Name: "score", Type: connectors.Float64, Nullable: true},
		connectors.Field{Name: "ok", Type: connectors.Bool},
		connectors.Field{Name: "at", Type: connectors.Timestamp, Nullable: true},
	)
	for _, r := range rows {
		if err := f.AppendRow(r...); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func byColumn(cols []ColumnSummary) map[string]ColumnSummary {
	m := map[string]ColumnSummary{}
	for _, c := range cols {
		m[c.Column] = c
	}
	return m
}

// Nulls are counted apart from empty strings, which are a value (the
// smallest string); a column of numbers has a mean of its non-null values;
// every column counts every row.
func TestSummaryNullsEmptyAndMean(t *testing.T) {
	t1 := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	t2 := t1.Add(time.Hour)
	s := NewSummarizer(SummaryOptions{})
	if err := s.Add(summaryFrame(t,
		[]any{int64(3), "", 1.5, true, t2},
		[]any{int64(-2), nil, nil, false, nil},
		[]any{int64(3), "b", 2.5, true, t1},
	)); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(summaryFrame(t, []any{int64(10), "a", nil, true, nil}, []any{int64(0), "", -1.0, true, nil})); err != nil {
		t.Fatal(err)
	}
	got := byColumn(s.Result())
	mean := func(c ColumnSummary) float64 {
		if c.Mean == nil {
			t.Fatalf("%s: no mean", c.Column)
		}
		return *c.Mean
	}
	id := got["id"]
	if id.Rows != 5 || id.Nulls != 0 || id.Distinct != 4 || id.DistinctEstimated || id.Min != int64(-2) || id.Max != int64(10) || mean(id) != 14.0/5 {
		t.Errorf("id: %+v mean %v", id, mean(id))
	}
	note := got["note"]
	if note.Rows != 5 || note.Nulls != 1 || note.Distinct != 3 || note.Min != "" || note.Max != "b" || note.Mean != nil {
		t.Errorf("note: %+v", note)
	}
	score := got["score"]
	if score.Nulls != 2 || score.Distinct != 3 || score.Min != -1.0 || score.Max != 2.5 || mean(score) != 1 {
		t.Errorf("score: %+v mean %v", score, mean(score))
	}
	ok := got["ok"]
	if ok.Distinct != 2 || ok.Min != false || ok.Max != true || ok.Mean != nil {
		t.Errorf("ok: %+v", ok)
	}
	at := got["at"]
	if at.Nulls != 3 || at.Distinct != 2 || at.Min != t1 || at.Max != t2 {
		t.Errorf("at: %+v", at)
	}
}

// A column with no value has no extremes and no mean: null in the JSON,
// NULL in the table; -0 and 0 are one value, and a NaN is an extreme only
// when nothing else is.
func TestSummaryAllNullAndFloatEdges(t *testing.T) {
	s := NewSummarizer(SummaryOptions{})
	f := summaryFrame(t, []any{int64(1), nil, math.NaN(), true, nil}, []any{int64(2), nil, 0.0, true, nil}, []any{int64(3), nil, math.Copysign(0, -1), true, nil})
	if err := s.Add(f); err != nil {
		t.Fatal(err)
	}
	got := byColumn(s.Result())
	if n := got["note"]; n.Min != nil || n.Max != nil || n.Mean != nil || n.Distinct != 0 || n.Nulls != 3 {
		t.Errorf("note: %+v", n)
	}
	if sc := got["score"]; sc.Distinct != 2 || sc.Min != 0.0 || sc.Max != 0.0 {
		t.Errorf("score: %+v", sc)
	}
	var table, js bytes.Buffer
	if err := WriteSummary(&table, s.Result()); err != nil {
		t.Fatal(err)
	}
	if err := WriteSummaryJSON(&js, s.Result()); err != nil {
		t.Fatal(err)
	}
	line := strings.Fields(strings.Split(table.String(), "\n")[2])
	if want := []string{"note", "string", "3", "3", "0", "NULL", "NULL"}; strings.Join(line, " ") != strings.Join(want, " ") {
		t.Errorf("note's line: %q, want %q", line, want)
	}
	var out []map[string]any
	if err := json.Unmarshal(js.Bytes(), &out); err != nil {
		t.Fatalf("%v\n%s", err, js.String())
	}
	if out[1]["min"] != nil || out[1]["mean"] != nil || out[1]["column"] != "note" {
		t.Errorf("note in JSON: %v", out[1])
	}
}

// Past the exact limit the count becomes an estimate, marked so, and
// close; at or under it, however many rows repeat the values, it is exact.
func TestSummaryExactThenEstimated(t *testing.T) {
	for _, tc := range []struct {
		distinct, rows int
		estimated      bool
	}{
		{800, 20_000, false},
		{1000, 5000, false},
		{1001, 5000, true},
		{50_000, 50_000, true},
	} {
		s := NewSummarizer(SummaryOptions{ExactDistinct: 1000})
		f := connectors.NewFrame(connectors.Field{Name: "n", Type: connectors.Int64}, connectors.Field{Name: "s", Type: connectors.String})
		for i := 0; i < tc.rows; i++ {
			v := int64(i % tc.distinct)
			if err := f.AppendRow(v*7919, "value-"+strings.Repeat("x", int(v%5))+string(rune('a'+v%26))+Number(v)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Add(f); err != nil {
			t.Fatal(err)
		}
		for _, c := range s.Result() {
			if c.DistinctEstimated != tc.estimated {
				t.Errorf("%d distinct, column %s: estimated %v, want %v", tc.distinct, c.Column, c.DistinctEstimated, tc.estimated)
			}
			if !tc.estimated && c.Distinct != int64(tc.distinct) {
				t.Errorf("%d distinct, column %s: counted %d", tc.distinct, c.Column, c.Distinct)
			}
			if err := math.Abs(float64(c.Distinct)-float64(tc.distinct)) / float64(tc.distinct); tc.estimated && err > 0.03 {
				t.Errorf("%d distinct, column %s: estimated %d (%.1f%% off)", tc.distinct, c.Column, c.Distinct, 100*err)
			}
		}
		var table bytes.Buffer
		WriteSummary(&table, s.Result())
		if got := strings.Contains(table.String(), "~"); got != tc.estimated {
			t.Errorf("%d distinct: the table marks an estimate with ~: %v, want %v\n%s", tc.distinct, got, tc.estimated, table.String())
		}
	}
}

// The sketch alone: estimates of a few million distinct hashes are within
// 2% (the standard error is 0.4%).
func TestHLLEstimate(t *testing.T) {
	for _, n := range []int{10_000, 200_000, 3_000_000} {
		s := newHLL()
		for i := 0; i < n; i++ {
			s.add(hashString("k" + Number(int64(i))))
		}
		if e := s.estimate(); math.Abs(float64(e)-float64(n))/float64(n) > 0.02 {
			t.Errorf("%d distinct: estimated %d", n, e)
		}
	}
}

// radixSort sorts like the standard library at every size.
func TestRadixSort(t *testing.T) {
	var scratch []uint64
	for _, n := range []int{0, 5, 300, 10_000} {
		a := make([]uint64, n)
		for i := range a {
			a[i] = mix64(uint64(i % 97))
		}
		radixSort(a, &scratch)
		for i := 1; i < n; i++ {
			if a[i-1] > a[i] {
				t.Fatalf("n=%d: not sorted at %d", n, i)
			}
		}
	}
}

// A column missing from a batch counts its rows as nulls; one whose type
// changes between batches is an error naming it.
func TestSummaryColumnsAcrossBatches(t *testing.T) {
	s := NewSummarizer(SummaryOptions{})
	a := connectors.NewFrame(connectors.Field{Name: "x", Type: connectors.Int64})
	a.AppendRow(int64(1))
	a.AppendRow(int64(2))
	b := connectors.NewFrame(connectors.Field{Name: "y", Type: connectors.String})
	b.AppendRow("q")
	if err := s.Add(a); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(b); err != nil {
		t.Fatal(err)
	}
	got := byColumn(s.Result())
	if x, y := got["x"], got["y"]; x.Rows != 3 || x.Nulls != 1 || y.Rows != 3 || y.Nulls != 2 {
		t.Errorf("x %+v, y %+v", x, y)
	}
	c := connectors.NewFrame(connectors.Field{Name: "x", Type: connectors.String})
	c.AppendRow("1")
	if err := s.Add(c); err == nil || !strings.Contains(err.Error(), `column "x" is string in one batch and int64 in an earlier one`) {
		t.Errorf("type change: %v", err)
	}
}

type mapReader map[string]*connectors.Frame

func (m mapReader) ReadBatch(_ context.Context, key string) (*connectors.Frame, ObjectMeta, error) {
	return m[key], ObjectMeta{Key: key}, nil
}

// Summarize reads every batch listed, and refuses one that holds another
// number of rows than its manifest says.
func TestSummarizeBatches(t *testing.T) {
	r := mapReader{"b1": summaryFrame(t, []any{int64(1), "x", 1.0, true, nil}), "b2": summaryFrame(t, []any{int64(5), nil, 2.0, false, nil})}
	cols, err := Summarize(context.Background(), r, []BatchInfo{{Key: "b1", Rows: 1}, {Key: "b2", Rows: 1}}, SummaryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if id := byColumn(cols)["id"]; id.Rows != 2 || id.Max != int64(5) {
		t.Errorf("id: %+v", id)
	}
	_, err = Summarize(context.Background(), r, []BatchInfo{{Key: "b1", Rows: 1}, {Key: "b2", Rows: 7}}, SummaryOptions{})
	if err == nil || err.Error() != "batch b2 holds 1 rows, but the manifest says 7" {
		t.Errorf("row count check: %v", err)
	}
}

// A wide object shares the exact-count budget: with 1,000 columns each is
// counted exactly up to 10,000 values, then estimated, so the summary
// holds megabytes of hashes, not 16 MB a column.
func TestSummaryWideSharesExactBudget(t *testing.T) {
	const cols, rows = 1000, 12_000
	fields := make([]connectors.Field, cols)
	for j := range fields {
		fields[j] = connectors.Field{Name: fmt.Sprintf("c%04d", j), Type: connectors.Int64}
	}
	f := connectors.NewFrame(fields...)
	for j, c := range f.Columns() {
		c.Ints = make([]int64, rows)
		for i := range c.Ints {
			c.Ints[i] = int64(i + j)
		}
	}
	s := NewSummarizer(SummaryOptions{})
	if err := s.Add(f); err != nil {
		t.Fatal(err)
	}
	for _, c := range s.Result() {
		if !c.DistinctEstimated {
			t.Fatalf("column %s of %d: %d distinct counted exactly, want an estimate past %d", c.Column, cols, c.Distinct, exactBudget/cols)
		}
	}
	// Ten columns keep the full exact count.
	narrow := connectors.NewFrame(fields[:10]...)
	for j, c := range narrow.Columns() {
		c.Ints = f.Columns()[j].Ints
	}
	s = NewSummarizer(SummaryOptions{})
	if err := s.Add(narrow); err != nil {
		t.Fatal(err)
	}
	for _, c := range s.Result() {
		if c.DistinctEstimated || c.Distinct != rows {
			t.Errorf("column %s of 10: distinct %d estimated %v, want exactly %d", c.Column, c.Distinct, c.DistinctEstimated, rows)
		}
	}
}
