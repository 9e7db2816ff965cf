package harness

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"slices"
	"strings"

	"connector-dev/connectors"
)

// DiffResult is what `diff` found, as --json prints it.
type DiffResult struct {
	A      string             `json:"a"` // run ids
	B      string             `json:"b"`
	Runs   map[string]DiffRun `json:"runs"` // "a", "b"
	Schema SchemaDiff         `json:"schema"`
	Key    []string           `json:"key"` // null: whole rows as a multiset
	Rows   RowCounts          `json:"rows"`
	Cols   map[string]int64   `json:"columns_changed"` // column -> changed rows in which it changed
	Sample DiffSamples        `json:"samples"`
	Same   bool               `json:"same"`
	common []string           // the shared columns, in A's order
}

// DiffRun is one run's facts beside the comparison.
type DiffRun struct {
	RunID    string        `json:"run_id"`
	Job      string        `json:"job"`
	Started  string        `json:"started"`
	Exit     string        `json:"exit"`
	ExitCode int           `json:"exit_code"`
	Stages   []StageReport `json:"stages"`
	Batches  int           `json:"batches"`
	Bytes    int64         `json:"bytes"`
}

// SchemaDiff is how the columns differ: added in B, removed from A, retyped
// (or nullable changed), and the shared columns in B's order when it is not
// A's.
type SchemaDiff struct {
	Added     []SchemaField  `json:"added"`
	Removed   []SchemaField  `json:"removed"`
	Changed   []ColumnChange `json:"changed"`
	Reordered []string       `json:"reordered"`
}

// ColumnChange is one column both runs have, with different types.
type ColumnChange struct {
	Name string      `json:"name"`
	A    SchemaField `json:"a"`
	B    SchemaField `json:"b"`
}

// RowCounts counts rows only in B (added), only in A (removed) and with
// the same key but other values (changed).
type RowCounts struct {
	A       int64 `json:"a"`
	B       int64 `json:"b"`
	Added   int64 `json:"added"`
	Removed int64 `json:"removed"`
	Changed int64 `json:"changed"`
}

// DiffSamples are the first rows of each kind (--limit).
type DiffSamples struct {
	Added   []DiffRow    `json:"added"`
	Removed []DiffRow    `json:"removed"`
	Changed []ChangedRow `json:"changed"`
}

// DiffRow is one row, its values in column order; as JSON, an object.
type DiffRow []DiffCell

// DiffCell is one value of a row.
type DiffCell struct {
	Column string
	Value  any
}

// MarshalJSON writes the row as an object whose keys keep column order.
func (r DiffRow) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, c := range r {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONValue(b, c.Column)
		b = append(b, ':')
		b = appendJSONValue(b, c.Value)
	}
	return append(b, '}'), nil
}

// ChangedRow is a row whose key both runs have: the key and each column
// that changed, old (a) beside new (b).
type ChangedRow struct {
	Key    DiffRow       `json:"key"`
	Fields []FieldChange `json:"fields"`
}

// FieldChange is one changed value.
type FieldChange struct {
	Column string `json:"column"`
	A      any    `json:"a"`
	B      any    `json:"b"`
}

// Diff compares runs a and b, each as its destination received it. Memory
// grows with A's row count (a key hash, a row hash and a place per row)
// and the changed rows' count, not with the data's width: B is streamed,
// and the rows shown are read again. A keyed diff of runs bigger than
// DiffOptions.SpillRows is split by key hash into partitions on disk, so
// its memory is that of one partition whatever the row count.
func Diff(ctx context.Context, stateDir string, past *PastRuns, a, b *Report, opts DiffOptions) (*DiffResult, error) {
	sa, err := openSide(ctx, stateDir, past, a)
	if err != nil {
		return nil, err
	}
	sb, err := openSide(ctx, stateDir, past, b)
	if err != nil {
		return nil, err
	}
	res := &DiffResult{A: a.RunID, B: b.RunID, Runs: map[string]DiffRun{"a": runOf(a), "b": runOf(b)}, Cols: map[string]int64{}}
	res.Schema = schemaDiff(sa.fields, sb.fields)
	key, err := pickKey(opts.Key, sa, sb)
	if err != nil {
		return nil, err
	}
	res.Key = key
	d := &differ{ctx: ctx, a: sa, b: sb, res: res, limit: opts.Limit, seed: maphash.MakeSeed(), spillRows: opts.SpillRows}
	for _, f := range sa.fields {
		if hasField(sb.fields, f.Name) {
			d.common = append(d.common, f.Name)
		}
	}
	res.common = d.common
	if key != nil {
		err = d.keyed(key)
	} else {
		err = d.multiset()
	}
	if err != nil {
		return nil, err
	}
	s := res.Schema
	res.Same = len(s.Added)+len(s.Removed)+len(s.Changed)+len(s.Reordered) == 0 && res.Rows.Added+res.Rows.Removed+res.Rows.Changed == 0
	return res, nil
}

