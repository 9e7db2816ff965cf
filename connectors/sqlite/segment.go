package sqlite

// This file writes load segments: SQLite database files whose tables are
// built page by page here rather than row by row through SQLite. A load
// encodes its batches into segment tables and has SQLite copy each table
// into the warehouse with INSERT INTO ... SELECT * FROM, which SQLite runs
// as its transfer optimisation: it moves each record as it is, without
// decoding it or building it again (the way VACUUM copies a table).
// Binding every value and letting SQLite build every record cost twice as
// much, all of it on the one goroutine that owns the connection; encoding
// records here runs beside that copy, on another core.
//
// Only what SQLite's file format documents is written
// (https://www.sqlite.org/fileformat2.html): a 100-byte header, the schema
// table on page 1 and each table's b-tree, leaves first, then interior
// pages up to its root. The records are the ones SQLite itself makes for
// the values bound the same way (record.go); tests compare every value
// with SQLite's own inserts and run PRAGMA integrity_check.
//
// A segment file is attached once and holds up to segmentTables tables,
// filled one after the other; a transaction keeps every database it read
// locked until it ends, so a file cannot be replaced while the load runs.
// Instead the file is sparse and large from the start, so SQLite sees a
// fixed size, and each table takes pages that SQLite has not read yet:
// its root, reserved in the schema, and fresh pages past the last table's.
// SQLite reads a table's pages only when the copy of that table follows
// the pointers to them, after they are all written, and never again after
// that copy, so the pages are then given back to the file system (a hole
// punched where the file system can), and the page cache does not fill
// up with segments it would otherwise write to disk.

import (
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
)

// segmentPageSize is the segments' page size: the largest SQLite takes, so
// few records spill onto overflow pages and a b-tree seldom needs more
// than one interior level.
const segmentPageSize = 65536

// pendingBytePage is the page holding the byte at offset 2^30, which
// SQLite uses for locking and never stores data in.
const pendingBytePage = 1<<30/segmentPageSize + 1

// segmentFileSizes are the sizes in pages a segment file is tried at,
// largest first: 256 GiB, 16 GiB, then 2 GiB and 256 MiB for file systems
// or limits that cap a file (FAT32 at 4 GiB, a file-size ulimit). All
// sparse where the file system can.
var segmentFileSizes = [...]uint32{1 << 22, 1 << 18, 1 << 15, 1 << 12}

// segmentTables is the most tables one segment file holds.
const segmentTables = 256

// schemaBudget bounds the CREATE TABLE text one segment file declares
// (SQLite parses all of it when it attaches the file), so a wide table has
// fewer tables to a file: 256 of 100 columns, 40 of 2,000.
const schemaBudget = 1 << 20

// Page types and sizes of the b-tree pages a segment holds.
const (
	leafTableType     = 0x0d
	interiorTableType = 0x05
	leafHeader        = 8
	interiorHeader    = 12
	fileHeader        = 100
)

// usable is the bytes of a page records may use: segments reserve none.
const usable = segmentPageSize

// Bounds of a table leaf cell's payload kept on its page (fileformat2 §1.6):
// a payload up to maxLocal stays whole, a longer one keeps between
// minLocal and maxLocal bytes and the rest goes to overflow pages.
const (
	maxLocal = usable - 35
	minLocal = (usable-12)*32/255 - 23
)

// limits are a load's segment sizes: the record bytes after which a
// segment table is handed to the copier, and how many children an
// interior page takes. Tests make them small.
type limits struct {
	tableBytes int64
	children   int
}

// defaultLimits: 16 MiB tables, and as many children as surely fit (each
// but the last takes a 2-byte pointer, a 4-byte page number and a rowid of
// at most 9 bytes).
func defaultLimits() limits {
	return limits{tableBytes: 16 << 20, children: (segmentPageSize-interiorHeader)/15 + 1}
}

// segmentFile is one segment database file.
type segmentFile struct {
	f         *os.File
	path      string
	name      string // the schema name it is attached as
	tables    int    // tables its schema declares, t1 ... tN
	firstRoot uint32 // t1's root page; tK's is firstRoot+K-1
	used      int    // tables handed out
	next      uint32 // the next fresh page
	pages     uint32 // the file's size in pages
	lim       limits
	page      []byte // scratch pages
	over      []byte
}

