package connectortest

import "connector-dev/connectors"

// lend copies f for one Batch call, into the slices of prev (the copy the
// last Batch returned from, or nil), as the harness decodes the next batch
// into the frame a Batch returned from. connectortest cannot reuse Input
// (the test owns it), so it lends a copy, and zeroes it once Batch returns
// (see scrub): a destination that keeps a frame, against the contract of
// connectors.Destination, sees its values change in its own tests as it
// would in a run.
func lend(prev, f *connectors.Frame) *connectors.Frame {
	var old []*connectors.Column
	if prev != nil {
		old = prev.Columns()
	}
	cols := f.Columns()
	out := make([]*connectors.Column, len(cols))
	for i, c := range cols {
		o := &connectors.Column{}
		if i < len(old) {
			o = old[i]
		}
		out[i] = &connectors.Column{Field: c.Field,
			Strings: into(o.Strings, c.Strings), Ints: into(o.Ints, c.Ints),
			Floats: into(o.Floats, c.Floats), Bools: into(o.Bools, c.Bools),
			Micros: into(o.Micros, c.Micros), Null: into(o.Null, c.Null)}
	}
	return connectors.FrameOf(out...)
}

// scrub zeroes the values of a lent frame, as decoding the next batch into
// it overwrites them in the harness. Strings become "": the harness never
// overwrites a string's bytes, only the slice that holds it, and so a
// string kept by itself stays valid here too.
func scrub(f *connectors.Frame) {
	for _, c := range f.Columns() {
		clear(c.Strings)
		clear(c.Ints)
		clear(c.Floats)
		clear(c.Bools)
		clear(c.Micros)
		clear(c.Null)
	}
}

// into copies s into dst's memory when it is large enough, keeping nil as
// nil (Validate tells a nil Null from an empty one).
func into[T any](dst, s []T) []T {
	if s == nil {
		return nil
	}
	if cap(dst) < len(s) {
		dst = make([]T, 0, len(s))
	}
	return append(dst[:0], s...)
}
