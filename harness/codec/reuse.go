package codec

import "connector-dev/connectors"

// reuseColumns returns an empty column per field, with room for n rows,
// that takes over the value and null slices of reuse's column at the same
// position when it has the same type: decoding batch after batch into the
// same frame then allocates no column memory once the first batch has
// grown it. reuse may be nil; its columns must no longer be read by anyone
// (the caller's promise), since the next decode overwrites them.
//
// Only the slices of values are reused. Strings are never written in
// place: a decoder makes new ones, so a string taken from a frame stays
// valid after the frame is reused.
func reuseColumns(reuse *connectors.Frame, fields []connectors.Field, n int) []*connectors.Column {
	var old []*connectors.Column
	if reuse != nil {
		old = reuse.Columns()
	}
	cols := make([]*connectors.Column, len(fields))
	for i, fd := range fields {
		var o *connectors.Column
		if i < len(old) && old[i] != nil && old[i].Type == fd.Type {
			o = old[i]
		}
		cols[i] = reuseColumn(o, fd, n)
	}
	return cols
}

// reuseColumn makes an empty column of fd with room for n rows, from o's
// slices when they are large enough (o nil: fresh ones).
func reuseColumn(o *connectors.Column, fd connectors.Field, n int) *connectors.Column {
	if o == nil {
		o = &connectors.Column{}
	}
	c := &connectors.Column{Field: fd}
	switch fd.Type {
	case connectors.String:
		c.Strings = empty(o.Strings, n)
	case connectors.Int64:
		c.Ints = empty(o.Ints, n)
	case connectors.Float64:
		c.Floats = empty(o.Floats, n)
	case connectors.Bool:
		c.Bools = empty(o.Bools, n)
	case connectors.Timestamp:
		c.Micros = empty(o.Micros, n)
	}
	if fd.Nullable {
		c.Null = empty(o.Null, n)
	}
	return c
}

// empty is s emptied, or a new slice if s cannot hold n values.
func empty[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, 0, n)
	}
	return s[:0]
}
