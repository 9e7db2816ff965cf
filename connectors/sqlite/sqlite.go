// Package sqlite is a destination that loads batches into a table of a
// SQLite database file: the embedded warehouse of connector-dev. It uses the
// pure-Go modernc.org/sqlite driver, so the binary stays CGO-free.
//
// It registers itself as "sqlite". The credentials field "database" names
// the file (default .connector-dev/warehouse.db), the job's
// DestinationObjectID the table. A run is one transaction: UpdateMethodCD 1
// (Append) inserts into the table, creating it if needed; 2 (Replace) loads a
// new table and swaps it in at commit, so a failed run leaves the previous
// table whole.
//
// Values are stored as pandas.DataFrame.to_sql stores them, so the same SQL
// works on tables loaded by the Python template: int64 and bool as INTEGER
// (bool 0/1), float64 as REAL (NaN as NULL, as SQLite stores a bound NaN),
// string as TEXT, timestamps as TEXT "2006-01-02 15:04:05.999999" in UTC,
// nulls as NULL.
//
// Rows reach the table through segments (load.go, segment.go): SQLite
// files of records this package writes itself, beside the database, which
// SQLite copies into the table inside the run's transaction.
package sqlite

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"connector-dev/connectors"
)

// Name is the name the destination is registered under.
const Name = "sqlite"

// DatabaseField is the credentials field that holds the database file's path.
const DatabaseField = "database"

// DefaultDatabase is the file used when the credentials name none.
const DefaultDatabase = ".connector-dev/warehouse.db"

// maxColumns is the most columns a table of this build of SQLite takes
// (SQLITE_MAX_COLUMN).
const maxColumns = 2000

// replaceSuffix starts the random part of the name of the table a Replace
// run loads before swapping it in (see stagingTable).
const replaceSuffix = "__connector_dev_replace"

func init() {
	connectors.RegisterDestination(Name, func() connectors.Destination { return &Destination{} })
}

// Destination loads batches into SQLite. Use a new value per run (the
// registry's constructor does); Batch works only inside Run.
type Destination struct {
	ld *load
	// lim is the segments' sizes, defaultLimits unless a test set them.
	lim limits
	// stats describes the last run's segments, for tests.
	stats segmentStats
}

// LoadsInOneTransaction is true: Run writes only inside its one
// transaction, commits only after rt.RunBatches returned nil and rolls back
// otherwise, so the harness may load batches while the source still runs.
func (d *Destination) LoadsInOneTransaction() bool { return true }

var _ connectors.Transactional = (*Destination)(nil)

// load is the state of one run: its connection, transaction and the
// segments its batches go through (load.go).
type load struct {
	conn    *db
	path    string
	table   string // the table the user named
	into    string // the table rows go into: table, or its replacement
	method  int
	columns []string // the loaded table's columns, in its order; nil before the first batch
	// insertColumns names the columns rows go into when the batch lacks
	// some of the table's (they take their defaults); nil when it has all.
	insertColumns []string
	rows          int64
	segs          segments
}

