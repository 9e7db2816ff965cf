package sqlite

import (
	"encoding/binary"
	"math"

	"connector-dev/connectors"
)

// SQLite's record format (fileformat2 §2.1): a header of varints, its own
// length and then one serial type per column, followed by the values.

// Serial types of the values a load stores.
const (
	serialNull  = 0
	serialFloat = 7
	serialZero  = 8 // the integer 0, no bytes (schema format 4)
	serialOne   = 9 // the integer 1, no bytes
	serialText  = 13
)

// appendVarint appends v as SQLite's varint: big-endian groups of seven
// bits with the high bit set on all but the last, and a ninth byte that
// holds eight bits.
func appendVarint(b []byte, v uint64) []byte {
	if v <= 0x7f {
		return append(b, byte(v))
	}
	if v <= 0x3fff {
		return append(b, byte(v>>7)|0x80, byte(v&0x7f))
	}
	if v > 0x00ffffffffffffff {
		var buf [9]byte
		buf[8] = byte(v)
		v >>= 8
		for i := 7; i >= 0; i-- {
			buf[i] = byte(v&0x7f) | 0x80
			v >>= 7
		}
		return append(b, buf[:]...)
	}
	var buf [8]byte
	n := 0
	for w := v; w != 0; w >>= 7 {
		n++
	}
	for i := n - 1; i >= 0; i-- {
		buf[i] = byte(v&0x7f) | 0x80
		v >>= 7
	}
	buf[n-1] &= 0x7f
	return append(b, buf[:n]...)
}

// uvarintLen is the length of appendVarint's encoding of v.
func uvarintLen(v uint64) int {
	if v > 0x00ffffffffffffff {
		return 9
	}
	n := 1
	for v > 0x7f {
		v >>= 7
		n++
	}
	return n
}

// intSerial is the serial type SQLite gives an integer and its byte count:
// the fewest of 0, 1, 2, 3, 4, 6 or 8 bytes that hold it.
func intSerial(v int64) (serial uint64, size int) {
	u := uint64(v)
	if v < 0 {
		u = ^u
	}
	switch {
	case v == 0:
		return serialZero, 0
	case v == 1:
		return serialOne, 0
	case u <= 127:
		return 1, 1
	case u <= 32767:
		return 2, 2
	case u <= 8388607:
		return 3, 3
	case u <= 2147483647:
		return 4, 4
	case u <= 0x00007fffffffffff:
		return 5, 6
	}
	return 6, 8
}

// recordBuilder makes one record at a time in buffers it keeps.
type recordBuilder struct {
	hdr  []byte // the serial types
	body []byte // the values
}

func (r *recordBuilder) reset(columns int) {
	r.hdr = r.hdr[:0]
	r.body = r.body[:0]
	if cap(r.hdr) < 2*columns {
		r.hdr = make([]byte, 0, 2*columns)
	}
}

func (r *recordBuilder) null() { r.hdr = append(r.hdr, serialNull) }

func (r *recordBuilder) int(v int64) {
	serial, size := intSerial(v)
	r.hdr = append(r.hdr, byte(serial))
	for i := size - 1; i >= 0; i-- {
		r.body = append(r.body, byte(v>>(8*i)))
	}
}

// float stores v as an 8-byte IEEE double; NaN as NULL, as sqlite3_bind_double does.
func (r *recordBuilder) float(v float64) {
	if math.IsNaN(v) {
		r.null()
		return
	}
	r.hdr = append(r.hdr, serialFloat)
	r.body = binary.BigEndian.AppendUint64(r.body, math.Float64bits(v))
}

func (r *recordBuilder) text(s string) {
	r.hdr = appendVarint(r.hdr, serialText+2*uint64(len(s)))
	r.body = append(r.body, s...)
}

// timestamp stores us (microseconds since the epoch) as TimeLayout text.
func (r *recordBuilder) timestamp(us int64) {
	start := len(r.body)
	r.body = appendMicros(r.body, us)
	r.hdr = appendVarint(r.hdr, serialText+2*uint64(len(r.body)-start))
}

// finish appends the record (header length, serial types, values) to dst.
func (r *recordBuilder) finish(dst []byte) []byte {
	n := len(r.hdr)
	h := n + 1
	for uvarintLen(uint64(h)) != h-n {
		h = n + uvarintLen(uint64(h))
	}
	dst = appendVarint(dst, uint64(h))
	dst = append(dst, r.hdr...)
	return append(dst, r.body...)
}

// row builds the record of row i of cols, stored as Batch documents.
func (r *recordBuilder) row(dst []byte, cols []*connectors.Column, i int) []byte {
	r.reset(len(cols))
	for _, c := range cols {
		if c.Nullable && c.Null != nil && c.Null[i] {
			r.null()
			continue
		}
		switch c.Type {
		case connectors.Int64:
			r.int(c.Ints[i])
		case connectors.Float64:
			r.float(c.Floats[i])
		case connectors.String:
			r.text(c.Strings[i])
		case connectors.Bool:
			if c.Bools[i] {
				r.int(1)
			} else {
				r.int(0)
			}
		case connectors.Timestamp:
			r.timestamp(c.Micros[i])
		default:
			r.null()
		}
	}
	return r.finish(dst)
}
