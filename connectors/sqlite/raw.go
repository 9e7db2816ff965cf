package sqlite

// This file talks to SQLite through modernc.org/sqlite/lib (the transpiled C
// API) instead of database/sql, which takes the connection mutex on every
// call (it opens connections in serialized mode) and boxes every value. A
// load's single connection is opened without mutexes: one goroutine at a
// time uses it (load.go says which, when).
//
// Every pointer handed to the library points into libc memory, never into
// Go's: the transpiled C does pointer arithmetic on what it is given, which
// checkptr (on under -race) rightly rejects for Go memory, and Go memory may
// move (stacks) or be collected while C still holds its address. Text is
// copied into one libc arena per connection, reused by every statement.

import (
	"errors"
	"fmt"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"

	// The driver applies its patches to the library in init, and registers
	// "sqlite" with database/sql for whoever reads the warehouse.
	_ "modernc.org/sqlite"
)

// minArena is the arena's first size, enough for the few names bound by
// the queries a load runs.
const minArena = 4 << 10

// db is one SQLite connection used by one goroutine at a time.
type db struct {
	tls *libc.TLS
	h   uintptr
	// out is a libc word that open and prepare write their handle to.
	out uintptr
	// arena holds the text bound to the statement about to run; buf is
	// the same memory as a Go slice and used is how much of it is taken.
	// A bind with SQLITE_STATIC points into it, so it is only resized by
	// reserve, before a statement's values are bound.
	arena uintptr
	buf   []byte
	used  int
}

// stmt is a prepared statement of a db.
type stmt struct {
	db *db
	h  uintptr
}

// cptr makes libc memory indexable from Go. It reinterprets the word
// instead of converting it, because the conversion reads to go vet as a
// Go pointer kept in a uintptr; libc memory is outside Go's heap, so the
// collector neither moves nor frees it, and checkptr ignores it.
func cptr(p uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&p))
}

// malloc allocates n bytes of libc memory, which the caller frees.
func (d *db) malloc(n int) (uintptr, error) {
	p := libc.Xmalloc(d.tls, libc.Tsize_t(n))
	if p == 0 {
		return 0, fmt.Errorf("out of memory: cannot allocate %d bytes", n)
	}
	return p, nil
}

// openDB opens (creating if need be) the database at a file: URI.
func openDB(uri string) (*db, error) {
	d := &db{tls: libc.NewTLS()}
	name, err := libc.CString(uri)
	if err != nil {
		d.free()
		return nil, err
	}
	defer libc.Xfree(d.tls, name)
	if d.out, err = d.malloc(int(unsafe.Sizeof(uintptr(0)))); err != nil {
		d.free()
		return nil, err
	}
	if err := d.reserve(0); err != nil {
		d.free()
		return nil, err
	}
	flags := int32(sqlite3.SQLITE_OPEN_READWRITE | sqlite3.SQLITE_OPEN_CREATE | sqlite3.SQLITE_OPEN_URI | sqlite3.SQLITE_OPEN_NOMUTEX)
	rc := sqlite3.Xsqlite3_open_v2(d.tls, name, d.setOut(), flags, 0)
	// SQLite may return a handle even on failure: it holds the message.
	d.h = d.outValue()
	if rc != sqlite3.SQLITE_OK {
		err := d.errorf(rc)
		if d.h != 0 {
			sqlite3.Xsqlite3_close_v2(d.tls, d.h)
			d.h = 0
		}
		d.free()
		return nil, err
	}
	sqlite3.Xsqlite3_extended_result_codes(d.tls, d.h, 1)
	return d, nil
}

// setOut clears the out word and returns its address for a C out-parameter.
func (d *db) setOut() uintptr {
	*(*uintptr)(cptr(d.out)) = 0
	return d.out
}

// outValue is what the last C call wrote to the out word.
func (d *db) outValue() uintptr {
	return *(*uintptr)(cptr(d.out))
}

// free releases the connection's libc memory and its TLS. libc memory is
// not collected, so every path out of openDB and close comes through here.
func (d *db) free() {
	if d.arena != 0 {
		libc.Xfree(d.tls, d.arena)
		d.arena, d.buf, d.used = 0, nil, 0
	}
	if d.out != 0 {
		libc.Xfree(d.tls, d.out)
		d.out = 0
	}
	if d.tls != nil {
		d.tls.Close()
		d.tls = nil
	}
}

// close closes the connection; an open transaction is rolled back.
func (d *db) close() error {
	if d.h == 0 {
		return nil
	}
	rc := sqlite3.Xsqlite3_close_v2(d.tls, d.h)
	var err error
	if rc != sqlite3.SQLITE_OK {
		err = d.errorf(rc)
	}
	d.h = 0
	d.free()
	return err
}

