package codec

import (
	"bytes"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/parquet-go/parquet-go/encoding"

	"connector-dev/connectors"
)

// pageBufferSize bounds the in-memory size of one page while encoding; it is
// also what keeps decoded pages far below MaxPageBytes.
const pageBufferSize = 1 << 20

// writeChunk is how many values go to a column writer per call: big enough
// to amortise the call, small enough that the Value scratch stays in cache.
const writeChunk = 4096

// parquetCodec stores frames as Parquet files of one row group.
type parquetCodec struct {
	compression compress.Codec
	// dict dictionary-encodes string columns (RLE_DICTIONARY).
	dict bool
}

// Parquet returns the Parquet codec with the settings chosen by measurement:
// Snappy (s2's fast encoder), PLAIN encoding. See the package doc.
func Parquet() Codec { return parquetVariant("snappy", false) }

// parquetVariant builds a Parquet codec with other settings, for the
// benchmarks that justify the default.
func parquetVariant(compression string, dict bool) parquetCodec {
	var c compress.Codec
	switch compression {
	case "none":
		c = &parquet.Uncompressed
	case "snappy":
		c = fastSnappy{}
	case "snappy-better":
		c = &parquet.Snappy
	case "zstd":
		c = &zstd.Codec{Level: zstd.SpeedFastest}
	default:
		panic("unknown compression " + compression)
	}
	return parquetCodec{compression: c, dict: dict}
}

// Name implements Codec.
func (parquetCodec) Name() string { return "parquet" }

// Ext implements Codec.
func (parquetCodec) Ext() string { return ".parquet" }

// ContentType implements Codec.
func (parquetCodec) ContentType() string { return "application/vnd.apache.parquet" }

// leafNode is the Parquet node a column type is stored as.
func (p parquetCodec) leafNode(f connectors.Field) parquet.Node {
	var n parquet.Node
	switch f.Type {
	case connectors.String:
		n = parquet.String()
		if p.dict {
			n = parquet.Encoded(n, &parquet.RLEDictionary)
		}
	case connectors.Int64:
		n = parquet.Int(64)
	case connectors.Float64:
		n = parquet.Leaf(parquet.DoubleType)
	case connectors.Bool:
		n = parquet.Leaf(parquet.BooleanType)
	case connectors.Timestamp:
		n = parquet.Timestamp(parquet.Microsecond)
	}
	if f.Nullable {
		return parquet.Optional(n)
	}
	return parquet.Required(n)
}

// Encode writes the frame as one row group, column by column, through the
// writer's column writers: no per-row reflection.
func (p parquetCodec) Encode(dst []byte, f *connectors.Frame) (out []byte, err error) {
	if err := f.Validate(); err != nil {
		return dst, fmt.Errorf("parquet encode: %w", err)
	}
	if f.NumColumns() == 0 {
		return dst, fmt.Errorf("parquet encode: the frame has no columns (a Parquet file needs at least one)")
	}
	// parquet-go reports some misuse by panicking; a batch that cannot be
	// written must fail the upload, not the process.
	defer func() {
		if r := recover(); r != nil {
			out, err = dst, fmt.Errorf("parquet encode: %v", r)
		}
	}()
	cols := f.Columns()
	fields := make(group, len(cols))
	for i, c := range cols {
		fields[i] = &groupField{Node: p.leafNode(c.Field), name: c.Name}
	}
	opts := []parquet.WriterOption{
		parquet.NewSchema("batch", fields),
		parquet.Compression(p.compression),
		parquet.PageBufferSize(pageBufferSize),
		parquet.CreatedBy("connector-dev", "", ""),
	}
	for _, c := range cols {
		// String min/max cost ~8% of the encode and nothing reads them.
		if c.Type == connectors.String {
			opts = append(opts, parquet.SkipPageBounds(c.Name))
		}
	}
	buf := bytes.NewBuffer(dst)
	w := parquet.NewWriter(buf, opts...)
	scratch := make([]parquet.Value, writeChunk)
	n := f.Len()
	for ci, c := range cols {
		cw := w.ColumnWriters()[ci]
		for lo := 0; lo < n; lo += writeChunk {
			hi := min(lo+writeChunk, n)
			vals := fillValues(scratch[:hi-lo], c, lo, ci)
			if _, err := cw.WriteRowValues(vals); err != nil {
				return dst, fmt.Errorf("parquet encode: column %q: %w", c.Name, err)
			}
		}
	}
	if err := w.Close(); err != nil {
		return dst, fmt.Errorf("parquet encode: %w", err)
	}
	return buf.Bytes(), nil
}

// fillValues converts rows [lo, lo+len(vals)) of c into vals. A value of an
// optional column carries its definition level (1, or 0 for a null); a
// required column's buffer reads only the payload, so those values skip the
// Level call, which is not inlined and would cost a quarter of the encode.
func fillValues(vals []parquet.Value, c *connectors.Column, lo int, ci int) []parquet.Value {
	hi := lo + len(vals)
	switch c.Type {
	case connectors.String:
		for i, s := range c.Strings[lo:hi] {
			// The column buffer copies the bytes, so aliasing s is safe.
			vals[i] = parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(s), len(s)))
		}
	case connectors.Int64:
		for i, v := range c.Ints[lo:hi] {
			vals[i] = parquet.Int64Value(v)
		}
	case connectors.Float64:
		for i, v := range c.Floats[lo:hi] {
			vals[i] = parquet.DoubleValue(v)
		}
	case connectors.Bool:
		for i, v := range c.Bools[lo:hi] {
			vals[i] = parquet.BooleanValue(v)
		}
	case connectors.Timestamp:
		for i, v := range c.Micros[lo:hi] {
			vals[i] = parquet.Int64Value(v)
		}
	}
	if !c.Nullable {
		return vals
	}
	if len(c.Null) < hi { // Validate allows a nullable column without flags
		for i := range vals {
			vals[i] = vals[i].Level(0, 1, ci)
		}
		return vals
	}
	null := parquet.NullValue().Level(0, 0, ci)
	for i, isNull := range c.Null[lo:hi] {
		if isNull {
			vals[i] = null
		} else {
			vals[i] = vals[i].Level(0, 1, ci)
		}
	}
	return vals
}

// group is a Parquet group node that keeps its fields in the frame's order
// (parquet.Group is a map and sorts them by name).
type group []parquet.Field

func (g group) ID() int                     { return 0 }
func (g group) String() string              { return "batch" }
func (g group) Type() parquet.Type          { return parquet.Group{}.Type() }
func (g group) Optional() bool              { return false }
func (g group) Repeated() bool              { return false }
func (g group) Required() bool              { return true }
func (g group) Leaf() bool                  { return false }
func (g group) Fields() []parquet.Field     { return g }
func (g group) Encoding() encoding.Encoding { return nil }
func (g group) Compression() compress.Codec { return nil }
func (g group) GoType() reflect.Type        { return reflect.TypeFor[struct{}]() }

// groupField names one leaf of a group.
type groupField struct {
	parquet.Node
	name string
}

func (f *groupField) Name() string                      { return f.name }
func (f *groupField) Value(reflect.Value) reflect.Value { return reflect.Value{} }
