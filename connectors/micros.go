package connectors

import (
	"fmt"
	"math"
	"time"
)

// Seconds since the epoch whose microseconds, whatever the fraction, fit
// in an int64: about 292,000 years either side of 1970 (time.Time reaches
// much further). The one second past each bound fits in part.
const (
	minMicroSec = math.MinInt64 / 1_000_000
	maxMicroSec = math.MaxInt64/1_000_000 - 1
	microRange  = "years -290308 to 294247" // what an int64 of microseconds spans, for errors
)

// Time returns row i of a Timestamp column as a UTC time.Time, or the zero
// time for a null.
func (c *Column) Time(i int) time.Time {
	if c.IsNull(i) {
		return time.Time{}
	}
	return time.UnixMicro(c.Micros[i]).UTC()
}

// AppendTime adds one non-null timestamp to a Timestamp column, truncated
// to the microsecond: Append for a time.Time, without boxing it in an any.
// A column of another type, or an instant whose microseconds since the
// epoch do not fit in an int64, is an error and appends nothing.
func (c *Column) AppendTime(t time.Time) error {
	if c.Type != Timestamp {
		return fmt.Errorf("column %q: AppendTime on a column of type %s (want timestamp)", c.Name, c.Type)
	}
	us, err := c.micros(t)
	if err != nil {
		return err
	}
	c.fillNull()
	c.Micros = append(c.Micros, us)
	if c.Nullable {
		c.Null = append(c.Null, false)
	}
	return nil
}

// micros is t as the column stores it, or an error naming the column when
// t is out of the range an int64 of microseconds holds.
func (c *Column) micros(t time.Time) (int64, error) {
	us := t.UnixMicro()
	// Past the bounds, t fits only if the microseconds did not wrap.
	if s := t.Unix(); (s < minMicroSec || s > maxMicroSec) && time.UnixMicro(us).Unix() != s {
		return 0, fmt.Errorf("column %q: timestamp %s is outside what a batch holds (%s)", c.Name, t.UTC().Format(time.RFC3339), microRange)
	}
	return us, nil
}