// createSegmentFile creates a segment file at path whose schema declares
// up to segmentTables tables; create makes one's CREATE TABLE from its name.
func createSegmentFile(path, name string, create func(table string) string, lim limits) (*segmentFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	sf := &segmentFile{f: f, path: path, name: name, lim: lim, page: make([]byte, segmentPageSize), over: make([]byte, segmentPageSize)}
	for _, pages := range segmentFileSizes {
		if err = f.Truncate(int64(pages) * segmentPageSize); err == nil {
			sf.pages = pages
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("size a load segment: %w", pathless(err))
	}
	if err := sf.writeSchema(create); err != nil {
		f.Close()
		return nil, err
	}
	sf.next = sf.firstRoot + uint32(sf.tables)
	return sf, nil
}

// writeSchema writes the file header and the schema table: one row per
// table naming it, its root page and its CREATE statement. The rows go on
// page 1 if they fit, else on leaves from page 2 under page 1; the roots
// follow. A root's number is in its row, so the rows are laid out again
// until they need the number of leaves assumed for them.
func (sf *segmentFile) writeSchema(create func(string) string) error {
	n := min(segmentTables, max(1, schemaBudget/len(create("t"+strconv.Itoa(segmentTables)))))
	leaves, settled := 0, false
	var groups [][][]byte
	for range 8 {
		cells := make([][]byte, n)
		for i := range cells {
			name := "t" + strconv.Itoa(i+1)
			rec := schemaRecord(uint32(leaves+2+i), name, create(name))
			if len(rec) > maxLocal {
				return fmt.Errorf("load segment: a CREATE TABLE of %d bytes does not fit on a page", len(create(name)))
			}
			c := appendVarint(nil, uint64(len(rec)))
			c = appendVarint(c, uint64(i+1))
			cells[i] = append(c, rec...)
		}
		groups = packCells(cells, segmentPageSize-fileHeader-leafHeader)
		need := 0
		if len(groups) > 1 {
			groups = packCells(cells, segmentPageSize-leafHeader)
			need = len(groups)
		}
		if need == leaves {
			settled = true
			break
		}
		leaves = need
	}
	if !settled {
		// A root number's bytes move a row by one at most; this is a bug.
		return fmt.Errorf("load segment: the schema's layout did not settle for %d tables", n)
	}
	sf.tables, sf.firstRoot = n, uint32(leaves+2)
	p := sf.page
	if leaves == 0 {
		clear(p)
		putLeaf(p, fileHeader, groups[0])
	} else {
		rowid := 0
		kids := make([]child, len(groups))
		for i, g := range groups {
			clear(p)
			putLeaf(p, 0, g)
			if err := sf.writePage(uint32(i+2), p); err != nil {
				return err
			}
			rowid += len(g)
			kids[i] = child{uint32(i + 2), int64(rowid)}
		}
		clear(p)
		putInterior(p, fileHeader, kids)
	}
	h := p[:fileHeader]
	copy(h, "SQLite format 3\x00")
	binary.BigEndian.PutUint16(h[16:], 1) // 1 stands for 65536
	h[18], h[19] = 1, 1                   // rollback journal format
	h[20] = 0                             // no reserved bytes
	h[21], h[22], h[23] = 64, 32, 32      // payload fractions, fixed by the format
	binary.BigEndian.PutUint32(h[24:], 1) // change counter
	binary.BigEndian.PutUint32(h[28:], sf.pages)
	binary.BigEndian.PutUint32(h[40:], 1) // schema cookie
	binary.BigEndian.PutUint32(h[44:], 4) // schema format 4: 0 and 1 take no bytes
	binary.BigEndian.PutUint32(h[56:], 1) // UTF-8
	binary.BigEndian.PutUint32(h[92:], 1) // the page count above is valid for change 1
	binary.BigEndian.PutUint32(h[96:], 3051000)
	return sf.writePage(1, p)
}

// packCells groups cells, in order, into leaves of room bytes each (a cell
// takes its bytes and a 2-byte pointer).
func packCells(cells [][]byte, room int) [][][]byte {
	var groups [][][]byte
	used := room + 1
	for _, c := range cells {
		if used+len(c)+2 > room {
			groups = append(groups, nil)
			used = 0
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], c)
		used += len(c) + 2
	}
	return groups
}

// putLeaf lays cells out as a table leaf whose header starts at off (100
// on page 1): pointers after the header, cells from the page's end.
func putLeaf(p []byte, off int, cells [][]byte) {
	top := segmentPageSize
	for i, c := range cells {
		top -= len(c)
		copy(p[top:], c)
		binary.BigEndian.PutUint16(p[off+leafHeader+2*i:], uint16(top))
	}
	p[off] = leafTableType
	binary.BigEndian.PutUint16(p[off+3:], uint16(len(cells)))
	binary.BigEndian.PutUint16(p[off+5:], uint16(top)) // 0 stands for 65536
}

