package harness

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"connector-dev/connectors"
)

// ColumnSummary is one column of a run summarized: `inspect RUN --summary`
// prints one per column, and the TUI's I view shows the same.
type ColumnSummary struct {
	Column string
	Type   connectors.Type
	// Rows counts every row, nulls included; Nulls the null ones.
	Rows, Nulls int64
	// Distinct counts the distinct non-null values (an empty string is a
	// value); DistinctEstimated says it is a HyperLogLog estimate, as it
	// is past SummaryOptions.ExactDistinct values.
	Distinct          int64
	DistinctEstimated bool
	// Min and Max are the extremes of the non-null values (strings by
	// their bytes, as SQLite and DuckDB order them; false before true;
	// NaN only when every value is NaN); nil when there is none.
	Min, Max any
	// Mean is the average of a number column's non-null values; nil for
	// other types and when there is no value.
	Mean *float64
}

// SummaryOptions are the summary's limits.
type SummaryOptions struct {
	// ExactDistinct is how many distinct values a column is counted
	// exactly up to; 0: DefaultExactDistinct.
	ExactDistinct int
}

// Summarizer folds frames, one batch at a time, into a summary per
// column. Its memory is bounded, not by the rows: per column at most
// 2*limit+2 hashes, limit being ExactDistinct shared out of exactBudget
// (16 MB a column at the default for up to ten columns, 160 MB at most in
// all), then 64 KiB.
type Summarizer struct {
	limit  int
	cols   []*colFold
	byName map[string]*colFold
	rows   int64
	// scratch are the radix sort's buffers, one per folding goroutine:
	// column i is folded by goroutine i%foldWorkers, with scratch[i%foldWorkers].
	scratch [foldWorkers][]uint64
}

// NewSummarizer starts an empty summary.
func NewSummarizer(o SummaryOptions) *Summarizer {
	limit := o.ExactDistinct
	if limit <= 0 {
		limit = DefaultExactDistinct
	}
	return &Summarizer{limit: limit, byName: map[string]*colFold{}}
}

// exactBudget is how many distinct values a summary counts exactly over
// all its columns: a wide object (1,000 columns) shares it, so each of its
// columns is estimated sooner (past 10,000 values) instead of the summary
// holding 16 MB of hashes a column. Up to ten columns each get the full
// ExactDistinct.
const exactBudget = 10_000_000

// foldWorkers is how many goroutines fold a batch's columns: the
// machines this runs on have two cores, and the batch reader shares them.
const foldWorkers = 2

// colFold is one column's running summary.
type colFold struct {
	idx      int // its place among the summary's columns
	name     string
	typ      connectors.Type
	rows     int64 // rows seen since the column first appeared, before: nulls
	nulls    int64
	distinct *distinctSet
	has      bool // min and max hold a value
	min, max any
	nanOnly  bool    // every value so far is NaN (floats)
	sum, c   float64 // Neumaier-compensated sum of the numbers
	n        int64
}

// Add folds one frame in. A column seen before must keep its type; a
// column missing from a frame counts that frame's rows as nulls, and one
// that first appears later had nulls in the rows before it.
func (s *Summarizer) Add(f *connectors.Frame) error {
	n := int64(f.Len())
	seen := make(map[*colFold]*connectors.Column, f.NumColumns())
	for _, c := range f.Columns() {
		cf := s.byName[c.Name]
		if cf == nil {
			i := len(s.cols)
			limit := min(s.limit, max(exactBudget/max(f.NumColumns(), i+1), 1000))
			cf = &colFold{idx: i, name: c.Name, typ: c.Type, rows: s.rows, nulls: s.rows, distinct: newDistinctSet(limit, &s.scratch[i%foldWorkers]), nanOnly: true}
			s.byName[c.Name] = cf
			s.cols = append(s.cols, cf)
		}
		if cf.typ != c.Type {
			return fmt.Errorf("column %q is %s in one batch and %s in an earlier one", c.Name, c.Type, cf.typ)
		}
		if seen[cf] != nil {
			return fmt.Errorf("column %q appears twice in one batch", c.Name)
		}
		seen[cf] = c
	}
	var wg sync.WaitGroup
	for w := range foldWorkers {
		wg.Go(func() {
			for cf, c := range seen {
				if cf.idx%foldWorkers == w {
					cf.fold(c)
				}
			}
		})
	}
	wg.Wait()
	for _, cf := range s.cols {
		if seen[cf] == nil {
			cf.rows += n
			cf.nulls += n
		}
	}
	s.rows += n
	return nil
}

// Result is the summary so far, a column per name in order of first
// appearance.
func (s *Summarizer) Result() []ColumnSummary {
	out := make([]ColumnSummary, len(s.cols))
	for i, cf := range s.cols {
		d, est := cf.distinct.count()
		cs := ColumnSummary{Column: cf.name, Type: cf.typ, Rows: cf.rows, Nulls: cf.nulls, Distinct: d, DistinctEstimated: est}
		if cf.has {
			cs.Min, cs.Max = cf.min, cf.max
		}
		if (cf.typ == connectors.Int64 || cf.typ == connectors.Float64) && cf.n > 0 {
			m := (cf.sum + cf.c) / float64(cf.n)
			cs.Mean = &m
		}
		out[i] = cs
	}
	return out
}

