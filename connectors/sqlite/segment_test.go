package sqlite_test

import (
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/connectors/sqlite"
)

// hostileFrame makes a frame of every type from seed: nulls, NaN, ±Inf,
// -0, integer bounds and the edges of every integer size SQLite stores,
// empty and long text (past a page, so overflow pages), NUL bytes and
// invalid UTF-8, timestamps before year 0 and after 9999.
func hostileFrame(seed uint64, n int) *connectors.Frame {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	f := connectors.NewFrame(
		connectors.Field{Name: "i", Type: connectors.Int64, Nullable: true},
		connectors.Field{Name: "f", Type: connectors.Float64, Nullable: true},
		connectors.Field{Name: "b", Type: connectors.Bool, Nullable: true},
		connectors.Field{Name: "s", Type: connectors.String, Nullable: true},
		connectors.Field{Name: "t", Type: connectors.Timestamp, Nullable: true},
		connectors.Field{Name: "j", Type: connectors.Int64},
	)
	ints := []int64{0, 1, -1, 2, 127, 128, -128, -129, 32767, 32768, -32768, -32769, 8388607, 8388608, -8388608, -8388609,
		2147483647, 2147483648, -2147483648, -2147483649, 1<<47 - 1, 1 << 47, -(1 << 47), -(1 << 47) - 1, math.MaxInt64, math.MinInt64}
	floats := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e308, -1e-308, 5e-324, math.Inf(1), math.Inf(-1), math.NaN(), 3, 1 << 53, 123456.789}
	strs := []string{"", "a", "héllo", "nul\x00inside", "\xff\xfe bad utf-8", strings.Repeat("x", 70_000), strings.Repeat("é", 200_000), "\x1b[31mred\x1b[0m"}
	for range n {
		row := make([]any, 6)
		pick := func(nullable bool, v any) any {
			if nullable && r.IntN(6) == 0 {
				return nil
			}
			return v
		}
		iv := ints[r.IntN(len(ints))]
		if r.IntN(3) == 0 {
			iv = int64(r.Uint64())
		}
		row[0] = pick(true, iv)
		fv := floats[r.IntN(len(floats))]
		if r.IntN(3) == 0 {
			fv = math.Float64frombits(r.Uint64())
		}
		row[1] = pick(true, fv)
		row[2] = pick(true, r.IntN(2) == 1)
		sv := strs[r.IntN(len(strs))]
		if r.IntN(3) == 0 {
			b := make([]byte, r.IntN(300))
			for k := range b {
				b[k] = byte(r.Uint32())
			}
			sv = string(b)
		}
		row[3] = pick(true, sv)
		// Microseconds over all of int64 now and then, else within years 1 to 9999.
		us := r.Int64N(315_537_897_600_000_000) - 62_135_596_800_000_000
		if r.IntN(8) == 0 {
			us = int64(r.Uint64())
		}
		row[4] = pick(true, time.UnixMicro(us))
		row[5] = int64(r.Uint64()) >> r.IntN(64)
		if err := f.AppendRow(row...); err != nil {
			panic(err)
		}
	}
	return f
}