// Run opens the database, loads every batch in one transaction and commits
// only if all of them loaded.
func (d *Destination) Run(ctx context.Context, rt connectors.Runtime) (err error) {
	job := rt.Job()
	table := job.DestinationObjectID
	if strings.TrimSpace(table) == "" {
		return rt.LogErr("sqlite: the job's DestinationObjectID is empty: set it to the table to load")
	}
	if job.UpdateMethodCD != connectors.Append && job.UpdateMethodCD != connectors.Replace {
		return rt.LogErr("sqlite: UpdateMethodCD is %d: use 1 (Append) or 2 (Replace)", job.UpdateMethodCD)
	}
	path := rt.Credentials()[DatabaseField]
	if path == "" {
		path = DefaultDatabase
	}
	conn, err := open(path)
	if err != nil {
		return rt.LogErr("sqlite: %v (credentials field %q)", err, DatabaseField)
	}
	ld := &load{conn: conn, path: path, table: table, into: table, method: job.UpdateMethodCD}
	committed := false
	// Deferred, so a panic in a Batch also rolls back: the previous table
	// stays as it was and the file is not left locked. The copier is
	// stopped first: until then it may be using the connection.
	defer func() {
		ld.segs.stop()
		if !committed {
			_ = conn.exec("ROLLBACK")
		}
		cerr := conn.close()
		if cerr != nil && err == nil && committed {
			err = rt.LogErr("sqlite: close %s: %v", path, cerr)
		}
		// After the close: SQLite has the segments attached until then.
		d.stats = ld.segs.stats()
		ld.segs.remove(cerr == nil)
		d.ld = nil
	}()
	// EXCLUSIVE takes the file now, so another writer, or a reader that
	// holds a transaction open, fails the run at the start (after the busy
	// timeout) rather than at each cache spill and then the commit. With a
	// rollback journal readers are kept out from the first spill anyway;
	// in WAL mode (a warehouse an older connector-dev made) they still read.
	if err := conn.exec("BEGIN EXCLUSIVE"); err != nil {
		return rt.LogErr("sqlite: begin a transaction on %s: %v", path, err)
	}
	if ld.method == connectors.Replace {
		// Picked inside the transaction, which holds the write lock, so no
		// one can create a table of that name before this run does.
		if ld.into, err = stagingTable(conn, table); err != nil {
			return rt.LogErr("sqlite: %v", err)
		}
	}
	lim := d.lim
	if lim == (limits{}) {
		lim = defaultLimits()
	}
	if err := ld.segs.init(ctx, conn, path, lim); err != nil {
		return rt.LogErr("sqlite: %v", err)
	}
	d.ld = ld
	if err := rt.RunBatches(ctx); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := ld.segs.finish(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return rt.LogErr("sqlite: insert into %s: %v", quote(table), err)
	}
	if ld.method == connectors.Replace {
		if ld.columns == nil {
			rt.LogInfo("sqlite: no batches: table %s in %s left as it was", quote(table), path)
			return nil
		}
		if err := conn.exec("DROP TABLE IF EXISTS " + quote(table)); err != nil {
			return rt.LogErr("sqlite: drop the previous table %s: %v", quote(table), err)
		}
		if err := conn.exec("ALTER TABLE " + quote(ld.into) + " RENAME TO " + quote(table)); err != nil {
			return rt.LogErr("sqlite: rename %s to %s: %v", quote(ld.into), quote(table), err)
		}
	}
	if err := conn.exec("COMMIT"); err != nil {
		return rt.LogErr("sqlite: commit to %s: %v", path, err)
	}
	committed = true
	// The path is a credential, and the run scrubs credential values from
	// every line: naming it here would only print [REDACTED].
	rt.LogInfo("sqlite: loaded %s into table %s (%s)", rowCount(ld.rows), quote(table), job.UpdateMethod())
	return nil
}

// Batch inserts one batch into the run's table, creating it on the first.
func (d *Destination) Batch(ctx context.Context, rt connectors.Runtime, f *connectors.Frame) error {
	ld := d.ld
	if ld == nil {
		return errors.New("sqlite: Batch called outside Run")
	}
	if err := f.Validate(); err != nil {
		return rt.LogErr("sqlite: batch for table %s: %v", quote(ld.table), err)
	}
	if ld.columns == nil {
		if err := ld.prepareTable(f); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return rt.LogErr("sqlite: %v", err)
		}
		ld.segs.table(ld.into, ld.insertColumns, ld.columnTypes(f.Fields()))
	}
	cols, err := ld.order(f)
	if err != nil {
		return rt.LogErr("sqlite: %v", err)
	}
	if err := ld.segs.add(ctx, cols, f.Len()); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return rt.LogErr("sqlite: insert into %s: %v", quote(ld.table), err)
	}
	ld.rows += int64(f.Len())
	return nil
}