func runOf(r *Report) DiffRun {
	out := DiffRun{RunID: r.RunID, Job: r.Job, Started: r.Started, Exit: string(r.Exit.Reason), ExitCode: r.ExitCode, Stages: r.Stages, Batches: len(r.Batches)}
	for _, b := range r.Batches {
		out.Bytes += b.Bytes
	}
	return out
}

func hasField(fields []connectors.Field, name string) bool {
	for _, f := range fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

func fieldNames(fields []connectors.Field) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

func schemaDiff(a, b []connectors.Field) SchemaDiff {
	d := SchemaDiff{Added: []SchemaField{}, Removed: []SchemaField{}, Changed: []ColumnChange{}, Reordered: []string{}}
	byName := func(fs []connectors.Field, n string) (connectors.Field, bool) {
		for _, f := range fs {
			if f.Name == n {
				return f, true
			}
		}
		return connectors.Field{}, false
	}
	var orderA, orderB []string
	for _, f := range a {
		g, ok := byName(b, f.Name)
		if !ok {
			d.Removed = append(d.Removed, schemaOf([]connectors.Field{f})[0])
			continue
		}
		orderA = append(orderA, f.Name)
		if f.Type != g.Type || f.Nullable != g.Nullable {
			sf := schemaOf([]connectors.Field{f, g})
			d.Changed = append(d.Changed, ColumnChange{Name: f.Name, A: sf[0], B: sf[1]})
		}
	}
	for _, g := range b {
		if _, ok := byName(a, g.Name); !ok {
			d.Added = append(d.Added, schemaOf([]connectors.Field{g})[0])
		} else {
			orderB = append(orderB, g.Name)
		}
	}
	if !slices.Equal(orderA, orderB) {
		d.Reordered = orderB
	}
	return d
}

// pickKey is the key the rows are matched by: --key, else Id or id when
// both runs have it, else nil (whole rows).
func pickKey(key []string, a, b *diffSide) ([]string, error) {
	if key == nil {
		for _, n := range []string{"Id", "id"} {
			if hasField(a.fields, n) && hasField(b.fields, n) {
				return []string{n}, nil
			}
		}
		return nil, nil
	}
	for _, n := range key {
		for _, s := range []*diffSide{a, b} {
			if !hasField(s.fields, n) {
				return nil, diffErrorf("--key %s: run %s has no column %q (it has %s)", strings.Join(key, ","), s.rep.RunID, n, fieldNames(s.fields))
			}
		}
	}
	return key, nil
}

// differ holds one comparison's state.
type differ struct {
	ctx    context.Context
	a, b   *diffSide
	res    *DiffResult
	limit  int
	seed   maphash.Seed
	common []string
	// spillRows is how many rows a spill partition holds (0: spillRows).
	spillRows int
}

// cols finds names in f (nil where f lacks one).
func cols(f *connectors.Frame, names []string) []*connectors.Column {
	out := make([]*connectors.Column, len(names))
	for i, n := range names {
		out[i] = f.Col(n)
	}
	return out
}

var nullTag = []byte{0}

// writeValue feeds row r of c to h, tagged by type so that "1" and 1 differ.
// diff (a seeded maphash) and the rows checksum (FNV-1a, stable) share it,
// so both see a row the same way.
func writeValue(h io.Writer, c *connectors.Column, r int) {
	if c == nil || c.IsNull(r) {
		h.Write(nullTag)
		return
	}
	var buf [9]byte
	buf[0] = byte(c.Type)
	switch c.Type {
	case connectors.String:
		binary.LittleEndian.PutUint64(buf[1:], uint64(len(c.Strings[r])))
		h.Write(buf[:])
		io.WriteString(h, c.Strings[r]) // maphash takes it without a copy
		return
	case connectors.Int64:
		binary.LittleEndian.PutUint64(buf[1:], uint64(c.Ints[r]))
	case connectors.Float64:
		binary.LittleEndian.PutUint64(buf[1:], math.Float64bits(c.Floats[r]))
	case connectors.Bool:
		if c.Bools[r] {
			buf[1] = 1
		}
	case connectors.Timestamp:
		binary.LittleEndian.PutUint64(buf[1:], uint64(c.Micros[r]))
	}
	h.Write(buf[:])
}

func hashRow(h *maphash.Hash, cs []*connectors.Column, r int) uint64 {
	h.Reset()
	for _, c := range cs {
		writeValue(h, c, r)
	}
	return h.Sum64()
}

func rowOf(f *connectors.Frame, r int) DiffRow {
	out := make(DiffRow, 0, f.NumColumns())
	for _, c := range f.Columns() {
		out = append(out, DiffCell{c.Name, c.Value(r)})
	}
	return out
}

func pick(cs []*connectors.Column, names []string, r int) DiffRow {
	out := make(DiffRow, len(cs))
	for i, c := range cs {
		out[i] = DiffCell{names[i], c.Value(r)}
	}
	return out
}

// keyText is a key's values for an error line.
func keyText(row DiffRow) string {
	parts := make([]string, len(row))
	for i, c := range row {
		parts[i] = fmt.Sprintf("%s=%v", c.Column, string(appendJSONValue(nil, c.Value)))
	}
	return strings.Join(parts, " ")
}

// removedSamples reads again the first rows of A the diff found only there.
func (d *differ) removedSamples(locs []loc) error {
	slices.Sort(locs)
	locs = locs[:min(len(locs), d.limit)]
	only := map[int]bool{}
	for _, l := range locs {
		only[l.batch()] = true
	}
	d.res.Sample.Removed = []DiffRow{}
	return d.a.each(d.ctx, only, func(i int, f *connectors.Frame) error {
		for _, l := range locs {
			if l.batch() == i {
				d.res.Sample.Removed = append(d.res.Sample.Removed, rowOf(f, l.row()))
			}
		}
		return nil
	})
}

// multiset matches whole rows (their shared columns): a row of B matches
// one equal row of A not yet matched.
func (d *differ) multiset() error {
	if n := d.partitions(); n > 1 {
		return d.multisetSpilled(n)
	}
	type entry struct {
		count int64
		first loc
	}
	h := newHasher(d.seed)
	seen := make(map[uint64]entry, max(d.a.rep.Rows(), 0))
	err := d.a.each(d.ctx, nil, func(i int, f *connectors.Frame) error {
		cs := cols(f, d.common)
		for r := 0; r < f.Len(); r++ {
			rh := hashRow(h, cs, r)
			e, ok := seen[rh]
			if !ok {
				e.first = locOf(i, r)
			}
			e.count++
			seen[rh] = e
			d.res.Rows.A++
		}
		return nil
	})
	if err != nil {
		return err
	}
	d.res.Sample.Added = []DiffRow{}
	err = d.b.each(d.ctx, nil, func(i int, f *connectors.Frame) error {
		cs := cols(f, d.common)
		for r := 0; r < f.Len(); r++ {
			d.res.Rows.B++
			rh := hashRow(h, cs, r)
			if e := seen[rh]; e.count > 0 {
				e.count--
				seen[rh] = e
				continue
			}
			d.res.Rows.Added++
			if len(d.res.Sample.Added) < d.limit {
				d.res.Sample.Added = append(d.res.Sample.Added, rowOf(f, r))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	var gone []loc
	for _, e := range seen {
		if e.count > 0 {
			d.res.Rows.Removed += e.count
			gone = append(gone, e.first)
		}
	}
	d.res.Sample.Changed = []ChangedRow{}
	return d.removedSamples(gone)
}