// reference inserts f's rows into table ref through SQLite's own bound
// INSERT (database/sql), the way values reached SQLite before segments.
func reference(t *testing.T, db *sql.DB, f *connectors.Frame) {
	t.Helper()
	if _, err := db.Exec(`CREATE TABLE ref (i INTEGER, f REAL, b INTEGER, s TEXT, t TEXT, j INTEGER)`); err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	st, err := tx.Prepare(`INSERT INTO ref VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.Len() {
		vals := f.Row(i)
		for k, v := range vals {
			switch x := v.(type) {
			case bool:
				vals[k] = int64(0)
				if x {
					vals[k] = int64(1)
				}
			case time.Time:
				vals[k] = x.UTC().Format(sqlite.TimeLayout)
			case string:
				vals[k] = []byte(x) // as bytes: the driver would check UTF-8 of text
			}
		}
		if _, err := st.Exec(vals...); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// Bytes were bound as blobs; SQLite's text of the same bytes is the cast.
	if _, err := db.Exec(`UPDATE ref SET s = CAST(s AS TEXT) WHERE s IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
}

// sameRows fails t unless table got holds ref's rows, value for value:
// the same storage class and the same value, text byte for byte.
func sameRows(t *testing.T, db *sql.DB, got string) {
	t.Helper()
	var conds []string
	for _, c := range []string{"i", "f", "b", "s", "t", "j"} {
		conds = append(conds, fmt.Sprintf("typeof(a.%[1]s) IS typeof(b.%[1]s) AND a.%[1]s IS b.%[1]s AND (typeof(a.%[1]s) <> 'text' OR hex(a.%[1]s) = hex(b.%[1]s))", c))
	}
	q := `SELECT a.rowid, quote(a.i), quote(a.f), a.b, quote(a.s), a.t, a.j, quote(b.i), quote(b.f), b.b, quote(b.s), b.t, b.j
		FROM ` + got + ` a FULL JOIN ref b ON a.rowid = b.rowid WHERE NOT (` + strings.Join(conds, " AND ") + `) OR a.rowid IS NULL OR b.rowid IS NULL LIMIT 3`
	rs, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	for rs.Next() {
		vals := make([]any, 13)
		ptrs := make([]any, 13)
		for k := range vals {
			ptrs[k] = &vals[k]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for k, v := range vals {
			if s, ok := v.(string); ok && len(s) > 60 {
				vals[k] = s[:60] + "…"
			}
		}
		t.Errorf("row %v differs:\n loaded    %v\n reference %v", vals[0], vals[1:7], vals[7:])
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
}

func integrityOK(t *testing.T, db *sql.DB) {
	t.Helper()
	var res string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check: %q, %v", res, err)
	}
}

// FuzzLoadMatchesSQLitesInserts loads hostile frames and checks every
// value against the same rows inserted by SQLite itself, and the file
// with integrity_check.
func FuzzLoadMatchesSQLitesInserts(f *testing.F) {
	f.Add(uint64(1), uint16(50))
	f.Add(uint64(2), uint16(1))
	f.Add(uint64(3), uint16(600))
	f.Fuzz(func(t *testing.T, seed uint64, n uint16) {
		fr := hostileFrame(seed, int(n%700)+1)
		path := filepath.Join(t.TempDir(), "w.db")
		mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, path, "loaded", connectors.Replace, "", fr))
		db := openDB(t, path)
		reference(t, db, fr)
		sameRows(t, db, "loaded")
		integrityOK(t, db)
	})
}

// B-trees several interior levels deep (three children to an interior
// page, two rows to a leaf), of every leaf count up to 40 and of 150: every
// row arrives once, in order, and the file checks out. (A count of leaves
// one over a multiple of three is where a page could be left with a
// right-most pointer alone, which SQLite reads as corrupt.)
func TestDeepTrees(t *testing.T) {
	fr := connectors.NewFrame(connectors.Field{Name: "id", Type: connectors.Int64}, connectors.Field{Name: "s", Type: connectors.String})
	for i := range 300 {
		if err := fr.AppendRow(int64(i), strings.Repeat(string(rune('a'+i%26)), 30_000+i)); err != nil {
			t.Fatal(err)
		}
	}
	deepest := 0
	for _, n := range append([]int{300}, func() (ns []int) {
		for k := 1; k <= 80; k += 2 {
			ns = append(ns, k)
		}
		return ns
	}()...) {
		d := sqlite.NewTestDestination(1<<30, 3)
		path := filepath.Join(t.TempDir(), "w.db")
		mustSucceed(t, run(t, t.Context(), d, path, "deep", connectors.Replace, "", fr.Slice(0, n/3), fr.Slice(n/3, n)))
		_, _, depth := d.SegmentStats()
		deepest = max(deepest, depth)
		integrityOK(t, openDB(t, path))
		got := rows(t, path, `SELECT count(*), sum(id), sum(length(s)), min(rowid = id + 1) FROM deep`)
		if want := fmt.Sprintf("%d|%d|%d|1", n, (n-1)*n/2, n*30_000+(n-1)*n/2); got[0] != want {
			t.Errorf("%d rows: read back %s, want %s", n, got[0], want)
		}
	}
	if deepest < 4 {
		t.Errorf("deepest segment tree %d interior levels, want 4 or more (test setting)", deepest)
	}
}

// A load of more segment tables than ten files hold: every file fills, the
// last table takes the rest, and every row arrives once, in order.
func TestEverySegmentFileFills(t *testing.T) {
	d := sqlite.NewTestDestination(1<<10, 0)
	path := filepath.Join(t.TempDir(), "w.db")
	mustSucceed(t, run(t, t.Context(), d, path, "people", connectors.Append, "", people(0, 100_000), people(100_000, 200_000)))
	files, tables, _ := d.SegmentStats()
	if files != 10 || tables != 10*256 {
		t.Fatalf("%d files, %d tables; want 10 files of 256 (test setting: 1 KiB tables)", files, tables)
	}
	integrityOK(t, openDB(t, path))
	got := rows(t, path, `SELECT count(*), sum(id), min(rowid = id + 1), max(name = 'name-' || id) FROM people`)
	if want := fmt.Sprintf("200000|%d|1|1", 199_999*200_000/2); got[0] != want {
		t.Errorf("read back %s, want %s", got[0], want)
	}
}

