// Package synthetic is a source that generates the benchmark data set: the
// ten columns of /work/shared/bench/python_reference.py, row for row, so a
// Go run and the Python reference load the same table.
//
// It registers itself as "synthetic". The row count comes from the
// SYNTHETIC_ROWS setting (default 10,000).
package synthetic

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"connector-dev/connectors"
)

// Name is the name the source is registered under.
const Name = "synthetic"

// RowsEnv is the setting that holds the number of rows to generate.
const RowsEnv = "SYNTHETIC_ROWS"

// DefaultRows is the row count when RowsEnv is unset.
const DefaultRows = 10_000

// ChunkRows is how many rows go into one UploadRows call when BATCH_ROWS is
// not set: each call is one batch, as the reference makes one frame per batch.
const ChunkRows = 50_000

// BatchRowsEnv is the platform's batch size; the source reads it (declared in
// connectors.yaml) to hand over one batch's rows per UploadRows call.
const BatchRowsEnv = "BATCH_ROWS"

// LogLinesEnv makes the source log that many lines in a burst before it
// generates rows: a stand-in for a chatty connector, to measure log handling.
const LogLinesEnv = "SYNTHETIC_LOG_LINES"

// secondsPerYear bounds the timestamp offsets, as the reference's % 31536000 does.
const secondsPerYear = 31_536_000

// baseUnix is 2026-01-01T00:00:00Z, where row 0's timestamps start.
const baseUnix = 1_767_225_600

// microsPerSecond converts the offsets to the microseconds a Timestamp
// column holds.
const microsPerSecond = 1_000_000

// Region is the region column's value for row i: the reference's eight
// regions in turn.
func Region(i int64) string {
	switch i % 8 {
	case 0:
		return "north"
	case 1:
		return "south"
	case 2:
		return "east"
	case 3:
		return "west"
	case 4:
		return "emea"
	case 5:
		return "apac"
	case 6:
		return "latam"
	}
	return "anz"
}

func init() {
	connectors.RegisterSource(Name, func() connectors.Source { return Source{} })
}

// Source generates the synthetic rows. The zero value is ready to use.
type Source struct{}

// Fields are the generated columns, in order.
func Fields() []connectors.Field {
	return []connectors.Field{
		{Name: "id", Type: connectors.Int64},
		{Name: "account_name", Type: connectors.String},
		{Name: "amount", Type: connectors.Float64},
		{Name: "is_active", Type: connectors.Bool},
		{Name: "created_at", Type: connectors.Timestamp},
		{Name: "region", Type: connectors.String},
		{Name: "quantity", Type: connectors.Int64},
		{Name: "score", Type: connectors.Float64},
		{Name: "email", Type: connectors.String},
		{Name: "updated_at", Type: connectors.Timestamp},
	}
}

// ParseRows reads a SYNTHETIC_ROWS value: "" is DefaultRows, anything else
// must be a non-negative whole number written in decimal digits.
func ParseRows(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultRows, nil
	}
	// ParseUint refuses signs, so "-5" and "+5" are both rejected the same way.
	n, err := strconv.ParseUint(s, 10, 63)
	if err != nil {
		if v, perr := strconv.ParseInt(s, 10, 64); perr == nil && v < 0 {
			return 0, fmt.Errorf("%s=%q is negative: it must be 0 or more, a row count such as 1000000", RowsEnv, s)
		}
		return 0, fmt.Errorf("%s=%q is not a whole number: it must be 0 or more, a row count such as 1000000", RowsEnv, s)
	}
	return int64(n), nil
}

// parseLogLines reads a SYNTHETIC_LOG_LINES value: "" is none.
func parseLogLines(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err == nil && n < 0 {
		return 0, fmt.Errorf("%s=%q is negative: it must be 0 or more, a number of lines such as 200000", LogLinesEnv, s)
	}
	if err != nil {
		return 0, fmt.Errorf("%s=%q is not a whole number: it must be 0 or more, a number of lines such as 200000", LogLinesEnv, s)
	}
	return n, nil
}

// Check validates the source's settings before any stage runs, so a bad
// SYNTHETIC_ROWS is a setup error (exit 3) and not a failed run.
func (Source) Check(ctx context.Context, rt connectors.CheckRuntime) error {
	if _, err := ParseRows(rt.Env(RowsEnv)); err != nil {
		return err
	}
	_, err := parseLogLines(rt.Env(LogLinesEnv))
	return err
}

