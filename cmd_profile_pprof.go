package main

import (
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
)

// pprofHead is how much of a pprof file's decompressed start isPprof checks:
// enough for the first dozens of fields (a Go profile's sample types, period
// and first samples), little to read.
const pprofHead = 4 << 10

// isPprof says whether r holds a pprof profile: gzip (any gzip file passed
// before, a user's notes.txt.gz among them) whose content starts as a
// protobuf Profile message (github.com/google/pprof proto/profile.proto)
// does. Every field up to pprofHead must be a Profile field with its own
// wire type; text fails within a few bytes, as its letters read as fields
// Profile has not, or wire types its fields do not take. A file cut short
// (a run that died writing it) is checked as far as it goes: it is still
// an old profile.
func isPprof(r io.Reader) bool {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return false
	}
	b, err := io.ReadAll(io.LimitReader(zr, pprofHead))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return false // damaged past the cut: not something a profile run wrote
	}
	return profileMessage(b, err == nil && len(b) < pprofHead)
}

// profileField says whether a Profile message has field, with wire type
// wire: 1 sample_type, 2 sample, 3 mapping, 4 location, 5 function, 6
// string_table and 11 period_type are messages or strings (length
// delimited); 7 drop_frames, 8 keep_frames, 9 time_nanos, 10
// duration_nanos, 12 period, 14 default_sample_type and 15 doc_url are
// varints; 13 comment is repeated int64, packed or not.
func profileField(field, wire uint64) bool {
	switch field {
	case 1, 2, 3, 4, 5, 6, 11:
		return wire == wireLen
	case 7, 8, 9, 10, 12, 14, 15:
		return wire == wireVarint
	case 13:
		return wire == wireVarint || wire == wireLen
	}
	return false
}

const (
	wireVarint = 0
	wireLen    = 2
)

// profileMessage says whether b is the start of a Profile message, or the
// whole of one when complete (then a field may not run past its end).
func profileMessage(b []byte, complete bool) bool {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return n == 0 && !complete // cut in a key: fine only where b is a prefix
		}
		b = b[n:]
		field, wire := key>>3, key&7
		if !profileField(field, wire) {
			return false
		}
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return n == 0 && !complete
		}
		b = b[n:]
		if wire == wireLen {
			if v > uint64(len(b)) {
				return !complete // runs on past what was read
			}
			b = b[v:]
		}
	}
	return true
}
