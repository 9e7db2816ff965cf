package connectors

import (
	"math"
	"testing"
	"time"
)

// AppendTime and Time round-trip any instant a Timestamp column holds, to
// the microsecond, whatever the input's location; a null reads as the zero
// time; and instants past the int64 of microseconds, or a column of
// another type, are errors that name the column and append nothing.
func TestAppendTimeAndTime(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	ok := []struct {
		in   time.Time
		want time.Time
	}{
		{time.Date(2026, 1, 31, 9, 0, 0, 123456789, paris), time.Date(2026, 1, 31, 8, 0, 0, 123456000, time.UTC)},
		{time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(1969, 12, 31, 23, 59, 59, 999999000, time.UTC)},
		{time.Time{}, time.Time{}.UTC()},
		{time.UnixMicro(math.MaxInt64), time.UnixMicro(math.MaxInt64).UTC()},
		{time.UnixMicro(math.MinInt64), time.UnixMicro(math.MinInt64).UTC()},
	}
	c := &Column{Field: Field{Name: "at", Type: Timestamp, Nullable: true}}
	for i, tt := range ok {
		if err := c.AppendTime(tt.in); err != nil {
			t.Fatalf("AppendTime(%v): %v", tt.in, err)
		}
		if got := c.Time(i); !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("Time(%d) = %v, want %v in UTC", i, got, tt.want)
		}
		if got := c.Value(i); got != any(tt.want) {
			t.Errorf("Value(%d) = %v, want %v", i, got, tt.want)
		}
	}
	if err := c.AppendNull(); err != nil {
		t.Fatal(err)
	}
	if got := c.Time(len(ok)); !got.IsZero() {
		t.Errorf("Time of a null = %v, want the zero time", got)
	}
	bad := []struct {
		col  *Column
		in   time.Time
		want string
	}{
		{c, time.UnixMicro(math.MaxInt64).Add(time.Microsecond), `column "at": timestamp 294247-01-10T04:00:54Z is outside what a batch holds (years -290308 to 294247)`},
		{c, time.UnixMicro(math.MinInt64).Add(-time.Microsecond), `column "at": timestamp -290308-12-21T19:59:05Z is outside what a batch holds (years -290308 to 294247)`},
		{c, time.Date(1_000_000, 1, 1, 0, 0, 0, 0, time.UTC), `column "at": timestamp 1000000-01-01T00:00:00Z is outside what a batch holds (years -290308 to 294247)`},
		{&Column{Field: Field{Name: "n", Type: Int64}}, time.Now(), `column "n": AppendTime on a column of type int64 (want timestamp)`},
	}
	for _, tt := range bad {
		n := tt.col.Len()
		if err := tt.col.AppendTime(tt.in); err == nil || err.Error() != tt.want {
			t.Errorf("AppendTime(%v): error %v, want %q", tt.in, err, tt.want)
		}
		if err := tt.col.Append(tt.in); tt.col.Type == Timestamp && (err == nil || err.Error() != tt.want) {
			t.Errorf("Append(%v): error %v, want %q", tt.in, err, tt.want)
		}
		if tt.col.Len() != n || len(tt.col.Null) != n && tt.col.Nullable {
			t.Errorf("a refused time was appended: %d values, %d flags, want %d", tt.col.Len(), len(tt.col.Null), n)
		}
	}
}
