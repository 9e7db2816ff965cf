package codec

import (
	"math"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/connectors/synthetic"
)

var base = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// synthFrame is the benchmark data set of the brief: n rows of ten columns.
func synthFrame(n int) *connectors.Frame { return synthetic.Generate(0, n) }

// edgeFrame holds every type, nullable and not, with the values a codec is
// most likely to get wrong, under names that need escaping.
func edgeFrame(t testing.TB) *connectors.Frame {
	t.Helper()
	f := connectors.NewFrame(
		connectors.Field{Name: "s", Type: connectors.String},
		connectors.Field{Name: "s null", Type: connectors.String, Nullable: true},
		connectors.Field{Name: "i,64", Type: connectors.Int64},
		connectors.Field{Name: "i?", Type: connectors.Int64, Nullable: true},
		connectors.Field{Name: "f:64", Type: connectors.Float64},
		connectors.Field{Name: "f%", Type: connectors.Float64, Nullable: true},
		connectors.Field{Name: "b\"q\"", Type: connectors.Bool},
		connectors.Field{Name: "b\nnl", Type: connectors.Bool, Nullable: true},
		connectors.Field{Name: "création", Type: connectors.Timestamp},
		connectors.Field{Name: "日付", Type: connectors.Timestamp, Nullable: true},
	)
	ts := time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)
	rows := [][]any{
		{"", "x", int64(0), int64(1), 0.0, 1.5, false, true, ts, ts},
		{"héllo, \"wörld\"\n", nil, int64(math.MinInt64), nil, math.NaN(), nil, true, nil, time.Time{}.UTC(), nil},
		{" leading space", "", int64(math.MaxInt64), int64(-1), math.Inf(1), math.Inf(-1), false, false, time.Unix(0, 0).UTC(), time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)},
		{"🙂 emoji\r\n", "a,b", int64(42), int64(7), math.Copysign(0, -1), math.SmallestNonzeroFloat64, true, true, ts.Add(time.Microsecond), time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC)},
		{"\"", "\"\"", int64(-42), nil, math.MaxFloat64, 1e-300, false, nil, ts, ts},
	}
	for i, r := range rows {
		if err := f.AppendRow(r...); err != nil {
			t.Fatalf("edge row %d: %v", i, err)
		}
	}
	return f
}

// assertSameFrame fails unless got holds exactly want's columns and values:
// floats bit for bit (NaN included), times as equal UTC instants.
func assertSameFrame(t testing.TB, want, got *connectors.Frame) {
	t.Helper()
	if a, b := FormatSchema(want.Fields()), FormatSchema(got.Fields()); a != b {
		t.Fatalf("schema: got %s, want %s", b, a)
	}
	if got.Len() != want.Len() {
		t.Fatalf("rows: got %d, want %d", got.Len(), want.Len())
	}
	if err := got.Validate(); err != nil {
		t.Fatalf("decoded frame invalid: %v", err)
	}
	for ci, wc := range want.Columns() {
		gc := got.Columns()[ci]
		for r := range want.Len() {
			wv, gv := wc.Value(r), gc.Value(r)
			same := wv == nil && gv == nil
			if wv != nil && gv != nil {
				switch w := wv.(type) {
				case float64:
					same = math.Float64bits(w) == math.Float64bits(gv.(float64))
				case time.Time:
					g := gv.(time.Time)
					same = w.Equal(g) && g.Location() == time.UTC
				default:
					same = wv == gv
				}
			}
			if !same {
				t.Fatalf("column %q row %d: got %#v, want %#v", wc.Name, r, gv, wv)
			}
		}
	}
}
