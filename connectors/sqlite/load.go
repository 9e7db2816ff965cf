package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"

	"connector-dev/connectors"
)

// How a load moves rows: Batch encodes each row into the current segment
// table (segment.go); a full one goes to the copier, a goroutine that runs
// INSERT INTO <table> SELECT * FROM it, while Batch fills the next one.
// The copy is SQLite's transfer optimisation when the table's column types
// are the batch's (always for a table the run creates); otherwise SQLite
// converts each value to the table's column type, as it would for an
// INSERT of bound values.
//
// A segment table holds about 16 MiB of records (limits), so what a load
// adds after its last batch is the copy of at most that much. A connection
// attaches at most maxSegmentFiles databases: the last table of the last
// file takes all the rows that are left (past 40 GiB of records for up to
// 100 columns, 6 GiB at 2,000).

// maxSegmentFiles is how many databases SQLite attaches to one connection
// (SQLITE_MAX_ATTACHED).
const maxSegmentFiles = 10

// segments is a load's side of the copy.
type segments struct {
	ctx  context.Context
	lim  limits
	conn *db
	dir  string // the folder of this load's segment files
	into string // the table rows go into
	// columnList is " (a, b)" when the rows fill only some columns.
	columnList string
	defs       string // the segment tables' columns, for CREATE TABLE
	files      []*segmentFile
	cur        *segment
	bytes      int64 // record bytes in cur
	rb         recordBuilder
	rec        []byte
	depth      int   // the deepest table copied, in interior levels
	sent       int64 // rows handed to the copier so far

	// db is the database file, opened again to start its write-back
	// while the load runs (nil where it cannot be opened).
	db *os.File

	queue  chan *segment // to the copier; nil until it starts
	done   chan error    // the copier's result, once it stopped
	failed chan error    // the copier's first error, as soon as it happens
	err    error         // the first error either side saw
	// intr stops the copier's statement when ctx is done; mu guards the
	// connection handle it interrupts against the close.
	intr   func() bool
	mu     sync.Mutex
	closed bool
}

// loadDirPrefix starts the name of a load's folder of segments, beside the
// database file: ".<file>-load-".
func loadDirPrefix(dbPath string) string {
	return "." + filepath.Base(dbPath) + "-load-"
}

// init creates the folder of this load's segments beside the database and
// removes those of loads that were killed: it runs inside the load's
// transaction, whose write lock no other load can hold at the same time.
func (s *segments) init(ctx context.Context, conn *db, dbPath string, lim limits) error {
	s.ctx, s.conn, s.lim = ctx, conn, lim
	abs, err := filepath.Abs(dbPath)
	if err != nil {
		return err
	}
	parent, prefix := filepath.Dir(abs), loadDirPrefix(abs)
	sweepLoadDirs(parent, prefix)
	s.db, _ = os.Open(abs)
	if s.dir, err = os.MkdirTemp(parent, prefix); err != nil {
		return fmt.Errorf("create a folder for the load beside the database: %w", pathless(err))
	}
	s.intr = context.AfterFunc(ctx, s.interrupt)
	return nil
}

// interrupt stops the statement the copier runs, if any: sqlite3_interrupt
// is the one call SQLite takes from another thread.
func (s *segments) interrupt() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		tls := libc.NewTLS()
		sqlite3.Xsqlite3_interrupt(tls, s.conn.h)
		tls.Close()
	}
}

// sweepLoadDirs removes the folders of killed loads of this database:
// prefix and MkdirTemp's random digits, nothing else. The caller holds the
// database's write lock, so no other load of it is running.
func sweepLoadDirs(parent, prefix string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !e.IsDir() || rest == "" || strings.Trim(rest, "0123456789") != "" {
			continue
		}
		os.RemoveAll(filepath.Join(parent, e.Name()))
	}
}

// table fixes the table rows go into, the columns named in the insert
// (none: all of them, in order, so that SQLite's transfer applies) and
// the types of the rows' columns, in order.
func (s *segments) table(into string, columns []string, types []connectors.Type) {
	if len(columns) > 0 {
		q := make([]string, len(columns))
		for i, c := range columns {
			q[i] = quote(c)
		}
		s.columnList = " (" + strings.Join(q, ", ") + ")"
	}
	// Short names and types, so more tables fit on a segment's schema
	// page: the copy needs only the same column affinities, and "INT"
	// has INTEGER's.
	defs := make([]string, len(types))
	for i, t := range types {
		typ := sqlType(t)
		if typ == "INTEGER" {
			typ = "INT"
		}
		defs[i] = "c" + strconv.Itoa(i+1) + " " + typ
	}
	s.into = into
	s.defs = "(" + strings.Join(defs, ", ") + ")"
}

// last reports whether cur is the last table a load can have.
func (s *segments) last() bool {
	return len(s.files) == maxSegmentFiles && s.files[len(s.files)-1].full()
}

// add encodes n rows of cols (in the table's order) into segments.
func (s *segments) add(ctx context.Context, cols []*connectors.Column, n int) error {
	if err := s.copyErr(); err != nil {
		return err
	}
	for i := range n {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if s.cur == nil {
			if err := s.next(); err != nil {
				return err
			}
		}
		s.rec = s.rb.row(s.rec[:0], cols, i)
		if err := s.cur.addRecord(s.rec); err != nil {
			return err
		}
		s.bytes += int64(len(s.rec))
		if s.bytes >= s.lim.tableBytes && !s.last() {
			if err := s.send(); err != nil {
				return err
			}
		}
	}
	return nil
}

