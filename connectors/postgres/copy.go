package postgres

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"connector-dev/connectors"
)

// pgEpochMicros is 2000-01-01T00:00:00Z in Unix microseconds: PostgreSQL's
// binary timestamps count from there.
const pgEpochMicros = 946684800000000

// chunkBytes is how much encoded COPY data the encoder prepares at a time:
// pgconn sends what one Read returns as one CopyData message of up to 64 KiB.
const chunkBytes = 60 << 10

// copyHeader starts a binary COPY stream: signature, flags, extension length.
var copyHeader = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

// encoder streams rows of a frame as COPY's binary format (an io.Reader for
// pgconn.CopyFrom). It reads the typed column slices directly: no value is
// boxed in an interface and nothing is allocated per row, which keeps the
// client's share of a load small next to the server's (both share the
// machine's cores when the server is local). A string PostgreSQL cannot
// store (a NUL byte, invalid UTF-8) stops the stream with bad set, naming
// its row and column, before the server sees it.
type encoder struct {
	ctx  context.Context
	cols []*connectors.Column
	n    int // rows
	row  int // next row to encode
	buf  []byte
	off  int
	head bool // header written
	done bool // trailer written
	bad  error
}

func newEncoder(ctx context.Context, cols []*connectors.Column, n int) *encoder {
	return &encoder{ctx: ctx, cols: cols, n: n, buf: make([]byte, 0, chunkBytes+4096)}
}

// Read hands out the next encoded bytes, encoding more when it ran out.
func (e *encoder) Read(p []byte) (int, error) {
	for e.off >= len(e.buf) {
		if e.done {
			return 0, io.EOF
		}
		// Checked once per chunk (some hundred rows): a cancelled run stops
		// sending at once, and pgconn then aborts the COPY.
		if err := e.ctx.Err(); err != nil {
			return 0, err
		}
		if err := e.fill(); err != nil {
			e.bad = err
			return 0, err
		}
	}
	k := copy(p, e.buf[e.off:])
	e.off += k
	return k, nil
}

// fill encodes rows until about chunkBytes are ready, then the trailer.
func (e *encoder) fill() error {
	b := e.buf[:0]
	e.off = 0
	if !e.head {
		b = append(b, copyHeader...)
		e.head = true
	}
	for e.row < e.n && len(b) < chunkBytes {
		r := e.row
		b = binary.BigEndian.AppendUint16(b, uint16(len(e.cols)))
		for _, c := range e.cols {
			if c.Nullable && c.Null != nil && c.Null[r] {
				b = binary.BigEndian.AppendUint32(b, math.MaxUint32) // -1: NULL
				continue
			}
			switch c.Type {
			case connectors.String:
				s := c.Strings[r]
				if err := storable(s); err != "" {
					e.buf = b[:0]
					return fmt.Errorf("row %d, column %s: %s", r+1, quoteIdent(c.Name), err)
				}
				b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
				b = append(b, s...)
			case connectors.Int64:
				b = binary.BigEndian.AppendUint32(b, 8)
				b = binary.BigEndian.AppendUint64(b, uint64(c.Ints[r]))
			case connectors.Float64:
				b = binary.BigEndian.AppendUint32(b, 8)
				b = binary.BigEndian.AppendUint64(b, math.Float64bits(c.Floats[r]))
			case connectors.Bool:
				v := byte(0)
				if c.Bools[r] {
					v = 1
				}
				b = binary.BigEndian.AppendUint32(b, 1)
				b = append(b, v)
			case connectors.Timestamp:
				b = binary.BigEndian.AppendUint32(b, 8)
				b = binary.BigEndian.AppendUint64(b, uint64(c.Micros[r]-pgEpochMicros))
			default:
				e.buf = b[:0]
				return fmt.Errorf("column %s: type %s has no PostgreSQL type", quoteIdent(c.Name), c.Type)
			}
		}
		e.row++
	}
	if e.row >= e.n {
		b = binary.BigEndian.AppendUint16(b, math.MaxUint16) // -1: end of data
		e.done = true
	}
	e.buf = b
	return nil
}

// storable says why PostgreSQL cannot store s as text, or returns "".
func storable(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return fmt.Sprintf("a NUL byte (at byte %d), which PostgreSQL text cannot hold: remove it in the source", i)
	}
	if !utf8.ValidString(s) {
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return fmt.Sprintf("invalid UTF-8 (byte 0x%02x at byte %d), which PostgreSQL text cannot hold: fix the encoding in the source", s[i], i)
			}
			i += size
		}
	}
	return ""
}
