package codec

import (
	"bytes"
	"encoding/binary"
	"runtime"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"

	"connector-dev/connectors"
)

// TestParquetFileSchema checks what another Parquet reader sees: the names
// as given, in frame order, optional exactly where nullable, and timestamps
// as TIMESTAMP(MICROS, isAdjustedToUTC).
func TestParquetFileSchema(t *testing.T) {
	f := edgeFrame(t)
	data, err := Parquet().Encode(nil, f)
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	leaves := pf.Schema().Fields()
	if len(leaves) != f.NumColumns() {
		t.Fatalf("%d columns in the file, want %d", len(leaves), f.NumColumns())
	}
	for i, want := range f.Fields() {
		got := leaves[i]
		if got.Name() != want.Name || got.Optional() != want.Nullable || got.Required() == want.Nullable {
			t.Errorf("column %d: %q optional=%v, want %q nullable=%v", i, got.Name(), got.Optional(), want.Name, want.Nullable)
		}
		if want.Type == connectors.Timestamp {
			lt := got.Type().LogicalType()
			ts, ok := lt.Value.(*format.TimestampType)
			if !ok || !ts.IsAdjustedToUTC || ts.Unit.Value == nil || ts.Unit.String() != "MICROS" {
				t.Errorf("column %q: logical type %v, want TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)", want.Name, lt)
			}
		}
	}
	if pf.NumRows() != int64(f.Len()) {
		t.Errorf("file has %d rows, want %d", pf.NumRows(), f.Len())
	}
}

func TestParquetSchemaMismatch(t *testing.T) {
	f := synthFrame(10)
	data, err := Parquet().Encode(nil, f)
	if err != nil {
		t.Fatal(err)
	}
	wrong := f.Fields()
	wrong[2].Nullable = true
	_, err = Parquet().Decode(data, wrong)
	if err == nil || !strings.Contains(err.Error(), "amount:float64,") || !strings.Contains(err.Error(), "amount:float64?") {
		t.Errorf("error %v, want one showing both schemas", err)
	}
}

