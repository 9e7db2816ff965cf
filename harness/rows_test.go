package harness

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"connector-dev/connectors"
)

// inspect --format csv and jsonl print a timestamp the same way: RFC 3339
// in UTC with six fractional digits, whatever its zone or its zero digits.
func TestRowFormatsShowTimestampsAlike(t *testing.T) {
	f := connectors.NewFrame(connectors.Field{Name: "at", Type: connectors.Timestamp})
	east := time.FixedZone("x", 2*3600)
	for _, ts := range []time.Time{
		time.Date(2026, 1, 31, 10, 0, 0, 0, east),
		time.Date(2026, 1, 31, 8, 0, 0, 120_000_000, time.UTC),
	} {
		if err := f.AppendRow(ts); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"2026-01-31T08:00:00.000000Z", "2026-01-31T08:00:00.120000Z"}
	var csv, jsonl bytes.Buffer
	if err := WriteFrame(&csv, f, "csv"); err != nil {
		t.Fatal(err)
	}
	if err := WriteFrame(&jsonl, f, "jsonl"); err != nil {
		t.Fatal(err)
	}
	csvRows := strings.Split(strings.TrimSpace(csv.String()), "\n")[1:]
	jsonRows := strings.Split(strings.TrimSpace(jsonl.String()), "\n")
	for i, w := range want {
		if strings.TrimSpace(csvRows[i]) != w {
			t.Errorf("csv row %d: %q, want %q", i+1, csvRows[i], w)
		}
		if jsonRows[i] != `{"at":"`+w+`"}` {
			t.Errorf("jsonl row %d: %q, want %q", i+1, jsonRows[i], w)
		}
	}
}
