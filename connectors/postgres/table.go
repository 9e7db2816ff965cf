package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"connector-dev/connectors"
)

// The type OIDs a frame's columns load into (pg_type.oid): the binary COPY
// format of each is what the encoder writes.
const (
	oidBool        = 16
	oidInt8        = 20
	oidText        = 25
	oidFloat8      = 701
	oidVarchar     = 1043
	oidTimestamptz = 1184
)

// pgType is the column type a frame type creates.
func pgType(t connectors.Type) string {
	switch t {
	case connectors.Int64:
		return "bigint"
	case connectors.Float64:
		return "double precision"
	case connectors.Bool:
		return "boolean"
	case connectors.Timestamp:
		return "timestamp with time zone"
	}
	return "text"
}

// takes reports whether a column of type oid accepts the encoder's binary
// values of t: the created type, and varchar for strings (same format).
func takes(oid int64, t connectors.Type) bool {
	switch t {
	case connectors.String:
		return oid == oidText || oid == oidVarchar
	case connectors.Int64:
		return oid == oidInt8
	case connectors.Float64:
		return oid == oidFloat8
	case connectors.Bool:
		return oid == oidBool
	case connectors.Timestamp:
		return oid == oidTimestamptz
	}
	return false
}

// tableColumn is one column of an existing table.
type tableColumn struct {
	name, typ  string
	oid        int64
	notNull    bool
	hasDefault bool // a default, identity or generated column: the batch may leave it out
}

// existing reads the table's columns; nil, nil when there is no such table.
// A view or other relation of that name is an error. (pgconn alone, not
// pgx: its type system would add megabytes to the binary for three
// catalog queries of text values.)
func existing(ctx context.Context, conn *pgconn.PgConn, t target) ([]tableColumn, error) {
	rows, err := query(ctx, conn, `SELECT 1 FROM pg_namespace WHERE nspname = $1`, t.schema)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("schema %s does not exist: create it (CREATE SCHEMA %s) or name another in DestinationObjectID", quoteIdent(t.schema), quoteIdent(t.schema))
	}
	rows, err = query(ctx, conn, `SELECT c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = $2`, t.schema, t.table)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	if kind := rows[0][0]; kind != "r" && kind != "p" {
		return nil, fmt.Errorf("%s is not a table (pg_class.relkind %q): name a table in DestinationObjectID", t, kind)
	}
	rows, err = query(ctx, conn, `SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.atttypid::int8::text, a.attnotnull::text,
			(a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '')::text
		FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, t.String())
	if err != nil {
		return nil, err
	}
	cols := make([]tableColumn, 0, len(rows))
	for _, r := range rows {
		oid, err := strconv.ParseInt(r[2], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("column %s: type oid %q: %w", quoteIdent(r[0]), r[2], err)
		}
		cols = append(cols, tableColumn{name: r[0], typ: r[1], oid: oid, notNull: r[3] == "true", hasDefault: r[4] == "true"})
	}
	return cols, nil
}

// query runs a catalog query with text parameters and returns its rows as
// text ("" for NULL: none of ours returns one).
func query(ctx context.Context, conn *pgconn.PgConn, sql string, args ...string) ([][]string, error) {
	params := make([][]byte, len(args))
	for i, a := range args {
		params[i] = []byte(a)
	}
	res := conn.ExecParams(ctx, sql, params, nil, nil, nil).Read()
	if res.Err != nil {
		return nil, res.Err
	}
	out := make([][]string, len(res.Rows))
	for i, r := range res.Rows {
		out[i] = make([]string, len(r))
		for j, v := range r {
			out[i][j] = string(v)
		}
	}
	return out, nil
}

// mismatches lists, one phrase per column, how the batch's fields do not
// fit the table, or nil when every field loads into its column as it is.
func mismatches(have []tableColumn, fields []connectors.Field) []string {
	byName := make(map[string]tableColumn, len(have))
	for _, c := range have {
		byName[c.name] = c
	}
	inBatch := make(map[string]bool, len(fields))
	var out []string
	for _, f := range fields {
		inBatch[f.Name] = true
		c, ok := byName[f.Name]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("column %s is in the batch (%s) but not in the table", quoteIdent(f.Name), pgType(f.Type)))
		case !takes(c.oid, f.Type):
			out = append(out, fmt.Sprintf("column %s is %s in the table but %s in the batch", quoteIdent(f.Name), c.typ, pgType(f.Type)))
		case f.Nullable && c.notNull:
			out = append(out, fmt.Sprintf("column %s is NOT NULL in the table but may be null in the batch", quoteIdent(f.Name)))
		}
	}
	for _, c := range have {
		if !inBatch[c.name] && !c.hasDefault {
			out = append(out, fmt.Sprintf("column %s (%s) is in the table but not in the batch, and has no default", quoteIdent(c.name), c.typ))
		}
	}
	return out
}

// createTable is the CREATE TABLE of a batch's fields.
func createTable(t target, fields []connectors.Field) string {
	defs := make([]string, len(fields))
	for i, f := range fields {
		defs[i] = quoteIdent(f.Name) + " " + pgType(f.Type)
		if !f.Nullable {
			defs[i] += " NOT NULL"
		}
	}
	return "CREATE TABLE " + t.String() + " (" + strings.Join(defs, ", ") + ")"
}

// copySQL is the COPY statement of a load, columns in the batch's order.
func copySQL(t target, names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quoteIdent(n)
	}
	return "COPY " + t.String() + " (" + strings.Join(q, ", ") + ") FROM STDIN (FORMAT binary)"
}
