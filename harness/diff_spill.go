package harness

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"connector-dev/connectors"
)

// spillRows is how many rows of a run one partition holds by default: its
// map (about 40 bytes a row with Go's overhead) and, when every row
// changed, its column hashes stay near 60 MB (5M vs 5M all changed peaks
// at 170 MB; a million a partition at 270 MB).
const spillRows = 500_000

// spillRecord is one row on disk: key hash, row hash, place.
const spillRecord = 24

// partitions is how many spill partitions a keyed diff of these runs
// needs; 1 keeps everything in memory.
func (d *differ) partitions() int {
	per := d.spillRows
	if per <= 0 {
		per = spillRows
	}
	n := max(d.a.rep.Rows(), d.b.rep.Rows(), 0)
	return int((n + int64(per) - 1) / int64(per))
}

// spillWriter writes one run's rows into n partition files by key hash.
type spillWriter struct {
	files []*os.File
	bufs  []*bufio.Writer
}

func newSpillWriter(dir, side string, n int) (*spillWriter, error) {
	w := &spillWriter{}
	for p := 0; p < n; p++ {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s-%04d", side, p)))
		if err != nil {
			w.close()
			return nil, fmt.Errorf("diff: spill file: %w", err)
		}
		w.files = append(w.files, f)
		w.bufs = append(w.bufs, bufio.NewWriterSize(f, 32<<10))
	}
	return w, nil
}

func (w *spillWriter) put(kh, rh uint64, at loc) error {
	var rec [spillRecord]byte
	binary.LittleEndian.PutUint64(rec[0:], kh)
	binary.LittleEndian.PutUint64(rec[8:], rh)
	binary.LittleEndian.PutUint64(rec[16:], uint64(at))
	_, err := w.bufs[kh%uint64(len(w.bufs))].Write(rec[:])
	return err
}

func (w *spillWriter) flush() error {
	for _, b := range w.bufs {
		if err := b.Flush(); err != nil {
			return fmt.Errorf("diff: spill file: %w", err)
		}
	}
	return nil
}

func (w *spillWriter) close() {
	for _, f := range w.files {
		f.Close()
	}
}

