package synthetic_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/connectors/connectortest"
	"connector-dev/connectors/synthetic"
)

// want computes row i straight from the reference's formulas, independently
// of the generator's tricks (shared buffers, overflow-safe modulo).
func want(i int64) []any {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	regions := []string{"north", "south", "east", "west", "emea", "apac", "latam", "anz"}
	return []any{
		i,
		fmt.Sprintf("account-%d", i),
		float64(i%100000) / 100.0,
		i%3 == 0,
		base.Add(time.Duration(i%31536000) * time.Second),
		regions[i%8],
		i % 1000,
		float64(i%997) / 997.0,
		fmt.Sprintf("user%d@example.com", i),
		base.Add(time.Duration((i*7)%31536000) * time.Second),
	}
}

func TestRowValues(t *testing.T) {
	for _, i := range []int64{0, 1, 7, 999_999, 31_536_000 + 5} {
		f := synthetic.Generate(i-i%3, 3) // row i is not always the chunk's first
		k := int(i % 3)
		got := f.Row(k)
		exp := want(i)
		for c, fd := range f.Fields() {
			g, w := got[c], exp[c]
			if gt, ok := g.(time.Time); ok {
				wt := w.(time.Time)
				if !gt.Equal(wt) || gt.Location() != time.UTC {
					t.Errorf("row %d %s = %v, want %v (UTC)", i, fd.Name, gt, wt)
				}
				continue
			}
			if g != w {
				t.Errorf("row %d %s = %#v, want %#v", i, fd.Name, g, w)
			}
		}
	}
}

// Every row of chunks that cross a change in the ids' digit count (9 to
// 10, 999,999 to 1,000,000, the largest ids) holds its own id's name and
// email, as the reference writes them.
func TestRowsAcrossDigitCounts(t *testing.T) {
	for _, start := range []int64{0, 5, 999_990, math.MaxInt64 - 20, 999_999_999_999_999_990} {
		f := synthetic.Generate(start, 20)
		for k := range 20 {
			i := start + int64(k)
			if got, want := f.Col("account_name").Strings[k], fmt.Sprintf("account-%d", i); got != want {
				t.Errorf("account_name of id %d = %q, want %q", i, got, want)
			}
			if got, want := f.Col("email").Strings[k], fmt.Sprintf("user%d@example.com", i); got != want {
				t.Errorf("email of id %d = %q, want %q", i, got, want)
			}
		}
	}
}

func TestFieldsMatchReference(t *testing.T) {
	f := synthetic.Generate(0, 1)
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, fd := range f.Fields() {
		if fd.Nullable {
			t.Errorf("column %s is nullable", fd.Name)
		}
		names = append(names, fd.Name+":"+fd.Type.String())
	}
	got := strings.Join(names, ",")
	exp := "id:int64,account_name:string,amount:float64,is_active:bool,created_at:timestamp," +
		"region:string,quantity:int64,score:float64,email:string,updated_at:timestamp"
	if got != exp {
		t.Errorf("columns\n got %s\nwant %s", got, exp)
	}
}

func TestChunksCoverEveryRowOnce(t *testing.T) {
	for _, total := range []int64{1, synthetic.ChunkRows, 2*synthetic.ChunkRows + 5} {
		rt := connectortest.New(nil)
		rt.EnvVars[synthetic.RowsEnv] = fmt.Sprint(total)
		reason, msg := rt.RunSource(context.Background(), synthetic.Source{})
		if reason != connectors.Success {
			t.Fatalf("rows=%d: %s %s", total, reason, msg)
		}
		if rt.ExpectedOut != total {
			t.Errorf("rows=%d: SetExpectedRows(%d)", total, rt.ExpectedOut)
		}
		next := int64(0)
		for _, f := range rt.Uploads() {
			if f.Len() > synthetic.ChunkRows {
				t.Errorf("rows=%d: a chunk of %d rows", total, f.Len())
			}
			ids := f.Col("id").Ints
			for _, id := range ids {
				if id != next {
					t.Fatalf("rows=%d: id %d where %d was due", total, id, next)
				}
				next++
			}
			// The strings of a chunk are sliced from one buffer; check the
			// last row's are its own.
			last := int64(ids[len(ids)-1])
			if got := f.Col("email").Strings[len(ids)-1]; got != fmt.Sprintf("user%d@example.com", last) {
				t.Errorf("rows=%d: email of %d is %q", total, last, got)
			}
		}
		if next != total || rt.RowCount() != total {
			t.Errorf("rows=%d: uploaded %d ids, RowCount %d", total, next, rt.RowCount())
		}
		if logs := rt.Logs(); len(logs) == 0 || !strings.Contains(logs[0].Message, connectors.Thousands(total)+" synthetic rows") {
			t.Errorf("rows=%d: first log %v does not give the count", total, logs)
		}
	}
}

