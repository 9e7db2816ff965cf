package codec

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"connector-dev/connectors"
)

// TimeLayout is how timestamps are written as text, in UTC: RFC 3339 with
// exactly six fractional digits (the microsecond a batch keeps), so that
// every value has the same width and sorts as text. CSV batches use it, and
// so does everything that prints rows (inspect's csv and jsonl), so the two
// formats show a timestamp the same way.
const TimeLayout = "2006-01-02T15:04:05.000000Z07:00"

const csvTimeLayout = TimeLayout

// csvCodec stores frames as RFC 4180 CSV with a header row of names.
type csvCodec struct{}

// CSV returns the CSV codec.
func CSV() Codec { return csvCodec{} }

// Name implements Codec.
func (csvCodec) Name() string { return "csv" }

// Ext implements Codec.
func (csvCodec) Ext() string { return ".csv" }

// ContentType implements Codec.
func (csvCodec) ContentType() string { return "text/csv" }

// Encode appends a header row and one record per row. It formats straight
// into dst rather than through encoding/csv, which would cost a string per
// field.
func (csvCodec) Encode(dst []byte, f *connectors.Frame) ([]byte, error) {
	if err := f.Validate(); err != nil {
		return dst, fmt.Errorf("csv encode: %w", err)
	}
	cols := f.Columns()
	start := len(dst)
	for i, c := range cols {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendCSVField(dst, c.Name, len(cols) == 1)
	}
	dst = append(dst, '\n')
	for r := range f.Len() {
		for i, c := range cols {
			if i > 0 {
				dst = append(dst, ',')
			}
			if c.IsNull(r) {
				if len(cols) == 1 {
					dst = append(dst, `""`...) // a blank line would be skipped as no record
				}
				continue
			}
			switch c.Type {
			case connectors.String:
				dst = appendCSVField(dst, c.Strings[r], len(cols) == 1)
			case connectors.Int64:
				dst = strconv.AppendInt(dst, c.Ints[r], 10)
			case connectors.Float64:
				dst = strconv.AppendFloat(dst, c.Floats[r], 'g', -1, 64)
			case connectors.Bool:
				dst = strconv.AppendBool(dst, c.Bools[r])
			case connectors.Timestamp:
				t := time.UnixMicro(c.Micros[r]).UTC()
				if y := t.Year(); y < 0 || y > 9999 {
					return dst[:start], fmt.Errorf("csv encode: column %q, row %d: year %d cannot be written as RFC 3339 (0000-9999); use Parquet", c.Name, r+1, y)
				}
				dst = t.AppendFormat(dst, csvTimeLayout)
			}
		}
		dst = append(dst, '\n')
	}
	return dst, nil
}

// appendCSVField quotes s when a reader would otherwise split, unquote or
// trim it, or (alone on its line) skip it as a blank line.
func appendCSVField(dst []byte, s string, alone bool) []byte {
	if !(s == "" && alone) && !strings.ContainsAny(s, ",\"\r\n") && (s == "" || s[0] != ' ' && s[0] != '\t') {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}

// Decode reads the header, checks it against schema (nil: every column a
// nullable string named by the header) and parses each field by its
// column's type.
func (c csvCodec) Decode(data []byte, schema []connectors.Field) (*connectors.Frame, error) {
	return c.DecodeInto(nil, data, schema)
}

// DecodeInto is Decode into reuse's column buffers (see Codec).
func (csvCodec) DecodeInto(reuse *connectors.Frame, data []byte, schema []connectors.Field) (*connectors.Frame, error) {
	r := csvReader{data: string(data), line: 1}
	header, err := r.record(nil)
	if err != nil {
		return nil, fmt.Errorf("csv decode: header row: %w", err)
	}
	if header == nil {
		if len(schema) > 0 {
			return nil, fmt.Errorf("csv decode: the object is empty, not even a header row (want %s)", FormatSchema(schema))
		}
		return connectors.NewFrame(), nil
	}
	if schema == nil {
		schema = make([]connectors.Field, len(header))
		for i, h := range header {
			schema[i] = connectors.Field{Name: h, Type: connectors.String, Nullable: true}
		}
	} else if !sameNames(header, schema) {
		return nil, fmt.Errorf("csv decode: header %q does not match the metadata schema %q", strings.Join(header, ","), FormatSchema(schema))
	}
	f := connectors.FrameOf(reuseColumns(reuse, schema, 0)...)
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("csv decode: header: %w", err)
	}
	// A line per row is the common case; quoted newlines only over-reserve.
	f.Reserve(min(strings.Count(r.data[r.pos:], "\n")+1, MaxRows))
	cols := f.Columns()
	rec := make([]string, 0, len(cols))
	for rows := 0; ; rows++ {
		line := r.line
		rec, err = r.record(rec[:0])
		if err != nil {
			return nil, fmt.Errorf("csv decode: %w", err)
		}
		if rec == nil {
			break
		}
		if len(rec) != len(cols) {
			return nil, fmt.Errorf("csv decode: row %d of the file has %d fields, the header has %d", line, len(rec), len(cols))
		}
		if rows == MaxRows {
			return nil, fmt.Errorf("csv decode: more than %d rows in one batch", MaxRows)
		}
		for i, c := range cols {
			if err := appendCSVValue(c, rec[i]); err != nil {
				return nil, fmt.Errorf("csv decode: column %q, row %d of the file: %w", c.Name, line, err)
			}
		}
	}
	return f, nil
}