// readSpill calls fn for each record of one partition file, in the order
// written (the run's order).
func readSpill(ctx context.Context, path string, fn func(kh, rh uint64, at loc) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("diff: spill file: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	var rec [spillRecord]byte
	for n := 0; ; n++ {
		if n%65536 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if _, err := io.ReadFull(r, rec[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("diff: spill file %s: %w", path, err)
		}
		if err := fn(binary.LittleEndian.Uint64(rec[0:]), binary.LittleEndian.Uint64(rec[8:]), loc(binary.LittleEndian.Uint64(rec[16:]))); err != nil {
			return err
		}
	}
}

// spill hashes one run into partition files.
func (d *differ) spill(s *diffSide, dir, name string, n int, key []string, count *int64) error {
	w, err := newSpillWriter(dir, name, n)
	if err != nil {
		return err
	}
	defer w.close()
	h := newHasher(d.seed)
	err = s.each(d.ctx, nil, func(i int, f *connectors.Frame) error {
		if err := d.ctx.Err(); err != nil {
			return err
		}
		ks, cs := cols(f, key), cols(f, d.common)
		for r := 0; r < f.Len(); r++ {
			rh := hashRow(h, cs, r)
			kh := rh // whole rows: partitioned by their hash
			if key != nil {
				kh = hashRow(h, ks, r)
			}
			if err := w.put(kh, rh, locOf(i, r)); err != nil {
				return fmt.Errorf("diff: spill file: %w", err)
			}
			*count++
		}
		return nil
	})
	if err != nil {
		return err
	}
	return w.flush()
}

// keyedSpilled is keyed for runs too big to hold: both runs are split by
// key hash into n partition files in a temporary folder (removed at the
// end, also on error), then each partition is matched in memory. Counts,
// samples and errors are those of the in-memory path: places are sorted
// back into the runs' order.
func (d *differ) keyedSpilled(key []string, n int) error {
	dir, err := d.spillBoth(n, key)
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	type entry struct {
		row uint64
		at  loc
	}
	const matched = loc(1) << 63
	const none = ^loc(0)
	dupA, dupB := none, none
	var changed []keyedPair
	var added, gone []loc
	for p := 0; p < n; p++ {
		if err := d.ctx.Err(); err != nil {
			return err
		}
		m := map[uint64]entry{}
		err := readSpill(d.ctx, filepath.Join(dir, fmt.Sprintf("a-%04d", p)), func(kh, rh uint64, at loc) error {
			if _, dup := m[kh]; dup {
				dupA = min(dupA, at)
				return nil
			}
			m[kh] = entry{row: rh, at: at}
			return nil
		})
		if err != nil {
			return err
		}
		if dupA != none {
			continue // A's duplicate is the error; B need not be read
		}
		bOnly := map[uint64]struct{}{}
		var addedP []loc
		var changedP []keyedPair
		err = readSpill(d.ctx, filepath.Join(dir, fmt.Sprintf("b-%04d", p)), func(kh, rh uint64, at loc) error {
			e, ok := m[kh]
			_, dup := bOnly[kh]
			if (ok && e.at&matched != 0) || dup {
				dupB = min(dupB, at)
				return nil
			}
			if !ok {
				bOnly[kh] = struct{}{}
				d.res.Rows.Added++
				addedP = append(addedP, at)
				return nil
			}
			m[kh] = entry{row: e.row, at: e.at | matched}
			if e.row != rh {
				changedP = append(changedP, keyedPair{e.at, at})
			}
			return nil
		})
		if err != nil {
			return err
		}
		added = firstLocs(append(added, firstLocs(addedP, d.limit)...), d.limit)
		var goneP []loc
		for _, e := range m {
			if e.at&matched == 0 {
				d.res.Rows.Removed++
				goneP = append(goneP, e.at)
			}
		}
		gone = firstLocs(append(gone, firstLocs(goneP, d.limit)...), d.limit)
		m, bOnly = nil, nil
		// This partition's changed columns are counted now, so that only
		// the first --limit changed rows (to show) outlive it.
		if dupB == none && len(changedP) > 0 {
			d.res.Rows.Changed += int64(len(changedP))
			if _, err := d.columnsOf(key, changedP, 0, true); err != nil {
				return err
			}
			byB := func(x, y keyedPair) int { return cmpLoc(x.b, y.b) }
			slices.SortFunc(changedP, byB)
			changed = append(changed, changedP[:min(len(changedP), d.limit)]...)
			slices.SortFunc(changed, byB)
			changed = changed[:min(len(changed), d.limit)]
		}
	}
	keyName := strings.Join(key, ",")
	for _, dup := range []struct {
		at loc
		s  *diffSide
	}{{dupA, d.a}, {dupB, d.b}} {
		if dup.at == none {
			continue
		}
		var text string
		err := dup.s.each(d.ctx, map[int]bool{dup.at.batch(): true}, func(_ int, f *connectors.Frame) error {
			text = keyText(pick(cols(f, key), key, dup.at.row()))
			return nil
		})
		if err != nil {
			return err
		}
		return diffErrorf("--key %s: %s is in more than one row of run %s: a key must name one row (add columns: --key %s,COLUMN)", keyName, text, dup.s.rep.RunID, keyName)
	}
	if err := d.addedSamples(added); err != nil {
		return err
	}
	if err := d.removedSamples(gone); err != nil {
		return err
	}
	d.res.Sample.Changed = []ChangedRow{}
	if len(changed) == 0 {
		return nil
	}
	samples, err := d.columnsOf(key, changed, len(changed), false)
	if err != nil {
		return err
	}
	d.res.Sample.Changed = samples
	return nil
}

// multisetSpilled is multiset for runs too big to hold, split as
// keyedSpilled is but by the rows' hash: equal rows share a partition, in
// the runs' order, so each matches as it would in memory.
func (d *differ) multisetSpilled(n int) error {
	dir, err := d.spillBoth(n, nil)
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	type entry struct {
		count int64
		first loc
	}
	var added, gone []loc
	for p := 0; p < n; p++ {
		if err := d.ctx.Err(); err != nil {
			return err
		}
		seen := map[uint64]entry{}
		err := readSpill(d.ctx, filepath.Join(dir, fmt.Sprintf("a-%04d", p)), func(_, rh uint64, at loc) error {
			e, ok := seen[rh]
			if !ok {
				e.first = at
			}
			e.count++
			seen[rh] = e
			return nil
		})
		if err != nil {
			return err
		}
		var addedP []loc
		err = readSpill(d.ctx, filepath.Join(dir, fmt.Sprintf("b-%04d", p)), func(_, rh uint64, at loc) error {
			if e := seen[rh]; e.count > 0 {
				e.count--
				seen[rh] = e
				return nil
			}
			d.res.Rows.Added++
			addedP = append(addedP, at)
			return nil
		})
		if err != nil {
			return err
		}
		added = firstLocs(append(added, firstLocs(addedP, d.limit)...), d.limit)
		var goneP []loc
		for _, e := range seen {
			if e.count > 0 {
				d.res.Rows.Removed += e.count
				goneP = append(goneP, e.first)
			}
		}
		gone = firstLocs(append(gone, firstLocs(goneP, d.limit)...), d.limit)
	}
	if err := d.addedSamples(added); err != nil {
		return err
	}
	d.res.Sample.Changed = []ChangedRow{}
	return d.removedSamples(gone)
}

// addedSamples reads again the rows of B at these places, in order.
func (d *differ) addedSamples(added []loc) error {
	d.res.Sample.Added = []DiffRow{}
	only := map[int]bool{}
	for _, l := range added {
		only[l.batch()] = true
	}
	return d.b.each(d.ctx, only, func(i int, f *connectors.Frame) error {
		for _, l := range added {
			if l.batch() == i {
				d.res.Sample.Added = append(d.res.Sample.Added, rowOf(f, l.row()))
			}
		}
		return nil
	})
}

func cmpLoc(x, y loc) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// spillBoth splits both runs into n partitions in a new temporary folder,
// by key hash (by row hash when key is nil), and returns the folder for the
// caller to remove.
func (d *differ) spillBoth(n int, key []string) (string, error) {
	dir, err := os.MkdirTemp("", "connector-dev-diff-")
	if err != nil {
		return "", fmt.Errorf("diff: temporary folder for spill files: %w", err)
	}
	if err := d.spill(d.a, dir, "a", n, key, &d.res.Rows.A); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	if err := d.spill(d.b, dir, "b", n, key, &d.res.Rows.B); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// firstLocs sorts l and keeps its first limit locations: the rows a spilled
// diff shows, in batch order, whichever partition they came from.
func firstLocs(l []loc, limit int) []loc {
	slices.Sort(l)
	return l[:min(len(l), limit)]
}
