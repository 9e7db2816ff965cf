package sqlite

// SetSegmentLimits makes segment tables hold bytes of records and
// interior pages children children (0: as many as fit), for tests of many
// and deep segment tables; the returned function restores the defaults.
func SetSegmentLimits(bytes int64, children int) func() {
	b, c := segmentBytes, interiorChildren
	segmentBytes = bytes
	if children > 0 {
		interiorChildren = children
	}
	return func() { segmentBytes, interiorChildren = b, c }
}

// SegmentPagesAround allocates n pages of a segment file whose next fresh
// page is from.
func SegmentPagesAround(from uint32, n int) []uint32 {
	sf := &segmentFile{next: from}
	var out []uint32
	for range n {
		p, err := sf.allocPage()
		if err != nil {
			panic(err)
		}
		out = append(out, p)
	}
	return out
}
