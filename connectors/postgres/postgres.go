// Package postgres is a destination that loads batches into a PostgreSQL
// table with COPY ... FROM STDIN in binary format, over the pure-Go
// github.com/jackc/pgx/v5 driver.
//
// It registers itself as "postgres". The credentials field "url" is a
// postgres://user:password@host:5432/database URL (only its password is
// secret: host and database appear in messages); the job's
// DestinationObjectID names the table, as table (schema public) or
// schema.table, kept as written (quoted). The table is created when
// missing: string as text, int64 as bigint, float64 as double precision,
// bool as boolean, timestamp as timestamptz, a column that is not nullable
// as NOT NULL.
//
// A run is one transaction. UpdateMethodCD 1 (Append) adds the rows to the
// table, after checking the table's columns take the batch's (each
// mismatch named, nothing loaded otherwise). 2 (Replace) empties the table
// with TRUNCATE and loads it in the same transaction: readers wait for the
// commit and then see the new rows whole, a failed or cancelled run leaves
// the old rows, and the table's indexes, grants and dependent views stay,
// which a swap of renamed tables would lose.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"

	"connector-dev/connectors"
)

// Name is the name the destination is registered under.
const Name = "postgres"

// URLField is the credentials field holding the server's URL.
const URLField = "url"

// connectTimeout bounds a connect whose URL sets no connect_timeout, so an
// unreachable host fails in seconds, not after the kernel's TCP timeout.
const connectTimeout = 10 * time.Second

// defaultLockTimeout bounds how long a statement of the load waits for a
// lock on the table when the URL sets no lock_timeout: a Replace's TRUNCATE
// waits for every reader, and a transaction left open in a psql window
// would otherwise hang the run without a word.
const defaultLockTimeout = "1min"

// cleanupTimeout bounds the rollback and close after a failed or cancelled
// run (its own context is done by then).
const cleanupTimeout = 5 * time.Second

func init() {
	connectors.RegisterDestination(Name, func() connectors.Destination { return &Destination{} })
}

// Destination loads batches into PostgreSQL. Use a new value per run (the
// registry's constructor does); Batch works only inside Run.
type Destination struct {
	ld *load
}

// LoadsInOneTransaction is true: Run writes only inside its one
// transaction, commits only after rt.RunBatches returned nil and rolls back
// otherwise, so the harness may load batches while the source still runs.
func (d *Destination) LoadsInOneTransaction() bool { return true }

var _ connectors.Transactional = (*Destination)(nil)

// load is the state of one run.
type load struct {
	conn    *pgconn.PgConn
	inTx    bool
	srv     server
	tgt     target
	method  int
	columns []string // the COPY's columns, from the first batch; nil before it
	types   []connectors.Type
	copySQL string
	batch   int // the batch being loaded, from 1
	rows    int64
}

// Run connects, loads every batch in one transaction and commits only if
// all of them loaded.
func (d *Destination) Run(ctx context.Context, rt connectors.Runtime) (err error) {
	job := rt.Job()
	tgt, err := checkJob(job)
	if err != nil {
		return rt.LogErr("postgres: %v", err)
	}
	raw := rt.Credentials()[URLField]
	srv, err := parseURL(raw)
	if err != nil {
		return rt.LogErr("postgres: %v", err)
	}
	cfg, err := pgconn.ParseConfig(raw)
	if err != nil {
		return rt.LogErr("postgres: POSTGRES_URL: %s", withoutPassword(err.Error(), raw))
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = connectTimeout
	}
	if cfg.RuntimeParams["lock_timeout"] == "" {
		cfg.RuntimeParams["lock_timeout"] = defaultLockTimeout
	}
	// On Ctrl-C, ask the server to cancel the running statement (pgx's
	// default only drops the socket: the server would go on with a COPY,
	// holding the table's lock, until it next wrote to the client). The
	// cancelled COPY aborts the transaction, and Run rolls it back on the
	// same connection; the deadline is the fallback if the server does
	// not answer.
	cfg.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, DeadlineDelay: cleanupTimeout}
	}
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return rt.LogErr("postgres: %s", withoutPassword(connectError(err, srv), raw))
	}
	ld := &load{conn: conn, srv: srv, tgt: tgt, method: job.UpdateMethodCD}
	committed := false
	// Deferred, so a panic in a Batch also rolls back. After a cancelled
	// COPY pgx has closed the connection: the server then rolls back itself.
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if ld.inTx && !committed && !conn.IsClosed() {
			_ = ld.exec(cctx, "ROLLBACK")
		}
		_ = conn.Close(cctx)
		d.ld = nil
	}()
	if err := ld.exec(ctx, "BEGIN"); err != nil {
		return rt.LogErr("postgres: %s", ld.loadError(err, "begin a transaction on "+srv.String()))
	}
	ld.inTx = true
	// Loading beside the source (Transactional) keeps this transaction open,
	// idle between batches, for the source's whole run: a server's
	// idle_in_transaction_session_timeout (managed services set one) must
	// not end it. SET LOCAL lasts only as long as the transaction.
	if err := ld.exec(ctx, "SET LOCAL idle_in_transaction_session_timeout = 0"); err != nil {
		return rt.LogErr("postgres: %s", ld.loadError(err, "set the transaction's idle timeout on "+srv.String()))
	}
	d.ld = ld
	if err := rt.RunBatches(ctx); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if ld.columns == nil {
		rt.LogInfo("postgres: no batches: table %s on %s left as it was", tgt, srv)
		return nil
	}
	res := conn.Exec(ctx, "COMMIT")
	results, err := res.ReadAll()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return rt.LogErr("postgres: %s", ld.loadError(err, "commit to "+srv.String()))
	}
	// A transaction the server had aborted answers COMMIT with ROLLBACK.
	if len(results) != 1 || results[0].CommandTag.String() != "COMMIT" {
		return rt.LogErr("postgres: commit to %s: the server rolled the transaction back; nothing of this run was committed", srv)
	}
	committed = true
	rt.LogInfo("postgres: loaded %s rows into %s on %s (%s)", connectors.Thousands(ld.rows), tgt, srv, job.UpdateMethod())
	return nil
}

