package stage

import (
	"math"

	"connector-dev/connectors"
)

// MsgChanged ends a connector that changed a frame after UploadRows took it.
const MsgChanged = "UploadRows: a frame was changed after it was handed over: build a new frame for each call (the runtime may still be encoding it)"

// Fingerprint is a cheap summary of a frame: its columns' names, types and
// lengths and the values (and nulls) of their first, middle and last rows.
// Taken when a frame is handed over and compared before it is encoded, it
// catches the usual misuse (a buffer refilled or appended to in place) at
// a cost that does not grow with the rows; a change to another row can
// slip through, which a checksum of every value would catch at the cost
// of reading the whole batch once more.
type Fingerprint uint64

// FingerprintOf computes f's fingerprint.
func FingerprintOf(f *connectors.Frame) Fingerprint {
	h := fnv(offset64)
	for _, c := range f.Columns() {
		h = h.str(c.Name).u64(uint64(c.Type))
		n := c.Len()
		h = h.u64(uint64(n))
		if n == 0 {
			continue
		}
		for _, i := range [3]int{0, n / 2, n - 1} {
			switch c.Type {
			case connectors.String:
				h = h.str(c.Strings[i])
			case connectors.Int64:
				h = h.u64(uint64(c.Ints[i]))
			case connectors.Float64:
				h = h.u64(math.Float64bits(c.Floats[i]))
			case connectors.Bool:
				if c.Bools[i] {
					h = h.u64(1)
				}
			case connectors.Timestamp:
				h = h.u64(uint64(c.Micros[i]))
			}
			if c.IsNull(i) {
				h = h.u64(2)
			}
		}
	}
	return Fingerprint(h)
}

// fnv is FNV-1a, 64 bits, inline: hash/fnv would allocate per frame.
type fnv uint64

const (
	offset64 = 14695981039346656037
	prime64  = 1099511628211
)

func (h fnv) u64(v uint64) fnv {
	for i := 0; i < 8; i++ {
		h ^= fnv(byte(v >> (8 * i)))
		h *= prime64
	}
	return h
}

func (h fnv) str(s string) fnv {
	for i := 0; i < len(s); i++ {
		h ^= fnv(s[i])
		h *= prime64
	}
	return h.u64(uint64(len(s)))
}
