package harness

import (
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/harness/config"
)

func TestSampleMatcher(t *testing.T) {
	f := connectors.NewFrame(connectors.Field{Name: "id", Type: connectors.Int64}, connectors.Field{Name: "amount", Type: connectors.Float64, Nullable: true},
		connectors.Field{Name: "at", Type: connectors.Timestamp}, connectors.Field{Name: "ok", Type: connectors.Bool})
	at := time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC)
	if err := f.AppendRow(int64(1), 12.5, at, true); err != nil {
		t.Fatal(err)
	}
	if err := f.AppendRow(int64(2), nil, at, false); err != nil {
		t.Fatal(err)
	}
	row := func(cells ...string) config.SampleRow {
		var r config.SampleRow
		for i := 0; i+1 < len(cells); i += 2 {
			r = append(r, config.SampleCell{Name: cells[i], Value: cells[i+1], Null: cells[i+1] == "~"})
		}
		return r
	}
	m := &sampleMatcher{want: []config.SampleRow{
		row("id", "1", "amount", "12.50", "at", "2026-01-31T13:00:00+01:00", "ok", "true"), // found: by value
		row("id", "2", "amount", "~"), // found: null
		row("id", "1", "amount", "~"), // no: 1's amount is not null
		row("id", "1", "ok", "false"), // no: the values are on different rows
		row("id", "x"),                // no
	}}
	m.found = make([]bool, len(m.want))
	m.add(f)
	got := m.misses()
	want := []string{
		"samples: row 3 {id: 1, amount: ~} is not among the loaded rows",
		"samples: row 4 {id: 1, ok: false} is not among the loaded rows",
		"samples: row 5 {id: x} is not among the loaded rows",
	}
	if len(got) != len(want) {
		t.Fatalf("misses %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("miss %d: %q, want %q", i, got[i], want[i])
		}
	}
}

// The checksum is the rows', not their order's; a duplicated row counts.
func TestRowsChecksumOrderFree(t *testing.T) {
	mk := func(ids ...int64) *connectors.Frame {
		f := connectors.NewFrame(connectors.Field{Name: "id", Type: connectors.Int64}, connectors.Field{Name: "s", Type: connectors.String})
		for _, id := range ids {
			if err := f.AppendRow(id, "x"); err != nil {
				t.Fatal(err)
			}
		}
		return f
	}
	var a, b, c RowsChecksum
	a.Add(mk(1, 2, 3))
	b.Add(mk(3))
	b.Add(mk(2, 1))
	c.Add(mk(1, 2, 3, 3))
	if a != b || a == c || a.String() == "0000000000000000" || len(a.String()) != 16 {
		t.Errorf("checksums %s %s %s", a, b, c)
	}
}
