package codec

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/format"

	"connector-dev/connectors"
)

// Decode reads a Parquet object page by page into typed column slices. The
// object's own schema decides the columns; schema, when given, must agree.
func (p parquetCodec) Decode(data []byte, schema []connectors.Field) (*connectors.Frame, error) {
	return p.DecodeInto(nil, data, schema)
}

// DecodeInto is Decode into reuse's column buffers (see Codec).
func (p parquetCodec) DecodeInto(reuse *connectors.Frame, data []byte, schema []connectors.Field) (fr *connectors.Frame, err error) {
	if err := checkFile(data); err != nil {
		return nil, fmt.Errorf("parquet decode: %w", err)
	}
	// checkFile bounds what parquet-go allocates. This backstop turns an
	// inconsistency it did not foresee, which parquet-go panics on, into an
	// error for this one batch.
	defer func() {
		if r := recover(); r != nil {
			fr, err = nil, fmt.Errorf("parquet decode: %w: %v", errCorrupt, r)
		}
	}()
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)),
		parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return nil, fmt.Errorf("parquet decode: %w: %v", errCorrupt, err)
	}
	fields, err := parquetFields(f.Schema())
	if err != nil {
		return nil, fmt.Errorf("parquet decode: %w", err)
	}
	if schema != nil && !sameFields(fields, schema) {
		return nil, fmt.Errorf("parquet decode: the object's columns %q do not match its metadata schema %q", FormatSchema(fields), FormatSchema(schema))
	}
	md := f.Metadata()
	if len(f.RowGroups()) != len(md.RowGroups) {
		return nil, fmt.Errorf("parquet decode: %w: %d row groups, the footer lists %d", errCorrupt, len(f.RowGroups()), len(md.RowGroups))
	}
	n := int(md.NumRows)
	cols := reuseColumns(reuse, fields, n)
	sc := scratch{rows: n}
	for _, rg := range f.RowGroups() {
		for ci, chunk := range rg.ColumnChunks() {
			if err := readChunk(cols[ci], chunk, &sc); err != nil {
				return nil, fmt.Errorf("parquet decode: column %q: %w", fields[ci].Name, err)
			}
		}
	}
	out := connectors.FrameOf(cols...)
	if err := out.Validate(); err != nil {
		return nil, fmt.Errorf("parquet decode: %w: %v", errCorrupt, err)
	}
	return out, nil
}

func sameFields(a, b []connectors.Field) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// parquetFields maps a file's schema to frame fields; anything the encoder
// never writes (nesting, repetition, other physical or logical types) is an
// error naming the column.
func parquetFields(s *parquet.Schema) ([]connectors.Field, error) {
	pf := s.Fields()
	out := make([]connectors.Field, len(pf))
	seen := make(map[string]bool, len(pf))
	for i, f := range pf {
		name := f.Name()
		if name == "" || seen[name] {
			return nil, fmt.Errorf("%w: column %d has an empty or repeated name %q", errCorrupt, i+1, name)
		}
		seen[name] = true
		if !f.Leaf() || f.Repeated() {
			return nil, fmt.Errorf("column %q is nested or repeated, which batches never are", name)
		}
		t := f.Type()
		var lv format.LogicalTypeValue
		if lt := t.LogicalType(); lt != nil {
			lv = lt.Value
		}
		var typ connectors.Type
		switch t.Kind() {
		case parquet.ByteArray:
			if _, ok := lv.(*format.StringType); ok || lv == nil {
				typ = connectors.String
			}
		case parquet.Int64:
			switch v := lv.(type) {
			case nil:
				typ = connectors.Int64
			case *format.IntType:
				if v.BitWidth == 64 && v.IsSigned {
					typ = connectors.Int64
				}
			case *format.TimestampType:
				if _, micros := v.Unit.Value.(*format.MicroSeconds); micros && v.IsAdjustedToUTC {
					typ = connectors.Timestamp
				}
			}
		case parquet.Double:
			typ = connectors.Float64
		case parquet.Boolean:
			typ = connectors.Bool
		}
		if typ == 0 {
			return nil, fmt.Errorf("column %q has Parquet type %s, which batches do not use (want string, int64, double, boolean or timestamp(micros, UTC))", name, t)
		}
		out[i] = connectors.Field{Name: name, Type: typ, Nullable: f.Optional()}
	}
	return out, nil
}

// scratch holds per-decode buffers reused from page to page.
type scratch struct {
	rows int // the rows the file declares: no column may hold more

	strs  []string
	bools []bool
	ints  []int64
	flts  []float64
	// dict caches the decoded dictionary of the chunk being read.
	dict     parquet.Dictionary
	dictStrs []string
	dictInts []int64
	dictFlts []float64
}

// readChunk appends every page of one column chunk to c.
func readChunk(c *connectors.Column, chunk parquet.ColumnChunk, sc *scratch) error {
	pages := chunk.Pages()
	defer pages.Close()
	sc.dict = nil
	for {
		page, err := pages.ReadPage()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %v", errCorrupt, err)
		}
		err = appendPage(c, page, sc)
		parquet.Release(page)
		if err != nil {
			return err
		}
	}
}

