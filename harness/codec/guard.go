package codec

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// parquet-go trusts the sizes a file declares: a footer length, a Thrift
// list count, a page's compressed size are all allocated before they are
// checked against the bytes present. The checks below run first, so that a
// corrupt object costs at most a small multiple of its own size.

// maxFooterBytes bounds the Thrift footer; ours are a few KiB.
const maxFooterBytes = 16 << 20

// maxThriftDepth bounds nesting in the Thrift walker (the Parquet footer
// nests about six deep).
const maxThriftDepth = 32

// errCorrupt is wrapped by every structural complaint about an object.
var errCorrupt = errors.New("corrupt or truncated Parquet object")

// checkFile validates the file's framing, its footer and every page header
// against the bytes present and the limits, before parquet-go sees it.
func checkFile(data []byte) error {
	if len(data) < 12 || string(data[:4]) != "PAR1" || string(data[len(data)-4:]) != "PAR1" {
		return fmt.Errorf("%w: missing the PAR1 magic at its start or end", errCorrupt)
	}
	n := int(binary.LittleEndian.Uint32(data[len(data)-8:]))
	if n > len(data)-12 || n > maxFooterBytes {
		return fmt.Errorf("%w: footer of %d bytes in an object of %d", errCorrupt, n, len(data))
	}
	footer := len(data) - 8 - n
	used, err := thriftStructLen(data[footer : len(data)-8])
	if err != nil {
		return fmt.Errorf("%w: footer: %v", errCorrupt, err)
	}
	if used != n {
		return fmt.Errorf("%w: footer has %d trailing bytes", errCorrupt, n-used)
	}
	var md format.FileMetaData
	if err := thrift.Unmarshal(new(thrift.CompactProtocol), data[footer:len(data)-8], &md); err != nil {
		return fmt.Errorf("%w: footer: %v", errCorrupt, err)
	}
	// Batches are flat: a root and one leaf per column. parquet-go trusts
	// the child counts of nested schemas.
	if len(md.Schema) == 0 || md.Schema[0].NumChildren.V != int32(len(md.Schema)-1) {
		return fmt.Errorf("%w: schema is not a flat list of columns", errCorrupt)
	}
	for i := range md.Schema[1:] {
		if err := checkLeaf(&md.Schema[i+1]); err != nil {
			return err
		}
	}
	if md.NumRows < 0 || md.NumRows > MaxRows || md.NumRows*int64(len(md.Schema)-1) > MaxCells {
		return fmt.Errorf("%w: %d rows of %d columns (limits: %d rows, %d cells)", errCorrupt, md.NumRows, len(md.Schema)-1, MaxRows, MaxCells)
	}
	var total int64
	var pc pageChecker
	defer pc.close()
	for gi := range md.RowGroups {
		rg := &md.RowGroups[gi]
		total += rg.NumRows
		if rg.NumRows < 0 || total > md.NumRows || len(rg.Columns) != len(md.Schema)-1 {
			return fmt.Errorf("%w: row group %d disagrees with the file's %d rows and %d columns", errCorrupt, gi, md.NumRows, len(md.Schema)-1)
		}
		for ci := range rg.Columns {
			if err := pc.checkChunkPages(data, footer, &rg.Columns[ci].MetaData, rg.NumRows); err != nil {
				return fmt.Errorf("column %q, row group %d: %w", md.Schema[ci+1].Name, gi, err)
			}
		}
	}
	if total != md.NumRows {
		return fmt.Errorf("%w: row groups hold %d rows, the file says %d", errCorrupt, total, md.NumRows)
	}
	return nil
}

// checkLeaf accepts only the column shapes batches are written with; other
// annotations (MAP on a leaf, say) make parquet-go panic.
func checkLeaf(e *format.SchemaElement) error {
	if e.NumChildren.V != 0 || !e.Type.Valid {
		return fmt.Errorf("column %q is nested, which batches never are", e.Name)
	}
	if r := e.RepetitionType; r.Valid && r.V != format.Required && r.V != format.Optional {
		return fmt.Errorf("column %q is repeated, which batches never are", e.Name)
	}
	okType := false
	switch e.Type.V {
	case format.Boolean, format.Int64, format.Double, format.ByteArray:
		okType = true
	}
	switch e.LogicalType.Value.(type) {
	case nil, *format.StringType, *format.IntType, *format.TimestampType:
	default:
		okType = false
	}
	if c := e.ConvertedType; c.Valid && c.V != deprecated.UTF8 && c.V != deprecated.Int64 && c.V != deprecated.TimestampMicros {
		okType = false
	}
	if !okType {
		return fmt.Errorf("column %q has Parquet type %s %s, which batches do not use (want string, int64, double, boolean or timestamp(micros, UTC))",
			e.Name, e.Type.V, e.LogicalType.String())
	}
	return nil
}