// Batch copies one batch into the run's table, preparing the table on the
// first: created when missing, checked against the batch when not, and
// emptied first for a Replace.
func (d *Destination) Batch(ctx context.Context, rt connectors.Runtime, f *connectors.Frame) error {
	ld := d.ld
	if ld == nil {
		return errors.New("postgres: Batch called outside Run")
	}
	ld.batch++
	if err := f.Validate(); err != nil {
		return rt.LogErr("postgres: batch %d for table %s: %v", ld.batch, ld.tgt, err)
	}
	if ld.columns == nil {
		if err := ld.prepare(ctx, f); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return rt.LogErr("postgres: %v", err)
		}
	}
	cols, err := ld.order(f)
	if err != nil {
		return rt.LogErr("postgres: %v", err)
	}
	enc := newEncoder(ctx, cols, f.Len())
	tag, err := ld.conn.CopyFrom(ctx, enc, ld.copySQL)
	if enc.bad != nil && ctx.Err() == nil {
		return rt.LogErr("postgres: batch %d, %v (table %s); nothing of this run was committed", ld.batch, enc.bad, ld.tgt)
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return rt.LogErr("postgres: %s; nothing of this run was committed", ld.loadError(err, fmt.Sprintf("batch %d: copy into %s", ld.batch, ld.tgt)))
	}
	ld.rows += tag.RowsAffected()
	return nil
}

// prepare makes the table ready for the first batch and fixes the COPY's
// column order.
func (ld *load) prepare(ctx context.Context, f *connectors.Frame) error {
	fields := f.Fields()
	if len(fields) == 0 {
		return fmt.Errorf("table %s: the batch has no columns", ld.tgt)
	}
	names := make([]string, len(fields))
	types := make([]connectors.Type, len(fields))
	for i, fd := range fields {
		types[i] = fd.Type
		if err := checkIdentifier("column", fd.Name); err != nil {
			return fmt.Errorf("table %s: %w: map it to a shorter name in JobDataJSON", ld.tgt, err)
		}
		names[i] = fd.Name
	}
	have, err := existing(ctx, ld.conn, ld.tgt)
	if err != nil {
		return errors.New(ld.loadError(err, "read table "+ld.tgt.String()))
	}
	switch {
	case have == nil:
		if err := ld.exec(ctx, createTable(ld.tgt, fields)); err != nil {
			return errors.New(ld.loadError(err, "create table "+ld.tgt.String()))
		}
	default:
		if m := mismatches(have, fields); len(m) > 0 {
			how := "change the mapping in JobDataJSON, or ALTER the table"
			if ld.method == connectors.Replace {
				how = "Replace keeps the table's definition (indexes, grants, views): ALTER it, or DROP it to have it created from the batch"
			}
			return fmt.Errorf("table %s on %s does not take the batch, nothing loaded: %s; %s", ld.tgt, ld.srv, strings.Join(m, "; "), how)
		}
		if ld.method == connectors.Replace {
			if err := ld.exec(ctx, "TRUNCATE TABLE "+ld.tgt.String()); err != nil {
				return errors.New(ld.loadError(err, "empty table "+ld.tgt.String()+" for the replace"))
			}
		}
	}
	ld.columns, ld.types = names, types
	ld.copySQL = copySQL(ld.tgt, names)
	return nil
}

// order returns f's columns in the COPY's order, or an error naming how a
// later batch differs from the first.
func (ld *load) order(f *connectors.Frame) ([]*connectors.Column, error) {
	fcols := f.Columns()
	byName := make(map[string]*connectors.Column, len(fcols))
	for _, c := range fcols {
		byName[c.Name] = c
	}
	out := make([]*connectors.Column, len(ld.columns))
	var diff []string
	for i, name := range ld.columns {
		switch out[i] = byName[name]; {
		case out[i] == nil:
			diff = append(diff, "lacks column "+quoteIdent(name))
		case out[i].Type != ld.types[i]:
			// The binary COPY format is the type's: a changed type would
			// be refused by the server as bad data, or misread.
			diff = append(diff, fmt.Sprintf("has column %s as %s, the first batch as %s", quoteIdent(name), pgType(out[i].Type), pgType(ld.types[i])))
		}
	}
	if len(fcols) != len(ld.columns) {
		diff = append(diff, fmt.Sprintf("has %d columns, the first had %d", len(fcols), len(ld.columns)))
	}
	if len(diff) > 0 {
		return nil, fmt.Errorf("batch %d for table %s %s", ld.batch, ld.tgt, strings.Join(diff, ", "))
	}
	return out, nil
}

// exec runs one statement without parameters (the simple protocol).
func (ld *load) exec(ctx context.Context, sql string) error {
	_, err := ld.conn.Exec(ctx, sql).ReadAll()
	return err
}