// reserve empties the arena and makes room for n bytes of text. It must be
// called before a statement's values are bound, never between binds: it may
// move the arena, and earlier binds would point at freed memory.
func (d *db) reserve(n int) error {
	d.used = 0
	// One byte more than asked, so that an empty string at the end still
	// points inside the allocation (SQLite reads a nil text as NULL).
	if n < len(d.buf) {
		return nil
	}
	size := max(minArena, 2*len(d.buf))
	for size <= n {
		size *= 2
	}
	p, err := d.malloc(size)
	if err != nil {
		return fmt.Errorf("statement text of %d bytes: %w", n, err)
	}
	if d.arena != 0 {
		libc.Xfree(d.tls, d.arena)
	}
	d.arena = p
	d.buf = unsafe.Slice((*byte)(cptr(p)), size)
	return nil
}

// errorf is the connection's last error as SQLite words it.
func (d *db) errorf(rc int32) error {
	msg := libc.GoString(sqlite3.Xsqlite3_errstr(d.tls, rc))
	if d.h != 0 {
		if m := libc.GoString(sqlite3.Xsqlite3_errmsg(d.tls, d.h)); m != "" && m != msg {
			msg = m
		}
	}
	switch rc & 0xff {
	case sqlite3.SQLITE_BUSY:
		return &lockedError{msg}
	case sqlite3.SQLITE_FULL:
		return fmt.Errorf("%s: %s", msg, fullHint)
	}
	return errors.New(msg)
}

// lockedError is SQLITE_BUSY after busy_timeout: another connection holds
// a lock on the file. It says who can, since SQLite's "database is locked"
// does not.
type lockedError struct{ msg string }

func (e *lockedError) Error() string {
	return e.msg + ": another connection holds the database (a second load, or a reader with a transaction open, such as sqlite3 after BEGIN or a database browser): close it and run again"
}

// exec runs SQL statements that take no parameters.
func (d *db) exec(query string) error {
	q, err := libc.CString(query)
	if err != nil {
		return err
	}
	defer libc.Xfree(d.tls, q)
	if rc := sqlite3.Xsqlite3_exec(d.tls, d.h, q, 0, 0, 0); rc != sqlite3.SQLITE_OK {
		return d.errorf(rc)
	}
	return nil
}

// prepare compiles one statement.
func (d *db) prepare(query string) (*stmt, error) {
	q, err := libc.CString(query)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(d.tls, q)
	if rc := sqlite3.Xsqlite3_prepare_v2(d.tls, d.h, q, -1, d.setOut(), 0); rc != sqlite3.SQLITE_OK {
		return nil, d.errorf(rc)
	}
	h := d.outValue()
	if h == 0 {
		return nil, fmt.Errorf("no statement in %q", query)
	}
	return &stmt{db: d, h: h}, nil
}

func (s *stmt) close() {
	if s.h != 0 {
		sqlite3.Xsqlite3_finalize(s.db.tls, s.h)
		s.h = 0
	}
}

// bindText copies v into the arena, which reserve sized for it, and binds
// the copy without another (SQLITE_STATIC): the arena stays as it is until
// the next reserve, after the step.
func (s *stmt) bindText(i int, v string) int32 {
	d := s.db
	off := d.used
	if len(v) >= len(d.buf)-off {
		panic(fmt.Sprintf("sqlite: %d bytes of text bound past the %d reserved", off+len(v), len(d.buf)-1))
	}
	d.used += copy(d.buf[off:], v)
	return sqlite3.Xsqlite3_bind_text(d.tls, s.h, int32(i), d.arena+uintptr(off), int32(len(v)), sqlite3.SQLITE_STATIC)
}

// textColumn runs a query and returns its first column's values as text.
func (d *db) textColumn(query string, args ...string) ([]string, error) {
	s, err := d.prepare(query)
	if err != nil {
		return nil, err
	}
	defer s.close()
	n := 0
	for _, a := range args {
		n += len(a)
	}
	if err := d.reserve(n); err != nil {
		return nil, err
	}
	for i, a := range args {
		if rc := s.bindText(i+1, a); rc != sqlite3.SQLITE_OK {
			return nil, d.errorf(rc)
		}
	}
	var out []string
	for {
		switch rc := sqlite3.Xsqlite3_step(d.tls, s.h); rc {
		case sqlite3.SQLITE_ROW:
			// Names hold no NUL, so the C string is the whole value.
			out = append(out, libc.GoString(sqlite3.Xsqlite3_column_text(d.tls, s.h, 0)))
		case sqlite3.SQLITE_DONE:
			return out, nil
		default:
			return nil, d.errorf(rc)
		}
	}
}