// prepareTable creates the table the run loads into (Replace: always, fresh;
// Append: unless it exists) and fixes the column order of the inserts.
func (ld *load) prepareTable(f *connectors.Frame) error {
	fields := f.Fields()
	names := make([]string, len(fields))
	defs := make([]string, len(fields))
	for i, fd := range fields {
		names[i] = fd.Name
		defs[i] = quote(fd.Name) + " " + sqlType(fd.Type)
	}
	if len(fields) == 0 {
		return fmt.Errorf("table %s: the batch has no columns", quote(ld.table))
	}
	if len(fields) > maxColumns {
		return fmt.Errorf("table %s: %d columns is more than SQLite takes (%d): map fewer columns in JobDataJSON", quote(ld.table), len(fields), maxColumns)
	}
	create := "CREATE TABLE " + quote(ld.into) + " (" + strings.Join(defs, ", ") + ")"
	if a, b := caseDuplicate(fields); a != "" {
		return fmt.Errorf("table %s: the batch has columns %s and %s, which differ only in case and SQLite holds as one column: rename one in the source or map them to other names in JobDataJSON", quote(ld.table), quote(a), quote(b))
	}
	if ld.method == connectors.Replace {
		// The staging name was checked free: nothing of the user's is dropped.
		if err := ld.conn.exec(create); err != nil {
			return fmt.Errorf("create table %s: %w", quote(ld.table), err)
		}
		ld.columns = names
		return nil
	}
	have, err := tableColumns(ld.conn, ld.into)
	if err != nil {
		return fmt.Errorf("read the columns of table %s: %w", quote(ld.table), err)
	}
	if have == nil {
		if err := ld.conn.exec(create); err != nil {
			return fmt.Errorf("create table %s: %w", quote(ld.table), err)
		}
		ld.columns = names
		return nil
	}
	defaulted, err := ld.conn.textColumn("SELECT name FROM pragma_table_info(?) WHERE dflt_value IS NOT NULL", ld.into)
	if err != nil {
		return fmt.Errorf("read the columns of table %s: %w", quote(ld.table), err)
	}
	mayLack := make(map[string]bool, len(defaulted))
	for _, n := range defaulted {
		mayLack[strings.ToLower(n)] = true
	}
	if msg := columnDiffExcept(have, names, mayLack); msg != "" {
		return fmt.Errorf("table %s has other columns than the batch: %s; load it with Replace (UpdateMethodCD 2) or map the columns in JobDataJSON", quote(ld.table), msg)
	}
	// The table's own order, without the defaulted columns the batch
	// lacks: rows go in by INSERT ... SELECT *, which then names them.
	inBatch := make(map[string]bool, len(names))
	for _, n := range names {
		inBatch[strings.ToLower(n)] = true
	}
	var cols []string
	for _, n := range have {
		if inBatch[strings.ToLower(n)] {
			cols = append(cols, n)
		}
	}
	ld.columns = cols
	if len(cols) < len(have) {
		ld.insertColumns = ld.columns
	}
	return nil
}

// columnTypes is the type of each of ld.columns, from the batch's fields.
func (ld *load) columnTypes(fields []connectors.Field) []connectors.Type {
	types := make([]connectors.Type, len(ld.columns))
	for i, name := range ld.columns {
		for _, fd := range fields {
			if strings.EqualFold(fd.Name, name) {
				types[i] = fd.Type
				break
			}
		}
	}
	return types
}

// order returns f's columns in the order of the insert statements, or an
// error naming the columns that differ from the table's.
func (ld *load) order(f *connectors.Frame) ([]*connectors.Column, error) {
	fcols := f.Columns()
	if len(fcols) == len(ld.columns) {
		same := true
		for i, c := range fcols {
			if c.Name != ld.columns[i] {
				same = false
				break
			}
		}
		if same {
			return fcols, nil
		}
	}
	names := make([]string, len(fcols))
	for i, c := range fcols {
		names[i] = c.Name
	}
	if msg := columnDiff(ld.columns, names); msg != "" {
		return nil, fmt.Errorf("table %s: a batch has other columns than the first: %s", quote(ld.table), msg)
	}
	out := make([]*connectors.Column, len(ld.columns))
	for i, name := range ld.columns {
		for _, c := range fcols {
			if strings.EqualFold(c.Name, name) {
				out[i] = c
				break
			}
		}
	}
	return out, nil
}