// The hostile rows, through many small segment tables with three children
// to an interior page, appended in two batches.
func TestHostileRowsManyTables(t *testing.T) {
	fr := hostileFrame(7, 300)
	path := filepath.Join(t.TempDir(), "w.db")
	mustSucceed(t, run(t, t.Context(), sqlite.NewTestDestination(16<<10, 3), path, "loaded", connectors.Append, "", fr.Slice(0, 150), fr.Slice(150, 300)))
	db := openDB(t, path)
	reference(t, db, fr)
	sameRows(t, db, "loaded")
	integrityOK(t, db)
}

// The segment writer steps over the page SQLite keeps for its lock byte
// (at 1 GiB), as SQLite's own files do.
func TestSegmentSkipsLockBytePage(t *testing.T) {
	pages := sqlite.SegmentPagesAround(1<<30/65536, 3)
	want := []uint32{16384, 16386, 16387}
	if fmt.Sprint(pages) != fmt.Sprint(want) {
		t.Errorf("pages around the lock byte: %v, want %v", pages, want)
	}
}

// Records around the sizes where SQLite keeps a cell whole, splits it onto
// overflow pages, and where the part it keeps changes: SQLite works out
// the split from the size alone, so a writer off by a byte would make
// records it reads wrong.
func TestOverflowBoundaries(t *testing.T) {
	f := connectors.NewFrame(connectors.Field{Name: "s", Type: connectors.String})
	var lens []int
	for _, around := range []int{65_501, 65_532 + 8_190, 2*65_532 + 8_190, 3*65_532 + 65_501 - 8_190} {
		for d := -12; d <= 12; d++ {
			lens = append(lens, around+d)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 40 {
		lens = append(lens, 60_000+r.IntN(400_000))
	}
	for i, n := range lens {
		if err := f.AppendRow(strings.Repeat(string(rune('a'+i%26)), n)); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "w.db")
	mustSucceed(t, run(t, t.Context(), &sqlite.Destination{}, path, "big", connectors.Replace, "", f))
	db := openDB(t, path)
	integrityOK(t, db)
	for i, n := range lens {
		var got int
		var ok bool
		if err := db.QueryRow(`SELECT length(s), s = printf('%.*c', ?, ?) FROM big WHERE rowid = ?`, n, string(rune('a'+i%26)), i+1).Scan(&got, &ok); err != nil {
			t.Fatalf("row %d: %v", i+1, err)
		}
		if got != n || !ok {
			t.Errorf("row %d: %d bytes read back (same text: %v), want %d", i+1, got, ok, n)
		}
	}
}

// The widest table SQLite takes (2,000 columns), whose CREATE TABLE lets
// only about 46 tables into a segment file's schema, in segment tables of a
// row each, so every file fills and the last table takes the rest; 2,001
// columns are refused in one line.
func TestWidestTable(t *testing.T) {
	fields := make([]connectors.Field, 2000)
	for i := range fields {
		fields[i] = connectors.Field{Name: fmt.Sprintf("column_with_a_long_name_%04d", i), Type: connectors.Int64}
	}
	f := connectors.NewFrame(fields...)
	row := make([]any, len(fields))
	const nrows = 1000
	for r := range nrows {
		for i := range row {
			row[i] = int64(r*len(fields) + i)
		}
		if err := f.AppendRow(row...); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "w.db")
	d := sqlite.NewTestDestination(4<<10, 0)
	mustSucceed(t, run(t, t.Context(), d, path, "wide", connectors.Replace, "", f))
	if files, tables, _ := d.SegmentStats(); files != 10 || tables < 10*40 {
		t.Errorf("%d files, %d tables; want 10 files of 40 or more (test setting: 4 KiB tables, a row each)", files, tables)
	}
	db := openDB(t, path)
	integrityOK(t, db)
	var n, sum int64
	if err := db.QueryRow(`SELECT count(*), sum(column_with_a_long_name_1999) FROM wide`).Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	if want := int64(nrows*(nrows-1)/2*2000 + nrows*1999); n != nrows || sum != want {
		t.Errorf("read back %d rows, last column sums to %d; want %d and %d", n, sum, nrows, want)
	}

	wider := connectors.NewFrame(append(fields, connectors.Field{Name: "one_too_many", Type: connectors.Int64})...)
	rt := run(t, t.Context(), &sqlite.Destination{}, path, "wider", connectors.Replace, "", wider)
	if e := rt.Exit(); e == nil || !strings.Contains(e.Message, `2001 columns is more than SQLite takes (2000)`) {
		t.Errorf("2,001 columns: %+v", e)
	}
}
