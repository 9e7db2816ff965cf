package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

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
// A view or other relation of that name is an error.
func existing(ctx context.Context, tx pgx.Tx, t target) ([]tableColumn, error) {
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, t.schema).Scan(&ok); err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("schema %s does not exist: create it (CREATE SCHEMA %s) or name another in DestinationObjectID", quoteIdent(t.schema), quoteIdent(t.schema))
	}
	var kind string
	err := tx.QueryRow(ctx, `SELECT c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = $2`, t.schema, t.table).Scan(&kind)
	if err == pgx.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if kind != "r" && kind != "p" {
		return nil, fmt.Errorf("%s is not a table (pg_class.relkind %q): name a table in DestinationObjectID", t, kind)
	}
	rows, err := tx.Query(ctx, `SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.atttypid::int8, a.attnotnull,
			a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> ''
		FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, t.String())
	if err != nil {
		return nil, err
	}
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tableColumn, error) {
		var c tableColumn
		err := r.Scan(&c.name, &c.typ, &c.oid, &c.notNull, &c.hasDefault)
		return c, err
	})
	if err == nil && cols == nil {
		cols = []tableColumn{} // a table without columns still exists
	}
	return cols, err
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