// appendPage decodes one page's dense values (through its dictionary if it
// has one) and spreads them over its rows by the definition levels.
func appendPage(c *connectors.Column, page parquet.Page, sc *scratch) error {
	n := int(page.NumValues())
	var def []byte
	if c.Nullable {
		def = page.DefinitionLevels()
		if len(def) != n {
			return fmt.Errorf("%w: page has %d definition levels for %d values", errCorrupt, len(def), n)
		}
	} else if page.NumNulls() != 0 || len(page.DefinitionLevels()) != 0 {
		return fmt.Errorf("%w: a required column's page holds nulls", errCorrupt)
	}
	dense := n
	if def != nil {
		dense = 0
		for _, d := range def {
			if d > 1 {
				return fmt.Errorf("%w: definition level %d in a flat column", errCorrupt, d)
			}
			dense += int(d)
		}
	}
	if c.Len()+n > sc.rows || c.Len()+n > MaxRows {
		return fmt.Errorf("%w: pages hold more rows than the file declares", errCorrupt)
	}
	data := page.Data()
	dict := page.Dictionary()
	var idx []int32
	if dict != nil {
		idx = data.Int32()
		if len(idx) < dense {
			return fmt.Errorf("%w: page has %d dictionary indexes for %d values", errCorrupt, len(idx), dense)
		}
		idx = idx[:dense]
		for _, k := range idx {
			if k < 0 || int(k) >= dict.Len() {
				return fmt.Errorf("%w: dictionary index %d out of %d entries", errCorrupt, k, dict.Len())
			}
		}
		if sc.dict != dict {
			if err := sc.loadDict(c.Type, dict); err != nil {
				return err
			}
		}
	}
	var err error
	switch c.Type {
	case connectors.String:
		if dict == nil && def == nil {
			// A required column's strings go straight into the column,
			// which has room for them: no scratch to grow, nothing to copy.
			c.Strings, err = byteArrays(c.Strings, data, dense)
			return err
		}
		var vals []string
		if dict != nil {
			vals = gather(sc.strs[:0], sc.dictStrs, idx)
		} else if vals, err = byteArrays(sc.strs[:0], data, dense); err != nil {
			return err
		}
		sc.strs = vals
		c.Strings, c.Null = spread(c.Strings, c.Null, vals, def)
	case connectors.Int64, connectors.Timestamp:
		var vals []int64
		if dict != nil {
			vals = gather(sc.ints[:0], sc.dictInts, idx)
		} else if vals = data.Int64(); len(vals) < dense {
			return fmt.Errorf("%w: page has %d values, its levels say %d", errCorrupt, len(vals), dense)
		}
		vals = vals[:dense]
		// A timestamp is stored as the microseconds the column holds.
		if c.Type == connectors.Int64 {
			c.Ints, c.Null = spread(c.Ints, c.Null, vals, def)
		} else {
			c.Micros, c.Null = spread(c.Micros, c.Null, vals, def)
		}
	case connectors.Float64:
		var vals []float64
		if dict != nil {
			vals = gather(sc.flts[:0], sc.dictFlts, idx)
		} else if vals = data.Double(); len(vals) < dense {
			return fmt.Errorf("%w: page has %d values, its levels say %d", errCorrupt, len(vals), dense)
		}
		c.Floats, c.Null = spread(c.Floats, c.Null, vals[:dense], def)
	case connectors.Bool:
		if dict != nil {
			return fmt.Errorf("%w: a boolean column is dictionary-encoded", errCorrupt)
		}
		bits := data.Boolean()
		if len(bits)*8 < dense {
			return fmt.Errorf("%w: page has %d booleans, its levels say %d", errCorrupt, len(bits)*8, dense)
		}
		vals := sc.bools[:0]
		for i := range dense {
			vals = append(vals, bits[i>>3]>>(i&7)&1 != 0)
		}
		sc.bools = vals
		c.Bools, c.Null = spread(c.Bools, c.Null, vals, def)
	}
	return nil
}

// loadDict decodes a chunk's dictionary once, for all its pages.
func (sc *scratch) loadDict(t connectors.Type, dict parquet.Dictionary) error {
	data := dict.Page().Data()
	var err error
	switch t {
	case connectors.String:
		sc.dictStrs, err = byteArrays(sc.dictStrs[:0], data, dict.Len())
	case connectors.Int64, connectors.Timestamp:
		if sc.dictInts = data.Int64(); len(sc.dictInts) < dict.Len() {
			err = fmt.Errorf("%w: dictionary shorter than it says", errCorrupt)
		}
	case connectors.Float64:
		if sc.dictFlts = data.Double(); len(sc.dictFlts) < dict.Len() {
			err = fmt.Errorf("%w: dictionary shorter than it says", errCorrupt)
		}
	}
	if err == nil {
		sc.dict = dict
	}
	return err
}

// byteArrays splits a page's byte arrays into strings that share one
// allocation per page, after checking the offsets.
func byteArrays(dst []string, data encoding.Values, n int) ([]string, error) {
	values, offsets := data.ByteArray()
	if n > 0 && len(offsets) < n+1 {
		return nil, fmt.Errorf("%w: page has %d strings, its levels say %d", errCorrupt, max(len(offsets)-1, 0), n)
	}
	whole := string(values)
	for i := range n {
		lo, hi := offsets[i], offsets[i+1]
		if lo > hi || int(hi) > len(whole) {
			return nil, fmt.Errorf("%w: string offsets out of order", errCorrupt)
		}
		dst = append(dst, whole[lo:hi])
	}
	return dst, nil
}

// gather looks the indexes up in a dictionary (indexes already checked).
func gather[T any](dst, dict []T, idx []int32) []T {
	for _, k := range idx {
		dst = append(dst, dict[k])
	}
	return dst
}

// spread appends dense values to dst, placing a zero and a null flag where
// the definition level is 0; def nil means a required column.
func spread[T any](dst []T, nulls []bool, vals []T, def []byte) ([]T, []bool) {
	if def == nil {
		return append(dst, vals...), nulls
	}
	var zero T
	k := 0
	for _, d := range def {
		if d == 0 {
			dst = append(dst, zero)
			nulls = append(nulls, true)
			continue
		}
		dst = append(dst, vals[k])
		nulls = append(nulls, false)
		k++
	}
	return dst, nulls
}
