package codec

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"connector-dev/connectors"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func codecs() []Codec { return []Codec{Parquet(), CSV()} }

func TestRoundTrip(t *testing.T) {
	long := connectors.NewFrame(connectors.Field{Name: "blob", Type: connectors.String, Nullable: true})
	for i := range 3000 {
		v := any(strings.Repeat(string(rune('a'+i%26)), 1000+i))
		if i%5 == 0 {
			v = nil
		}
		if err := long.AppendRow(v); err != nil {
			t.Fatal(err)
		}
	}
	ints := connectors.NewFrame(connectors.Field{Name: "n", Type: connectors.Int64, Nullable: true}, connectors.Field{Name: "t", Type: connectors.Timestamp})
	for i := range 300000 {
		v := any(int64(i) * 7919)
		if i%7 == 0 {
			v = nil
		}
		if err := ints.AppendRow(v, base.Add(time.Duration(i)*time.Microsecond)); err != nil {
			t.Fatal(err)
		}
	}
	frames := map[string]*connectors.Frame{
		"many int pages": ints,
		"edge values":    edgeFrame(t),
		"zero rows":      edgeFrame(t).Slice(0, 0),
		"synthetic":      synthFrame(20000),
		"many pages":     long,
		"one null col":   connectors.FrameOf(&connectors.Column{Field: connectors.Field{Name: "n", Type: connectors.Int64, Nullable: true}, Ints: []int64{0, 0}, Null: []bool{true, true}}),
		"one empty str": connectors.FrameOf(&connectors.Column{Field: connectors.Field{Name: "e", Type: connectors.String},
			Strings: []string{"", "", "x"}}),
	}
	for _, c := range codecs() {
		for name, f := range frames {
			t.Run(c.Name()+"/"+name, func(t *testing.T) {
				prefix := []byte("keep")
				enc, err := c.Encode(prefix, f)
				if err != nil {
					t.Fatalf("encode: %v", err)
				}
				if !bytes.HasPrefix(enc, []byte("keep")) {
					t.Fatalf("encode did not append to dst")
				}
				got, err := c.Decode(enc[4:], f.Fields())
				if err != nil {
					t.Fatalf("decode: %v", err)
				}
				want := f
				if c.Name() == "csv" {
					want = emptyAsNull(f)
				}
				assertSameFrame(t, want, got)
			})
		}
	}
}

// TestParquetSettingsRoundTrip: every compression and encoding the
// benchmarks compare decodes exactly.
func TestParquetSettingsRoundTrip(t *testing.T) {
	for _, comp := range []string{"none", "snappy", "snappy-better", "zstd"} {
		for _, dict := range []bool{false, true} {
			c := parquetVariant(comp, dict)
			for _, f := range []*connectors.Frame{edgeFrame(t), synthFrame(5000)} {
				enc, err := c.Encode(nil, f)
				if err != nil {
					t.Fatalf("%s dict=%v: %v", comp, dict, err)
				}
				got, err := Parquet().Decode(enc, f.Fields())
				if err != nil {
					t.Fatalf("%s dict=%v: %v", comp, dict, err)
				}
				assertSameFrame(t, f, got)
			}
		}
	}
}

func TestEncodeReusesBuffer(t *testing.T) {
	f := synthFrame(1000)
	for _, c := range codecs() {
		first, err := c.Encode(nil, f)
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 0, 2*len(first))
		second, err := c.Encode(buf, f)
		if err != nil {
			t.Fatal(err)
		}
		if &second[0] != &buf[:1][0] {
			t.Errorf("%s: encode into a big enough buffer reallocated", c.Name())
		}
		if !bytes.Equal(first, second) {
			t.Errorf("%s: encoding is not deterministic", c.Name())
		}
	}
}

func TestByNameAndForKey(t *testing.T) {
	tests := []struct {
		name, key, want, wantErr string
	}{
		{name: "parquet", key: "job/run/batch-000001.parquet", want: "parquet"},
		{name: "CSV", key: "batch-000002.CSV", want: "csv"},
		{name: "avro", key: "batch.avro", wantErr: "parquet, csv"},
		{name: "", key: "batch", wantErr: "want"},
	}
	for _, tt := range tests {
		c, err := ByName(tt.name)
		k, kerr := ForKey(tt.key)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || kerr == nil {
				t.Errorf("ByName(%q), ForKey(%q): errors %v, %v; want one mentioning %q", tt.name, tt.key, err, kerr, tt.wantErr)
			}
			continue
		}
		if err != nil || kerr != nil || c.Name() != tt.want || k.Name() != tt.want || !strings.HasSuffix(strings.ToLower(tt.key), c.Ext()) {
			t.Errorf("ByName(%q), ForKey(%q) = %v, %v (%v, %v); want %s", tt.name, tt.key, c, k, err, kerr, tt.want)
		}
	}
}

// TestCSVGolden pins the CSV a user would see for the edge frame.
func TestCSVGolden(t *testing.T) {
	got, err := CSV().Encode(nil, edgeFrame(t))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "edge.csv")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("CSV differs from %s:\n%s", path, got)
	}
}