// checkChunkPages walks the page headers of one column chunk of a row group
// of numRows rows and checks every declared size against the bytes present
// and the limits, so that reading the pages allocates only what is there.
func (pc *pageChecker) checkChunkPages(data []byte, footer int, md *format.ColumnMetaData, numRows int64) error {
	switch md.Codec {
	case format.Uncompressed, format.Snappy, format.Zstd:
	default:
		return fmt.Errorf("compression %s is not one batches use (want UNCOMPRESSED, SNAPPY or ZSTD)", md.Codec)
	}
	start := md.DataPageOffset
	if md.DictionaryPageOffset > 0 && md.DictionaryPageOffset < start {
		start = md.DictionaryPageOffset
	}
	if start < 4 || md.TotalCompressedSize < 0 || md.TotalCompressedSize > int64(footer)-start {
		return fmt.Errorf("%w: column chunk at %d of %d bytes lies outside the data", errCorrupt, start, md.TotalCompressedSize)
	}
	end := start + md.TotalCompressedSize
	var values int64
	for off := start; off < end; {
		hlen, err := thriftStructLen(data[off:end])
		if err != nil {
			return fmt.Errorf("%w: page header at %d: %v", errCorrupt, off, err)
		}
		var h format.PageHeader
		if err := thrift.Unmarshal(new(thrift.CompactProtocol), data[off:off+int64(hlen)], &h); err != nil {
			return fmt.Errorf("%w: page header at %d: %v", errCorrupt, off, err)
		}
		off += int64(hlen)
		if h.CompressedPageSize < 0 || int64(h.CompressedPageSize) > end-off {
			return fmt.Errorf("%w: page at %d declares %d bytes, %d remain", errCorrupt, off, h.CompressedPageSize, end-off)
		}
		if h.UncompressedPageSize < 0 || h.UncompressedPageSize > MaxPageBytes {
			return fmt.Errorf("%w: page at %d declares %d bytes uncompressed (limit %d)", errCorrupt, off, h.UncompressedPageSize, MaxPageBytes)
		}
		body := data[off : off+int64(h.CompressedPageSize)]
		off += int64(h.CompressedPageSize)
		var n int64
		switch h.Type {
		case format.DictionaryPage:
			if !h.DictionaryPageHeader.Valid {
				return fmt.Errorf("%w: dictionary page without its header", errCorrupt)
			}
			// A dictionary value takes at least a byte uncompressed.
			if d := h.DictionaryPageHeader.V.NumValues; d < 0 || d > h.UncompressedPageSize {
				return fmt.Errorf("%w: dictionary of %d values in %d bytes", errCorrupt, d, h.UncompressedPageSize)
			}
		case format.DataPage:
			if !h.DataPageHeader.Valid {
				return fmt.Errorf("%w: data page without its header", errCorrupt)
			}
			n = int64(h.DataPageHeader.V.NumValues)
		case format.DataPageV2:
			if !h.DataPageHeaderV2.Valid {
				return fmt.Errorf("%w: data page without its header", errCorrupt)
			}
			v := &h.DataPageHeaderV2.V
			n = int64(v.NumValues)
			levels := int64(v.RepetitionLevelsByteLength) + int64(v.DefinitionLevelsByteLength)
			if v.NumRows != v.NumValues || v.NumNulls < 0 || v.NumNulls > v.NumValues ||
				v.RepetitionLevelsByteLength < 0 || v.DefinitionLevelsByteLength < 0 || levels > int64(len(body)) {
				return fmt.Errorf("%w: data page header v2 is inconsistent", errCorrupt)
			}
			if !v.IsCompressed.Valid || v.IsCompressed.V {
				body = body[levels:]
			} else {
				body = nil
			}
		default:
			// Index pages and unknown kinds carry no values; the reader skips them.
			continue
		}
		if n < 0 || n > numRows-values {
			return fmt.Errorf("%w: pages hold more values than the row group's %d rows", errCorrupt, numRows)
		}
		values += n
		if h.Type != format.DataPage || md.Codec != format.Uncompressed {
			if err := pc.checkDecodedLen(md.Codec, body, h.UncompressedPageSize); err != nil {
				return err
			}
		}
	}
	if values != numRows {
		return fmt.Errorf("%w: pages hold %d values for %d rows", errCorrupt, values, numRows)
	}
	return nil
}

// pageChecker checks the pages of one object; it holds a zstd decoder
// once a zstd page shows up.
type pageChecker struct {
	zstd *zstd.Decoder
}

// close releases the zstd decoder's goroutines and buffers, if any.
func (pc *pageChecker) close() {
	if pc.zstd != nil {
		pc.zstd.Close()
	}
}