// Run uploads the rows in chunks of BATCH_ROWS (ChunkRows when unset).
func (Source) Run(ctx context.Context, rt connectors.Runtime) error {
	total, err := ParseRows(rt.Env(RowsEnv))
	if err != nil {
		return rt.LogErr("%v", err)
	}
	chunk := int64(ChunkRows)
	if v := rt.Env(BatchRowsEnv); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			chunk = n
		}
	}
	lines, err := parseLogLines(rt.Env(LogLinesEnv))
	if err != nil {
		return rt.LogErr("%v", err)
	}
	for i := 1; i <= lines; i++ {
		rt.LogInfo("synthetic log line %d of %d", i, lines)
	}
	rt.SetExpectedRows(total)
	rt.LogInfo("Generating %s synthetic rows", connectors.Thousands(total))
	if total == 0 {
		return rt.ExitNoFail("No rows returned")
	}
	for start := int64(0); start < total; start += chunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(chunk, total-start)
		if err := rt.UploadRows(ctx, Generate(start, int(n))); err != nil {
			return err
		}
	}
	return nil
}

// Generate builds rows [start, start+n) as a fresh frame. Each call allocates
// its own slices because UploadRows may keep the frame (the fake runtime does).
func Generate(start int64, n int) *connectors.Frame {
	fields := Fields()
	ids := make([]int64, n)
	names := make([]string, n)
	amounts := make([]float64, n)
	active := make([]bool, n)
	created := make([]int64, n) // microseconds since the epoch, as a Timestamp column holds them
	regions := make([]string, n)
	qty := make([]int64, n)
	scores := make([]float64, n)
	emails := make([]string, n)
	updated := make([]int64, n)

	// Both string columns are written into one builder and sliced out of
	// the one string it makes: one allocation per chunk instead of two per
	// row, no per-row fmt, and (unlike string(buf)) no copy of the text.
	const namePrefix, emailPrefix, emailSuffix = "account-", "user", "@example.com"
	digits := len(strconv.AppendInt(nil, start+int64(n), 10)) // the widest id of the chunk
	var sb strings.Builder
	sb.Grow(n * (len(namePrefix) + len(emailPrefix) + len(emailSuffix) + 2*digits))
	var num [20]byte
	for k := range n {
		d := strconv.AppendInt(num[:0], start+int64(k), 10)
		sb.WriteString(namePrefix)
		sb.Write(d)
		sb.WriteString(emailPrefix)
		sb.Write(d)
		sb.WriteString(emailSuffix)
	}
	text := sb.String()

	// The text is cut by recounting each id's digits, not from a slice of
	// offsets kept from the loop above (16 bytes a row).
	from := 0
	width, wider := digitsFrom(start)
	for k := range n {
		i := start + int64(k)
		if i == wider {
			width, wider = digitsFrom(i)
		}
		nameEnd := from + len(namePrefix) + width
		emailEnd := nameEnd + len(emailPrefix) + width + len(emailSuffix)
		ids[k] = i
		names[k] = text[from:nameEnd]
		emails[k] = text[nameEnd:emailEnd]
		from = emailEnd
		amounts[k] = float64(i%100_000) / 100.0
		active[k] = i%3 == 0
		sec := i % secondsPerYear
		created[k] = (baseUnix + sec) * microsPerSecond
		regions[k] = Region(i)
		qty[k] = i % 1000
		scores[k] = float64(i%997) / 997.0
		// (i*7) % year written so it cannot overflow for any int64 i.
		updated[k] = (baseUnix + sec*7%secondsPerYear) * microsPerSecond
	}

	cols := make([]*connectors.Column, len(fields))
	for c := range fields {
		cols[c] = &connectors.Column{Field: fields[c]}
	}
	cols[0].Ints = ids
	cols[1].Strings = names
	cols[2].Floats = amounts
	cols[3].Bools = active
	cols[4].Micros = created
	cols[5].Strings = regions
	cols[6].Ints = qty
	cols[7].Floats = scores
	cols[8].Strings = emails
	cols[9].Micros = updated
	return connectors.FrameOf(cols...)
}

// digitsFrom returns how many decimal digits i (>= 0) has, and the first
// number with more (or -1 when none fits in an int64).
func digitsFrom(i int64) (width int, wider int64) {
	width, wider = 1, 10
	for i >= wider {
		width++
		if wider > math.MaxInt64/10 {
			return width, -1
		}
		wider *= 10
	}
	return width, wider
}
