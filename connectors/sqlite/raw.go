package sqlite

// This file talks to SQLite through modernc.org/sqlite/lib (the transpiled C
// API) instead of database/sql. The driver costs about three times the
// insert itself: it boxes every value in an interface, copies every string
// into C memory and frees it after the step, looks up each parameter's name,
// and takes the connection mutex on every call because it opens connections
// in serialized mode. Here values are bound by type and a load's single
// connection is opened without mutexes, since only its one goroutine uses it.

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

// db is one SQLite connection used by one goroutine at a time.
type db struct {
	tls *libc.TLS
	h   uintptr
	// empty is what an empty string is bound to: SQLite reads a nil text
	// pointer as NULL, and an empty Go string may have a nil data pointer.
	empty [1]byte
	// out receives the handles open and prepare write back. It is a field
	// so that it lives on the heap, which does not move, where a local
	// could move with its goroutine's stack during the call.
	out uintptr
}

// stmt is a prepared statement of a db.
type stmt struct {
	db *db
	h  uintptr
}

// openDB opens (creating if need be) the database at a file: URI.
func openDB(uri string) (*db, error) {
	d := &db{tls: libc.NewTLS()}
	name, err := libc.CString(uri)
	if err != nil {
		d.tls.Close()
		return nil, err
	}
	defer libc.Xfree(d.tls, name)
	d.out = 0
	flags := int32(sqlite3.SQLITE_OPEN_READWRITE | sqlite3.SQLITE_OPEN_CREATE | sqlite3.SQLITE_OPEN_URI | sqlite3.SQLITE_OPEN_NOMUTEX)
	rc := sqlite3.Xsqlite3_open_v2(d.tls, name, uintptr(unsafe.Pointer(&d.out)), flags, 0)
	d.h = d.out
	if rc != sqlite3.SQLITE_OK {
		err := d.errorf(rc)
		if d.h != 0 {
			sqlite3.Xsqlite3_close_v2(d.tls, d.h)
		}
		d.tls.Close()
		return nil, err
	}
	sqlite3.Xsqlite3_extended_result_codes(d.tls, d.h, 1)
	return d, nil
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
	d.tls.Close()
	return err
}

// errorf is the connection's last error as SQLite words it.
func (d *db) errorf(rc int32) error {
	msg := libc.GoString(sqlite3.Xsqlite3_errstr(d.tls, rc))
	if d.h != 0 {
		if m := libc.GoString(sqlite3.Xsqlite3_errmsg(d.tls, d.h)); m != "" && m != msg {
			msg = m
		}
	}
	return errors.New(msg)
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
	d.out = 0
	if rc := sqlite3.Xsqlite3_prepare_v2(d.tls, d.h, q, -1, uintptr(unsafe.Pointer(&d.out)), 0); rc != sqlite3.SQLITE_OK {
		return nil, d.errorf(rc)
	}
	h := d.out
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

func (s *stmt) bindInt64(i int, v int64) int32 {
	return sqlite3.Xsqlite3_bind_int64(s.db.tls, s.h, int32(i), v)
}

func (s *stmt) bindFloat64(i int, v float64) int32 {
	return sqlite3.Xsqlite3_bind_double(s.db.tls, s.h, int32(i), v)
}

func (s *stmt) bindNull(i int) int32 {
	return sqlite3.Xsqlite3_bind_null(s.db.tls, s.h, int32(i))
}

// bindText binds v without a copy (SQLITE_STATIC): SQLite reads it in the
// step that follows, and the batch's frame, which holds v, lives past that
// step; Go's heap does not move. Copying (SQLITE_TRANSIENT) and freeing
// every string measured 25% of the whole load.
func (s *stmt) bindText(i int, v string) int32 {
	p := unsafe.Pointer(unsafe.StringData(v))
	if len(v) == 0 {
		p = unsafe.Pointer(&s.db.empty[0])
	}
	return sqlite3.Xsqlite3_bind_text(s.db.tls, s.h, int32(i), uintptr(p), int32(len(v)), sqlite3.SQLITE_STATIC)
}

// bindBytes is bindText for a byte slice (a formatted timestamp).
func (s *stmt) bindBytes(i int, v []byte) int32 {
	p := unsafe.Pointer(&s.db.empty[0])
	if len(v) > 0 {
		p = unsafe.Pointer(&v[0])
	}
	return sqlite3.Xsqlite3_bind_text(s.db.tls, s.h, int32(i), uintptr(p), int32(len(v)), sqlite3.SQLITE_TRANSIENT)
}

// run steps the bound statement to its end and resets it for the next
// rows. The bindings stay, but every parameter is bound anew before the
// next run.
func (s *stmt) run() error {
	rc := sqlite3.Xsqlite3_step(s.db.tls, s.h)
	for rc == sqlite3.SQLITE_ROW {
		rc = sqlite3.Xsqlite3_step(s.db.tls, s.h)
	}
	if rc != sqlite3.SQLITE_DONE {
		err := s.db.errorf(rc)
		sqlite3.Xsqlite3_reset(s.db.tls, s.h)
		return err
	}
	sqlite3.Xsqlite3_reset(s.db.tls, s.h)
	return nil
}

// textColumn runs a query and returns its first column's values as text.
func (d *db) textColumn(query string, args ...string) ([]string, error) {
	s, err := d.prepare(query)
	if err != nil {
		return nil, err
	}
	defer s.close()
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