// next starts a new segment table, in a new file when the last is full.
func (s *segments) next() error {
	if len(s.files) == 0 || s.files[len(s.files)-1].full() {
		n := len(s.files) + 1
		sf, err := createSegmentFile(filepath.Join(s.dir, fmt.Sprintf("segment-%02d.db", n)), "segment"+strconv.Itoa(n),
			func(table string) string { return "CREATE TABLE " + table + " " + s.defs }, s.lim)
		if err != nil {
			return fmt.Errorf("create a load segment beside the database: %w", pathless(err))
		}
		s.files = append(s.files, sf)
	}
	s.cur, s.bytes = s.files[len(s.files)-1].newTable(), 0
	return nil
}

// send finishes the current segment and hands it to the copier, starting
// the copier with the first.
func (s *segments) send() error {
	seg := s.cur
	s.cur = nil
	if err := seg.finish(); err != nil {
		return err
	}
	seg.from = s.sent + 1
	s.sent += seg.rows
	if s.queue == nil {
		s.queue = make(chan *segment, 1)
		s.done = make(chan error, 1)
		s.failed = make(chan error, 1)
		go s.copier(s.queue)
	}
	select {
	case s.queue <- seg:
		return nil
	case err := <-s.failed:
		s.err = err
		return err
	}
}

// copyErr is the copier's error, if it failed.
func (s *segments) copyErr() error {
	if s.err == nil && s.failed != nil {
		select {
		case s.err = <-s.failed:
		default:
		}
	}
	return s.err
}

// copier copies each segment table it is sent into the table, in order,
// attaching each file when its first table arrives. After the first error
// it only drains the queue.
func (s *segments) copier(queue <-chan *segment) {
	var err error
	var attached *segmentFile
	for seg := range queue {
		if err != nil {
			continue
		}
		if seg.file != attached {
			if err = s.attach(seg.file); err != nil {
				s.failed <- err
				continue
			}
			attached = seg.file
		}
		if err = s.copy(seg); err != nil {
			s.failed <- err
		}
	}
	s.done <- err
}

// attach attaches a segment file to the connection. It is read only and
// immutable to SQLite: it reads each table only after the table was
// written, and never again after it is copied.
func (s *segments) attach(sf *segmentFile) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	uri := (&url.URL{Scheme: "file", Path: filepath.ToSlash(sf.path), RawQuery: "mode=ro&immutable=1"}).String()
	if err := s.conn.exec("ATTACH " + sqlString(uri) + " AS " + quote(sf.name)); err != nil {
		// SQLite names the file, which is beside the database, whose
		// path is a credential.
		return fmt.Errorf("attach a load segment: %s", strings.ReplaceAll(err.Error(), uri, "the segment file"))
	}
	return nil
}

// copy inserts a segment table's rows into the table and releases its pages.
func (s *segments) copy(seg *segment) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	if err := s.conn.exec("INSERT INTO main." + quote(s.into) + s.columnList + " SELECT * FROM " + quote(seg.file.name) + "." + seg.table); err != nil {
		return fmt.Errorf("rows %s to %s of the run: %w", connectors.Thousands(seg.from), connectors.Thousands(seg.from+seg.rows-1), err)
	}
	seg.file.release(seg)
	s.depth = max(s.depth, seg.depth)
	if s.db != nil {
		startWriteback(s.db)
	}
	return nil
}

// finish sends the last segment and waits for the copier to insert every
// row: after it returns nil the transaction holds all of them.
func (s *segments) finish() error {
	if s.err != nil {
		return s.err
	}
	if s.cur != nil {
		if err := s.send(); err != nil {
			return err
		}
	}
	if s.queue == nil {
		return nil
	}
	close(s.queue)
	s.queue = nil
	s.err = <-s.done
	return s.err
}

// stop ends the copier, if it runs, and waits for it: after stop nothing
// but the caller uses the connection. Idempotent.
func (s *segments) stop() {
	if s.intr != nil {
		s.intr()
	}
	if s.queue != nil {
		// A Batch failed or panicked: the copier's rows are for a
		// rollback, so its statement is stopped rather than waited for.
		s.interrupt()
		close(s.queue)
		s.queue = nil
		<-s.done
	}
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cur = nil
}

// segmentStats describes a load's segments, for tests.
type segmentStats struct {
	files, tables, depth int
}

func (s *segments) stats() segmentStats {
	st := segmentStats{files: len(s.files), depth: s.depth}
	for _, sf := range s.files {
		st.tables += sf.used
	}
	return st
}

// remove deletes the load's segments; call it after the connection
// closed. If it did not (closed false), the second descriptor of the
// database is left open: closing it would drop the locks SQLite may still
// hold on the file (POSIX locks belong to the process, not a descriptor).
func (s *segments) remove(closed bool) {
	for _, sf := range s.files {
		sf.close()
	}
	s.files = nil
	if s.db != nil && closed {
		s.db.Close()
		s.db = nil
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// pathless is err without the file name a *fs.PathError adds: segment
// paths are beside the database, whose path is a credential.
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if errors.Is(err, syscall.ENOSPC) {
		return fmt.Errorf("%w: %s", err, fullHint)
	}
	return err
}

// fullHint is the way out of a full disk under the database.
const fullHint = "free space on the database's disk or point SQLITE_DATABASE at another"

// sqlString quotes s as an SQL string literal.
func sqlString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