// csvReader parses RFC 4180 records. It exists because encoding/csv turns
// "\r\n" inside a quoted field into "\n", which breaks the round trip; it
// also hands out unquoted fields as substrings of the object, without a
// copy each.
type csvReader struct {
	data string
	pos  int
	line int // 1-based line of pos
}

// record appends the next record's fields to dst; it returns nil at the
// end of the data. Blank lines hold no record and are skipped.
func (r *csvReader) record(dst []string) ([]string, error) {
	for r.pos < len(r.data) && (r.data[r.pos] == '\n' || strings.HasPrefix(r.data[r.pos:], "\r\n")) {
		r.skipNewline()
	}
	if r.pos >= len(r.data) {
		return nil, nil
	}
	start := r.line
	for {
		field, err := r.field()
		if err != nil {
			return nil, fmt.Errorf("row %d of the file: %w", start, err)
		}
		dst = append(dst, field)
		if r.pos >= len(r.data) {
			return dst, nil
		}
		if r.data[r.pos] == ',' {
			r.pos++
			continue
		}
		r.skipNewline()
		return dst, nil
	}
}

func (r *csvReader) skipNewline() {
	if r.data[r.pos] == '\r' {
		r.pos++
	}
	r.pos++
	r.line++
}

// field reads one field and leaves pos on the ',' or line end after it.
func (r *csvReader) field() (string, error) {
	d := r.data
	if r.pos < len(d) && d[r.pos] == '"' {
		r.pos++
		start := r.pos
		var b []byte // only a field with "" escapes needs a copy
		for {
			i := strings.IndexByte(d[r.pos:], '"')
			if i < 0 {
				return "", fmt.Errorf("a quoted field starting on line %d is never closed", r.line)
			}
			r.line += strings.Count(d[r.pos:r.pos+i], "\n")
			if r.pos+i+1 < len(d) && d[r.pos+i+1] == '"' {
				b = append(b, d[r.pos:r.pos+i+1]...)
				r.pos += i + 2
				continue
			}
			var s string
			if b == nil {
				s = d[start : r.pos+i]
			} else {
				s = string(append(b, d[r.pos:r.pos+i]...))
			}
			r.pos += i + 1
			if r.pos < len(d) && d[r.pos] != ',' && d[r.pos] != '\n' && !strings.HasPrefix(d[r.pos:], "\r\n") {
				return "", fmt.Errorf("unexpected %q after a closing quote (a quote inside a field is written \"\")", d[r.pos])
			}
			return s, nil
		}
	}
	start := r.pos
	for r.pos < len(d) {
		switch c := d[r.pos]; {
		case c == ',' || c == '\n' || c == '\r' && r.pos+1 < len(d) && d[r.pos+1] == '\n':
			return d[start:r.pos], nil
		case c == '"':
			return "", fmt.Errorf("bare quote in an unquoted field (quote the field and write the quote as \"\")")
		}
		r.pos++
	}
	return d[start:], nil
}

func sameNames(header []string, schema []connectors.Field) bool {
	if len(header) != len(schema) {
		return false
	}
	for i, h := range header {
		if h != schema[i].Name {
			return false
		}
	}
	return true
}

// appendCSVValue parses one field into c; an empty field is a null.
func appendCSVValue(c *connectors.Column, s string) error {
	if s == "" {
		if c.Nullable {
			c.Null = append(c.Null, true)
			switch c.Type {
			case connectors.String:
				c.Strings = append(c.Strings, "")
			case connectors.Int64:
				c.Ints = append(c.Ints, 0)
			case connectors.Float64:
				c.Floats = append(c.Floats, 0)
			case connectors.Bool:
				c.Bools = append(c.Bools, false)
			case connectors.Timestamp:
				c.Micros = append(c.Micros, 0)
			}
			return nil
		}
		if c.Type == connectors.String {
			c.Strings = append(c.Strings, "")
			return nil
		}
		return fmt.Errorf("empty value in a non-nullable %s column", c.Type)
	}
	switch c.Type {
	case connectors.String:
		c.Strings = append(c.Strings, s)
	case connectors.Int64:
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not an int64", s)
		}
		c.Ints = append(c.Ints, v)
	case connectors.Float64:
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%q is not a float64 (want e.g. 1.5, 1e-9, NaN, +Inf, -Inf)", s)
		}
		c.Floats = append(c.Floats, v)
	case connectors.Bool:
		switch s {
		case "true":
			c.Bools = append(c.Bools, true)
		case "false":
			c.Bools = append(c.Bools, false)
		default:
			return fmt.Errorf("%q is not a bool (want true or false)", s)
		}
	case connectors.Timestamp:
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Errorf("%q is not an RFC 3339 timestamp (want e.g. 2026-01-01T00:00:00.000000Z)", s)
		}
		c.Micros = append(c.Micros, t.UTC().Truncate(time.Microsecond).UnixMicro())
	}
	if c.Nullable {
		c.Null = append(c.Null, false)
	}
	return nil
}