// TestParquetForeignTypes: a file from another writer with a type batches
// never use is refused with the column's name.
func TestParquetForeignTypes(t *testing.T) {
	type row struct {
		Small int32 `parquet:"small"`
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[row](&buf)
	if _, err := w.Write([]row{{1}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := Parquet().Decode(buf.Bytes(), nil)
	if err == nil || !strings.Contains(err.Error(), `column "small"`) {
		t.Errorf("error %v, want one naming column \"small\"", err)
	}
}

// TestDecodeDamaged: every truncation of a Parquet object is an error, and
// no damage panics either codec.
func TestDecodeDamaged(t *testing.T) {
	f := edgeFrame(t)
	for _, c := range codecs() {
		data, err := c.Encode(nil, f)
		if err != nil {
			t.Fatal(err)
		}
		for n := range len(data) {
			_, err := c.Decode(data[:n], f.Fields())
			if c.Name() == "parquet" && err == nil {
				t.Fatalf("%s: decoding the first %d of %d bytes succeeded", c.Name(), n, len(data))
			}
		}
		for i := range data {
			for _, bit := range []byte{1, 0x80} {
				bad := bytes.Clone(data)
				bad[i] ^= bit
				if fr, err := c.Decode(bad, f.Fields()); err == nil {
					if verr := fr.Validate(); verr != nil {
						t.Fatalf("%s: flipping byte %d gave an invalid frame: %v", c.Name(), i, verr)
					}
				}
			}
		}
	}
}

// rewriteFooter re-encodes the footer of a Parquet object after edit.
func rewriteFooter(t *testing.T, data []byte, edit func(*format.FileMetaData)) []byte {
	t.Helper()
	n := int(binary.LittleEndian.Uint32(data[len(data)-8:]))
	var md format.FileMetaData
	if err := thrift.Unmarshal(new(thrift.CompactProtocol), data[len(data)-8-n:len(data)-8], &md); err != nil {
		t.Fatal(err)
	}
	edit(&md)
	footer, err := thrift.Marshal(new(thrift.CompactProtocol), &md)
	if err != nil {
		t.Fatal(err)
	}
	out := append(bytes.Clone(data[:len(data)-8-n]), footer...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(footer)))
	return append(out, "PAR1"...)
}

// TestDecodeHostileSizes: sizes declared in headers are checked against the
// bytes present before anything is allocated for them.
func TestDecodeHostileSizes(t *testing.T) {
	good, err := Parquet().Encode(nil, synthFrame(100))
	if err != nil {
		t.Fatal(err)
	}
	hugeList := []byte("PAR1")
	footer := []byte{0x29, 0xFC, 0x80, 0x80, 0x80, 0x80, 0x04, 0x00} // schema: list of 2^30 structs
	hugeList = append(hugeList, footer...)
	hugeList = binary.LittleEndian.AppendUint32(hugeList, uint32(len(footer)))
	hugeList = append(hugeList, "PAR1"...)

	hugeFooter := bytes.Clone(good)
	binary.LittleEndian.PutUint32(hugeFooter[len(hugeFooter)-8:], 1<<31)

	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"footer longer than the object", hugeFooter, "footer of 2147483648 bytes"},
		{"thrift list longer than the footer", hugeList, "list of 1073741824 elements"},
		{"too many rows", rewriteFooter(t, good, func(md *format.FileMetaData) { md.NumRows = 1 << 40 }), "limit"},
		{"row group rows disagree", rewriteFooter(t, good, func(md *format.FileMetaData) { md.RowGroups[0].NumRows = 1 << 20 }), "row group 0"},
		{"chunk outside the data", rewriteFooter(t, good, func(md *format.FileMetaData) { md.RowGroups[0].Columns[0].MetaData.TotalCompressedSize = 1 << 40 }), "outside the data"},
		{"gzip", rewriteFooter(t, good, func(md *format.FileMetaData) { md.RowGroups[0].Columns[0].MetaData.Codec = format.Gzip }), "GZIP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Parquet().Decode(tt.data, nil)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
				t.Errorf("decoding %d hostile bytes allocated %d bytes", len(tt.data), grew)
			}
		})
	}
}

func TestPageHeaderLimits(t *testing.T) {
	good, err := Parquet().Encode(nil, synthFrame(100))
	if err != nil {
		t.Fatal(err)
	}
	hlen, err := thriftStructLen(good[4:])
	if err != nil {
		t.Fatal(err)
	}
	var h format.PageHeader
	if err := thrift.Unmarshal(new(thrift.CompactProtocol), good[4:4+hlen], &h); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(*format.PageHeader)
		want string
	}{
		{"uncompressed size", func(h *format.PageHeader) { h.UncompressedPageSize = 1 << 30 }, "limit"},
		{"compressed size", func(h *format.PageHeader) { h.CompressedPageSize = 1 << 30 }, "remain"},
		{"value count", func(h *format.PageHeader) {
			h.DataPageHeaderV2.V.NumValues = 1 << 30
			h.DataPageHeaderV2.V.NumRows = 1 << 30
		}, "more values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hh := h
			tt.edit(&hh)
			enc, err := thrift.Marshal(new(thrift.CompactProtocol), &hh)
			if err != nil {
				t.Fatal(err)
			}
			bad := append(append(bytes.Clone(good[:4]), enc...), good[4+hlen:]...)
			// Keep the footer's offsets pointing at the same page.
			shift := int64(len(enc) - hlen)
			bad = rewriteFooter(t, bad, func(md *format.FileMetaData) {
				for ci := range md.RowGroups[0].Columns {
					m := &md.RowGroups[0].Columns[ci].MetaData
					if ci == 0 {
						m.TotalCompressedSize += shift
					} else {
						m.DataPageOffset += shift
					}
				}
			})
			_, err = Parquet().Decode(bad, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