// checkDecodedLen refuses compressed data that would expand past what the
// page header declared: the decompressors would allocate it. Snappy states
// its length up front. A zstd frame need not, so zstd pages are decoded once
// here under a hard memory cap; zstd is not the default, so only those who
// choose it pay.
func (pc *pageChecker) checkDecodedLen(codec format.CompressionCodec, body []byte, declared int32) error {
	if len(body) == 0 {
		return nil
	}
	switch codec {
	case format.Snappy:
		n, err := snappy.DecodedLen(body)
		if err != nil || n > int(declared) {
			return fmt.Errorf("%w: snappy block of %d bytes for a %d-byte page", errCorrupt, n, declared)
		}
	case format.Zstd:
		if pc.zstd == nil {
			d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(MaxPageBytes))
			if err != nil {
				return fmt.Errorf("zstd decoder: %w", err)
			}
			pc.zstd = d
		}
		out, err := pc.zstd.DecodeAll(body, nil)
		if err != nil || len(out) > int(declared) {
			return fmt.Errorf("%w: zstd data does not expand to the %d-byte page it declares", errCorrupt, declared)
		}
	}
	return nil
}

// thriftStructLen walks one compact-protocol struct at the start of b and
// returns its length, checking that every declared count or length fits in
// what is left. parquet-go's decoder allocates those before reading them.
func thriftStructLen(b []byte) (int, error) {
	w := thriftWalker{b: b}
	if err := w.structure(0); err != nil {
		return 0, err
	}
	return w.off, nil
}

type thriftWalker struct {
	b   []byte
	off int
}

var errThriftTruncated = errors.New("thrift data truncated")

func (w *thriftWalker) byte1() (byte, error) {
	if w.off >= len(w.b) {
		return 0, errThriftTruncated
	}
	c := w.b[w.off]
	w.off++
	return c, nil
}

func (w *thriftWalker) varint() (uint64, error) {
	var v uint64
	for shift := 0; shift < 70; shift += 7 {
		c, err := w.byte1()
		if err != nil {
			return 0, err
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, nil
		}
	}
	return 0, errors.New("thrift varint too long")
}

func (w *thriftWalker) skip(n uint64) error {
	if n > uint64(len(w.b)-w.off) {
		return fmt.Errorf("thrift length %d exceeds the %d bytes left", n, len(w.b)-w.off)
	}
	w.off += int(n)
	return nil
}

func (w *thriftWalker) structure(depth int) error {
	if depth > maxThriftDepth {
		return errors.New("thrift nesting too deep")
	}
	for {
		h, err := w.byte1()
		if err != nil {
			return err
		}
		typ := h & 0x0f
		if typ == 0 {
			return nil
		}
		if h>>4 == 0 {
			if _, err := w.varint(); err != nil { // explicit field id
				return err
			}
		}
		if err := w.value(typ, depth, true); err != nil {
			return err
		}
	}
}

// value skips one value of compact type typ; inField says a bool's value
// lives in the field header (it does not in lists).
func (w *thriftWalker) value(typ byte, depth int, inField bool) error {
	switch typ {
	case 1, 2: // bool
		if inField {
			return nil
		}
		return w.skip(1)
	case 3: // byte
		return w.skip(1)
	case 4, 5, 6: // i16, i32, i64
		_, err := w.varint()
		return err
	case 7: // double
		return w.skip(8)
	case 8: // binary
		n, err := w.varint()
		if err != nil {
			return err
		}
		return w.skip(n)
	case 9, 10: // list, set
		h, err := w.byte1()
		if err != nil {
			return err
		}
		n := uint64(h >> 4)
		if n == 15 {
			if n, err = w.varint(); err != nil {
				return err
			}
		}
		// Every element takes at least one byte.
		if n > uint64(len(w.b)-w.off) {
			return fmt.Errorf("thrift list of %d elements in %d bytes", n, len(w.b)-w.off)
		}
		for range n {
			if err := w.value(h&0x0f, depth+1, false); err != nil {
				return err
			}
		}
		return nil
	case 11: // map
		n, err := w.varint()
		if err != nil || n == 0 {
			return err
		}
		kv, err := w.byte1()
		if err != nil {
			return err
		}
		if n > uint64(len(w.b)-w.off) {
			return fmt.Errorf("thrift map of %d entries in %d bytes", n, len(w.b)-w.off)
		}
		for range n {
			if err := w.value(kv>>4, depth+1, false); err != nil {
				return err
			}
			if err := w.value(kv&0x0f, depth+1, false); err != nil {
				return err
			}
		}
		return nil
	case 12: // struct
		return w.structure(depth + 1)
	case 13: // uuid
		return w.skip(16)
	}
	return fmt.Errorf("thrift type %d unknown", typ)
}