// addNumber adds x to the compensated sum (Neumaier's variant of Kahan's),
// so the mean of millions of values keeps its digits.
func (cf *colFold) addNumber(x float64) {
	t := cf.sum + x
	if math.Abs(cf.sum) >= math.Abs(x) {
		cf.c += (cf.sum - t) + x
	} else {
		cf.c += (x - t) + cf.sum
	}
	cf.sum = t
	cf.n++
}

// fold adds one frame's column. Min and max are found as row indexes
// within the batch first, so a string is copied out of the batch (which
// it would otherwise keep alive) at most twice a batch.
func (cf *colFold) fold(c *connectors.Column) {
	n := c.Len()
	cf.rows += int64(n)
	lo, hi := -1, -1
	for i := 0; i < n; i++ {
		if c.IsNull(i) {
			cf.nulls++
			continue
		}
		switch c.Type {
		case connectors.Int64:
			v := c.Ints[i]
			cf.distinct.add(mix64(uint64(v)))
			cf.addNumber(float64(v))
			if lo < 0 || v < c.Ints[lo] {
				lo = i
			}
			if hi < 0 || v > c.Ints[hi] {
				hi = i
			}
		case connectors.Float64:
			v := c.Floats[i]
			cf.distinct.add(mix64(floatKey(v)))
			cf.addNumber(v)
			if math.IsNaN(v) {
				if lo < 0 {
					lo, hi = i, i
				}
				continue
			}
			if lo < 0 || math.IsNaN(c.Floats[lo]) || v < c.Floats[lo] {
				lo = i
			}
			if hi < 0 || math.IsNaN(c.Floats[hi]) || v > c.Floats[hi] {
				hi = i
			}
		case connectors.String:
			v := c.Strings[i]
			cf.distinct.add(hashString(v))
			if lo < 0 || v < c.Strings[lo] {
				lo = i
			}
			if hi < 0 || v > c.Strings[hi] {
				hi = i
			}
		case connectors.Bool:
			v := c.Bools[i]
			var k uint64
			if v {
				k = 1
			}
			cf.distinct.add(mix64(k))
			if lo < 0 || (!v && c.Bools[lo]) {
				lo = i
			}
			if hi < 0 || (v && !c.Bools[hi]) {
				hi = i
			}
		case connectors.Timestamp:
			v := c.Micros[i] // microseconds since the epoch: hashed by a bijection, exact too
			cf.distinct.add(mix64(uint64(v)))
			if lo < 0 || v < c.Micros[lo] {
				lo = i
			}
			if hi < 0 || v > c.Micros[hi] {
				hi = i
			}
		}
	}
	if lo >= 0 {
		cf.offer(c.Value(lo), c.Value(hi))
	}
}

// floatKey is the bits a float is counted by: -0 is 0 and every NaN one
// NaN, as SQL's count(distinct) sees them.
func floatKey(v float64) uint64 {
	switch {
	case v == 0:
		return 0
	case math.IsNaN(v):
		return math.Float64bits(math.NaN())
	}
	return math.Float64bits(v)
}

// offer merges one batch's extremes into the column's. A batch of only
// NaNs offers its NaN only while the column has nothing else.
func (cf *colFold) offer(lo, hi any) {
	if s, ok := lo.(string); ok {
		lo, hi = strings.Clone(s), strings.Clone(hi.(string))
	}
	if f, ok := lo.(float64); ok {
		nan := math.IsNaN(f)
		switch {
		case !cf.has:
			cf.nanOnly = nan
		case nan:
			return
		case cf.nanOnly:
			cf.min, cf.max, cf.nanOnly = lo, hi, false
			return
		}
	}
	if !cf.has {
		cf.min, cf.max, cf.has = lo, hi, true
		return
	}
	if less(lo, cf.min) {
		cf.min = lo
	}
	if less(cf.max, hi) {
		cf.max = hi
	}
}

// less orders two non-NaN values of one column's type.
func less(a, b any) bool {
	switch x := a.(type) {
	case int64:
		return x < b.(int64)
	case float64:
		return x < b.(float64)
	case string:
		return x < b.(string)
	case bool:
		return !x && b.(bool)
	case time.Time:
		return x.Before(b.(time.Time))
	}
	return false
}

// Summarize reads the batches in order through r and folds each into the
// summary; the next batch is read and decoded while one is folded, so at
// most three are in memory. Each batch must hold the rows it lists (when
// it lists them).
func Summarize(ctx context.Context, r BatchReader, batches []BatchInfo, o SummaryOptions) ([]ColumnSummary, error) {
	s := NewSummarizer(o)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type item struct {
		b   BatchInfo
		f   *connectors.Frame
		err error
	}
	ch := make(chan item, 1)
	go func() {
		defer close(ch)
		for _, b := range batches {
			f, _, err := r.ReadBatch(ctx, b.Key)
			select {
			case ch <- item{b, f, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		cancel()
		for range ch { // the reader ends before Summarize returns
		}
	}()
	for it := range ch {
		if it.err != nil {
			if errors.Is(it.err, context.Canceled) && ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, it.err
		}
		if it.b.Rows != 0 && int64(it.f.Len()) != it.b.Rows {
			return nil, fmt.Errorf("batch %s holds %d rows, but the manifest says %d", it.b.Key, it.f.Len(), it.b.Rows)
		}
		if err := s.Add(it.f); err != nil {
			return nil, fmt.Errorf("batch %s: %w", it.b.Key, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.Result(), nil
}