// putInterior lays kids out as a table interior page whose header starts
// at off: every child but the last as a cell (its page and its largest
// rowid), the last as the right-most pointer.
func putInterior(p []byte, off int, kids []child) {
	top := segmentPageSize
	for k, c := range kids[:len(kids)-1] {
		top -= 4 + uvarintLen(uint64(c.maxRow))
		binary.BigEndian.PutUint32(p[top:], c.page)
		appendVarint(p[top+4:top+4], uint64(c.maxRow))
		binary.BigEndian.PutUint16(p[off+interiorHeader+2*k:], uint16(top))
	}
	p[off] = interiorTableType
	binary.BigEndian.PutUint16(p[off+3:], uint16(len(kids)-1))
	binary.BigEndian.PutUint16(p[off+5:], uint16(top))
	binary.BigEndian.PutUint32(p[off+8:], kids[len(kids)-1].page)
}

// schemaRecord is the sqlite_schema row of a table.
func schemaRecord(root uint32, name, create string) []byte {
	var r recordBuilder
	r.reset(5)
	r.text("table")
	r.text(name)
	r.text(name)
	r.int(int64(root))
	r.text(create)
	return r.finish(nil)
}

// allocPage returns the next fresh page, stepping over the lock page.
func (sf *segmentFile) allocPage() (uint32, error) {
	p := sf.next
	if p == pendingBytePage {
		p++
	}
	if p > sf.pages {
		return 0, fmt.Errorf("load segment: a segment file holds at most %d MiB here (the file system's limit on a file's size)", int64(sf.pages)*segmentPageSize>>20)
	}
	sf.next = p + 1
	return p, nil
}

func (sf *segmentFile) writePage(pgno uint32, b []byte) error {
	if _, err := sf.f.WriteAt(b, int64(pgno-1)*segmentPageSize); err != nil {
		return fmt.Errorf("write a load segment beside the database: %w", pathless(err))
	}
	return nil
}

// full reports whether every table of the file is handed out, or too few
// pages are left for another table of lim.tableBytes.
func (sf *segmentFile) full() bool {
	room := int64(sf.pages) - int64(sf.next)
	return sf.used == sf.tables || room < 2*sf.lim.tableBytes/segmentPageSize+64
}

// newTable hands out the file's next table.
func (sf *segmentFile) newTable() *segment {
	sf.used++
	s := &segment{file: sf, table: "t" + strconv.Itoa(sf.used), root: sf.firstRoot + uint32(sf.used-1), first: sf.next, leaf: make([]byte, segmentPageSize)}
	s.resetLeaf()
	return s
}

// release gives a copied table's pages back to the file system.
func (sf *segmentFile) release(s *segment) {
	punchHole(sf.f, int64(s.root-1)*segmentPageSize, segmentPageSize)
	if s.last >= s.first {
		punchHole(sf.f, int64(s.first-1)*segmentPageSize, int64(s.last-s.first+1)*segmentPageSize)
	}
}

// close closes the file; SQLite has it open on its own while attached.
func (sf *segmentFile) close() error { return sf.f.Close() }

// child is a page of a b-tree level and the largest rowid under it.
type child struct {
	page   uint32
	maxRow int64
}

// segment is one table of a segment file being written.
type segment struct {
	file  *segmentFile
	table string // its name in the file's schema
	root  uint32
	// first and last bound the fresh pages it took, to release them.
	first, last uint32
	// leaf is the leaf being filled; cells counts its cells and top is
	// where its cell content starts (cells grow down from the end).
	leaf  []byte
	cells int
	top   int
	// leaves lists the leaves written, for the interior levels.
	leaves []child
	rows   int64
	from   int64 // the run's number of its first row, from 1
	depth  int   // interior levels, the root's among them
}

func (s *segment) alloc() (uint32, error) {
	p, err := s.file.allocPage()
	if err == nil {
		s.last = p
	}
	return p, err
}

func (s *segment) resetLeaf() {
	clear(s.leaf[:leafHeader])
	s.cells = 0
	s.top = segmentPageSize
}

// localSize is how much of a payload of p bytes a table leaf cell keeps on
// its page.
func localSize(p int) int {
	if p <= maxLocal {
		return p
	}
	k := minLocal + (p-minLocal)%(usable-4)
	if k <= maxLocal {
		return k
	}
	return minLocal
}