func TestCSVDecodeErrors(t *testing.T) {
	schema := []connectors.Field{
		{Name: "id", Type: connectors.Int64},
		{Name: "amount", Type: connectors.Float64, Nullable: true},
		{Name: "ok", Type: connectors.Bool, Nullable: true},
		{Name: "at", Type: connectors.Timestamp, Nullable: true},
	}
	tests := []struct {
		name, data string
		want       []string
	}{
		{"bad int", "id,amount,ok,at\n1,,,\nx1,,,\n", []string{`"id"`, "row 3", `"x1"`}},
		{"bad float", "id,amount,ok,at\n1,1.5,,\n2,abc,,\n", []string{`"amount"`, "row 3", `"abc"`}},
		{"bad bool", "id,amount,ok,at\n1,,yes,\n", []string{`"ok"`, "row 2", `"yes"`}},
		{"bad time", "id,amount,ok,at\n1,,,2026-13-01\n", []string{`"at"`, "row 2", `"2026-13-01"`}},
		{"row after multiline", "id,amount,ok,at\n1,,,\n\"2\n\",,,\n", []string{`"id"`, "row 3", `"2\n"`}},
		{"null in required", "id,amount,ok,at\n,,,\n", []string{`"id"`, "row 2", "non-nullable"}},
		{"header mismatch", "id,amt,ok,at\n", []string{"id,amt,ok,at", "id:int64,amount:float64?"}},
		{"ragged", "id,amount,ok,at\n1,2\n", []string{"row 2 of the file has 2 fields, the header has 4"}},
		{"empty", "", []string{"empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CSV().Decode([]byte(tt.data), schema)
			if err == nil {
				t.Fatal("decode succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %s", err, w)
				}
			}
		})
	}
}

func TestCSVDecodeWithoutSchema(t *testing.T) {
	f, err := CSV().Decode([]byte("a,b c\n1,\n,x\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := FormatSchema(f.Fields()); got != "a:string?,b%20c:string?" {
		t.Errorf("schema %s", got)
	}
	if f.Len() != 2 || f.Columns()[0].Value(0) != "1" || f.Columns()[1].Value(0) != nil || f.Columns()[0].Value(1) != nil || f.Columns()[1].Value(1) != "x" {
		t.Errorf("rows %v %v", f.Row(0), f.Row(1))
	}
}

// TestCSVEmptyStringIsNull documents the one ambiguity of the CSV form.
func TestCSVEmptyStringIsNull(t *testing.T) {
	f := connectors.NewFrame(connectors.Field{Name: "s", Type: connectors.String, Nullable: true}, connectors.Field{Name: "t", Type: connectors.String})
	if err := f.AppendRow("", ""); err != nil {
		t.Fatal(err)
	}
	enc, _ := CSV().Encode(nil, f)
	got, err := CSV().Decode(enc, f.Fields())
	if err != nil {
		t.Fatal(err)
	}
	if got.Columns()[0].Value(0) != nil || got.Columns()[1].Value(0) != "" {
		t.Errorf("got %v, want [nil \"\"]", got.Row(0))
	}
}

func TestEncodeRejectsInvalidFrames(t *testing.T) {
	ragged := connectors.FrameOf(
		&connectors.Column{Field: connectors.Field{Name: "a", Type: connectors.Int64}, Ints: []int64{1, 2}},
		&connectors.Column{Field: connectors.Field{Name: "b", Type: connectors.Int64}, Ints: []int64{1}},
	)
	farFuture := connectors.NewFrame(connectors.Field{Name: "t", Type: connectors.Timestamp})
	if err := farFuture.AppendRow(base.AddDate(20000, 0, 0)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		c    Codec
		f    *connectors.Frame
		want string
	}{
		{Parquet(), ragged, `column "b" has 1 rows`},
		{CSV(), ragged, `column "b" has 1 rows`},
		{Parquet(), connectors.NewFrame(), "no columns"},
		{CSV(), farFuture, `column "t", row 1: year 22026`},
	}
	for _, tt := range tests {
		out, err := tt.c.Encode([]byte("x"), tt.f)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.c.Name(), err, tt.want)
		}
		if string(out) != "x" {
			t.Errorf("%s: a failed encode left %q in dst", tt.c.Name(), out)
		}
	}
	// Parquet has the range CSV lacks.
	enc, err := Parquet().Encode(nil, farFuture)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parquet().Decode(enc, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertSameFrame(t, farFuture, got)
}

// emptyAsNull is f as CSV gives it back: an empty string in a nullable
// string column reads as null (see the package doc).
func emptyAsNull(f *connectors.Frame) *connectors.Frame {
	cols := make([]*connectors.Column, f.NumColumns())
	for i, c := range f.Columns() {
		cc := *c
		if c.Type == connectors.String && c.Nullable {
			cc.Null = make([]bool, c.Len())
			for r := range c.Len() {
				cc.Null[r] = c.IsNull(r) || c.Strings[r] == ""
			}
		}
		cols[i] = &cc
	}
	return connectors.FrameOf(cols...)
}

// TestConcurrentUse: one codec value serves many uploads at once.
func TestConcurrentUse(t *testing.T) {
	f := synthFrame(3000)
	for _, c := range codecs() {
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Go(func() {
				enc, err := c.Encode(nil, f)
				if err == nil {
					_, err = c.Decode(enc, f.Fields())
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("%s: %v", c.Name(), err)
			}
		}
	}
}