func TestRowsSetting(t *testing.T) {
	tests := []struct {
		value  string
		reason connectors.ExitReason
		rows   int64
		msg    string
	}{
		{"", connectors.Success, synthetic.DefaultRows, ""},
		{" 12 ", connectors.Success, 12, ""},
		{"0", connectors.NoFail, 0, "No rows returned"},
		{"-1", connectors.Error, 0, `SYNTHETIC_ROWS="-1" is negative: it must be 0 or more`},
		{"1.5", connectors.Error, 0, `SYNTHETIC_ROWS="1.5" is not a whole number`},
		{"1e6", connectors.Error, 0, `SYNTHETIC_ROWS="1e6" is not a whole number`},
		{"lots", connectors.Error, 0, `SYNTHETIC_ROWS="lots" is not a whole number`},
		{"+3", connectors.Error, 0, `SYNTHETIC_ROWS="+3" is not a whole number`},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			rt := connectortest.New(nil)
			if tc.value != "" {
				rt.EnvVars[synthetic.RowsEnv] = tc.value
			}
			reason, msg := rt.RunSource(context.Background(), synthetic.Source{})
			if reason != tc.reason || !strings.Contains(msg, tc.msg) {
				t.Errorf("reason %s %q, want %s containing %q", reason, msg, tc.reason, tc.msg)
			}
			if rt.RowCount() != tc.rows {
				t.Errorf("uploaded %d rows, want %d", rt.RowCount(), tc.rows)
			}
		})
	}
}

// cancelling cancels the run's context after its first upload, as Ctrl-C would.
type cancelling struct {
	*connectortest.Runtime
	cancel context.CancelFunc
}

func (c cancelling) UploadRows(ctx context.Context, f *connectors.Frame) error {
	err := c.Runtime.UploadRows(ctx, f)
	c.cancel()
	return err
}

func TestStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rt := connectortest.New(nil)
	rt.EnvVars[synthetic.RowsEnv] = "10000000"
	err := synthetic.Source{}.Run(ctx, cancelling{rt, cancel})
	if err == nil {
		t.Fatal("Run returned nil after its context was cancelled")
	}
	if n := len(rt.Uploads()); n != 1 {
		t.Errorf("%d uploads after cancelling at the first", n)
	}
}

func TestRegistered(t *testing.T) {
	r, ok := connectors.Lookup(synthetic.Name)
	if !ok || r.Kind != connectors.KindSource || r.NewSource == nil {
		t.Fatalf("synthetic not registered as a source: %+v", r)
	}
}

func FuzzParseRows(f *testing.F) {
	for _, s := range []string{"", "0", "10000", " 7 ", "-1", "+1", "1e3", "9223372036854775807", "9223372036854775808", "٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := synthetic.ParseRows(s)
		if err != nil {
			if !strings.Contains(err.Error(), synthetic.RowsEnv) {
				t.Errorf("error %q does not name %s", err, synthetic.RowsEnv)
			}
			return
		}
		if n < 0 {
			t.Errorf("ParseRows(%q) = %d", s, n)
		}
		if strings.TrimSpace(s) != "" && fmt.Sprint(n) != strings.TrimLeft(strings.TrimSpace(s), "0") && n != 0 {
			t.Errorf("ParseRows(%q) = %d", s, n)
		}
	})
}

// BenchmarkGenerate1M generates one million rows in ChunkRows chunks, the
// source's whole cost without the upload.
func BenchmarkGenerate1M(b *testing.B) {
	const total = 1_000_000
	b.ReportAllocs()
	for b.Loop() {
		for start := int64(0); start < total; start += synthetic.ChunkRows {
			synthetic.Generate(start, int(min(synthetic.ChunkRows, total-start)))
		}
	}
	b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