// columnDiff describes how the batch's columns differ from the table's, or
// returns "". SQLite compares column names without regard to ASCII case.
func columnDiff(table, batch []string) string {
	return columnDiffExcept(table, batch, nil)
}

// columnDiffExcept is columnDiff that lets the batch lack the table's
// columns in mayLack (lower case): those with a default, which SQLite
// fills in.
func columnDiffExcept(table, batch []string, mayLack map[string]bool) string {
	inTable := make(map[string]bool, len(table))
	for _, n := range table {
		inTable[strings.ToLower(n)] = true
	}
	inBatch := make(map[string]bool, len(batch))
	var extra, missing []string
	for _, n := range batch {
		inBatch[strings.ToLower(n)] = true
		if !inTable[strings.ToLower(n)] {
			extra = append(extra, quote(n))
		}
	}
	for _, n := range table {
		if !inBatch[strings.ToLower(n)] && !mayLack[strings.ToLower(n)] {
			missing = append(missing, quote(n))
		}
	}
	var parts []string
	if len(extra) > 0 {
		parts = append(parts, "the batch has "+strings.Join(extra, ", ")+" that the table lacks")
	}
	if len(missing) > 0 {
		parts = append(parts, "the table has "+strings.Join(missing, ", ")+" that the batch lacks (a column with a DEFAULT may be left out)")
	}
	return strings.Join(parts, "; ")
}

// open opens (creating it and its folder if need be) the database file and
// sets the pragmas a bulk load wants.
func open(path string) (*db, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("database path %q: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("create the folder of database %s: %w", path, err)
	}
	// A file: URI, so that '?' or '#' in a path are part of the name and
	// not read as URI parameters.
	uri := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
	conn, err := openDB(uri)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	pragmas := []string{
		// Wait for another writer (a browser, a second run) instead of
		// failing at once.
		"PRAGMA busy_timeout = 5000",
		// Only takes effect on a new file: 64 KiB pages mean a sixteenth of
		// the write calls of the 4 KiB default.
		"PRAGMA page_size = 65536",
		// A rollback journal, not WAL: a load writes new pages, which the
		// journal need not copy, where WAL writes every page twice (log,
		// then checkpoint). Measured 25-35% faster at 5M rows. The cost: a
		// reader holding a transaction open delays the commit (up to
		// busy_timeout). FULL is the safe setting for a rollback journal.
		"PRAGMA journal_mode = DELETE",
		"PRAGMA synchronous = FULL",
		// 16 MiB of page cache: larger caches measured no faster, and this
		// memory is outside Go's heap, on top of the batches in flight.
		"PRAGMA cache_size = -16384",
		"PRAGMA temp_store = MEMORY",
	}
	for _, p := range pragmas {
		if err := conn.exec(p); err != nil {
			// Leaving WAL needs the file to itself; with a reader open on a
			// WAL database (one an older connector-dev made) it stays WAL,
			// which loads as safely, only slower.
			if strings.HasPrefix(p, "PRAGMA journal_mode") {
				continue
			}
			conn.close()
			var locked *lockedError
			if errors.As(err, &locked) {
				return nil, fmt.Errorf("database %s: %w", path, err)
			}
			return nil, fmt.Errorf("database %s: %s: %w", path, p, err)
		}
	}
	return conn, nil
}

// tableColumns lists a table's column names, or nil if it does not exist.
func tableColumns(conn *db, table string) ([]string, error) {
	return conn.textColumn("SELECT name FROM pragma_table_info(?)", table)
}

// quote makes an SQL identifier of any name, as SQLite reads "...".
func quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// sqlType is the declared type of a column: the ones pandas.to_sql uses.
func sqlType(t connectors.Type) string {
	switch t {
	case connectors.Int64, connectors.Bool:
		return "INTEGER"
	case connectors.Float64:
		return "REAL"
	}
	return "TEXT"
}

// rowCount is n rows, with separators and the singular for one.
func rowCount(n int64) string {
	if n == 1 {
		return "1 row"
	}
	return connectors.Thousands(n) + " rows"
}
