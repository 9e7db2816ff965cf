package sqlite

// NewTestDestination is a Destination whose segment tables hand over
// after bytes of records, with children children to an interior page (0:
// as many as fit): small ones make many tables, files and deep trees.
func NewTestDestination(bytes int64, children int) *Destination {
	lim := defaultLimits()
	lim.tableBytes = bytes
	if children > 0 {
		lim.children = children
	}
	return &Destination{lim: lim}
}

// SegmentStats is the last run's count of segment files and tables, and
// its deepest table's interior levels.
func (d *Destination) SegmentStats() (files, tables, depth int) {
	return d.stats.files, d.stats.tables, d.stats.depth
}

// SegmentPagesAround allocates n pages of a segment file whose next fresh
// page is from.
func SegmentPagesAround(from uint32, n int) []uint32 {
	sf := &segmentFile{next: from, pages: 1 << 22}
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