// addRecord appends rec as the next row (rowid rows+1) of the table.
func (s *segment) addRecord(rec []byte) error {
	rowid := s.rows + 1
	local := localSize(len(rec))
	cellLen := uvarintLen(uint64(len(rec))) + uvarintLen(uint64(rowid)) + local
	if local < len(rec) {
		cellLen += 4
	}
	if s.top-cellLen < leafHeader+2*(s.cells+1) {
		// Another leaf follows, so this one is not the root.
		pg, err := s.alloc()
		if err != nil {
			return err
		}
		if err := s.writeLeaf(pg); err != nil {
			return err
		}
	}
	var first uint32
	if local < len(rec) {
		var err error
		if first, err = s.writeOverflow(rec[local:]); err != nil {
			return err
		}
	}
	s.top -= cellLen
	c := appendVarint(s.leaf[s.top:s.top], uint64(len(rec)))
	c = appendVarint(c, uint64(rowid))
	c = append(c, rec[:local]...)
	if local < len(rec) {
		c = binary.BigEndian.AppendUint32(c, first)
	}
	if len(c) != cellLen {
		panic(fmt.Sprintf("sqlite segment: cell of %d bytes, want %d", len(c), cellLen))
	}
	binary.BigEndian.PutUint16(s.leaf[leafHeader+2*s.cells:], uint16(s.top))
	s.cells++
	s.rows = rowid
	return nil
}

// writeOverflow writes the payload past a cell's local part as a chain of
// overflow pages and returns the first one's number.
func (s *segment) writeOverflow(rest []byte) (uint32, error) {
	per := usable - 4
	n := (len(rest) + per - 1) / per
	pages := make([]uint32, n)
	for i := range pages {
		var err error
		if pages[i], err = s.alloc(); err != nil {
			return 0, err
		}
	}
	over := s.file.over
	for i, pg := range pages {
		chunk := rest[i*per : min(len(rest), (i+1)*per)]
		var nextPage uint32
		if i+1 < n {
			nextPage = pages[i+1]
		}
		binary.BigEndian.PutUint32(over, nextPage)
		copy(over[4:], chunk)
		clear(over[4+len(chunk):])
		if err := s.file.writePage(pg, over); err != nil {
			return 0, err
		}
	}
	return pages[0], nil
}

// writeLeaf writes the leaf being filled as page pg and starts a new one.
func (s *segment) writeLeaf(pg uint32) error {
	p := s.leaf
	p[0] = leafTableType
	binary.BigEndian.PutUint16(p[3:], uint16(s.cells))
	binary.BigEndian.PutUint16(p[5:], uint16(s.top)) // 0 stands for 65536
	p[7] = 0
	clear(p[leafHeader+2*s.cells : s.top])
	if err := s.file.writePage(pg, p); err != nil {
		return err
	}
	s.leaves = append(s.leaves, child{pg, s.rows})
	s.resetLeaf()
	return nil
}

// finish writes the last leaf and the interior levels, the top one as the
// table's root. The table has at least one row.
func (s *segment) finish() error {
	if len(s.leaves) == 0 {
		return s.writeLeaf(s.root)
	}
	pg, err := s.alloc()
	if err != nil {
		return err
	}
	if err := s.writeLeaf(pg); err != nil {
		return err
	}
	level := s.leaves
	for len(level) > 1 {
		if level, err = s.interiorLevel(level); err != nil {
			return err
		}
	}
	return nil
}

// interiorLevel writes the interior pages over one level of the b-tree and
// returns them as the level above; a level that fits on one page is
// written as the root. Children are shared out evenly, so no page is left
// with a right-most pointer alone (SQLite holds a page without cells to be
// corrupt, but for a root).
func (s *segment) interiorLevel(level []child) ([]child, error) {
	c := max(3, s.file.lim.children)
	pages := (len(level) + c - 1) / c
	base, extra := len(level)/pages, len(level)%pages
	up := make([]child, 0, pages)
	p := s.file.page
	for i, start := 0, 0; i < pages; i++ {
		n := base
		if i < extra {
			n++
		}
		kids := level[start : start+n]
		start += n
		clear(p)
		putInterior(p, 0, kids)
		pg := s.root
		if pages > 1 {
			var err error
			if pg, err = s.alloc(); err != nil {
				return nil, err
			}
		}
		if err := s.file.writePage(pg, p); err != nil {
			return nil, err
		}
		up = append(up, child{pg, kids[len(kids)-1].maxRow})
	}
	s.depth++
	return up, nil
}
