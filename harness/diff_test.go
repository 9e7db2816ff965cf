package harness

import (
	"strings"
	"testing"

	"connector-dev/connectors"
)

func TestParseKey(t *testing.T) {
	tests := []struct {
		in   string
		want string // the names joined by "|", or the error's text
	}{
		{"id", "id"},
		{" region , id ", "region|id"},
		{"", `--key "": name a column`},
		{"id,", "an empty column name"},
		{"a,,b", "an empty column name"},
		{"id,id", `column "id" is named twice`},
	}
	for _, tc := range tests {
		got, err := ParseKey(tc.in)
		if err != nil {
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseKey(%q): %v, want %q", tc.in, err, tc.want)
			}
			continue
		}
		if strings.Join(got, "|") != tc.want {
			t.Errorf("ParseKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Whatever --key is given, it is either refused in one line that names
// --key, or read as distinct, trimmed, non-empty names that read back the
// same when joined.
func FuzzParseKey(f *testing.F) {
	for _, s := range []string{"id", "region,id", " a , b ", "", ",", "a,a", "a,\n", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		names, err := ParseKey(s)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "--key ") || strings.Contains(SafeText(msg), "\n") {
				t.Fatalf("ParseKey(%q): error %q", s, msg)
			}
			return
		}
		seen := map[string]bool{}
		for _, n := range names {
			if n == "" || n != strings.TrimSpace(n) || strings.Contains(n, ",") || seen[n] {
				t.Fatalf("ParseKey(%q) = %q", s, names)
			}
			seen[n] = true
		}
		again, err := ParseKey(strings.Join(names, ","))
		if err != nil || strings.Join(again, ",") != strings.Join(names, ",") {
			t.Fatalf("ParseKey(%q) = %q, but its join reads as %q, %v", s, names, again, err)
		}
	})
}

// On a terminal a value cannot move the cursor or recolour the screen:
// WriteDiff escapes what SafeText escapes, and the counts carry
// thousands separators.
func TestWriteDiffSafe(t *testing.T) {
	res := &DiffResult{A: "ra", B: "rb", Runs: map[string]DiffRun{"a": {RunID: "ra"}, "b": {RunID: "rb"}},
		Key:    []string{"id"},
		Rows:   RowCounts{A: 1234567, B: 1234568, Added: 1},
		Cols:   map[string]int64{},
		Sample: DiffSamples{Added: []DiffRow{{{"id", int64(7)}, {"name", "\x1b[31mred\x1b[0m"}}}},
		Schema: SchemaDiff{Added: []SchemaField{{Name: "n\x1b]0;x\x07", Type: "string"}}},
	}
	var b strings.Builder
	if err := WriteDiff(&b, res, SafeText); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("WriteDiff left a control character:\n%q", out)
	}
	for _, want := range []string{"1,234,567 in a, 1,234,568 in b: 1 added", "+ id=7 name=", "red", "ra and rb: differ"} {
		if !strings.Contains(out, want) {
			t.Errorf("WriteDiff output lacks %q:\n%s", want, out)
		}
	}
}

// The schema part names columns added, removed and retyped, and the
// shared columns' new order when it changed.
func TestSchemaDiff(t *testing.T) {
	f := func(name string, typ connectors.Type, null bool) connectors.Field {
		return connectors.Field{Name: name, Type: typ, Nullable: null}
	}
	a := []connectors.Field{f("id", connectors.Int64, false), f("amount", connectors.Int64, false), f("name", connectors.String, false), f("gone", connectors.Bool, false)}
	b := []connectors.Field{f("name", connectors.String, true), f("id", connectors.Int64, false), f("amount", connectors.Float64, false), f("new", connectors.Timestamp, false)}
	d := schemaDiff(a, b)
	var got []string
	for _, x := range d.Added {
		got = append(got, "+"+x.Name+" "+x.Type)
	}
	for _, x := range d.Removed {
		got = append(got, "-"+x.Name)
	}
	for _, x := range d.Changed {
		got = append(got, "~"+x.Name+" "+typeWord(x.A)+" -> "+typeWord(x.B))
	}
	got = append(got, "order "+strings.Join(d.Reordered, ","))
	want := "+new timestamp|-gone|~amount int64 -> float64|~name string -> string (nullable)|order name,id,amount"
	if strings.Join(got, "|") != want {
		t.Errorf("schemaDiff:\n got %s\nwant %s", strings.Join(got, "|"), want)
	}
	if d := schemaDiff(a, a); len(d.Added)+len(d.Removed)+len(d.Changed)+len(d.Reordered) != 0 {
		t.Errorf("schemaDiff(a, a) = %+v", d)
	}
}
