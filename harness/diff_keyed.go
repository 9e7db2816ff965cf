package harness

import (
	"strings"

	"connector-dev/connectors"
)

// keyed matches rows by key: A goes into a map of key hash to row hash and
// place, B is streamed against it, then the changed rows are read again,
// column by column, to say which columns changed.
func (d *differ) keyed(key []string) error {
	if n := d.partitions(); n > 1 {
		return d.keyedSpilled(key, n)
	}
	// 16 bytes a row: whether B matched it is the top bit of its place
	// (no run has 2^31 batches). Sized up front from the report, so the
	// map does not grow (and hold its old and new tables at once).
	type entry struct {
		row uint64
		at  loc
	}
	const matched = loc(1) << 63
	h := newHasher(d.seed)
	m := make(map[uint64]entry, max(d.a.rep.Rows(), 0))
	keyName := strings.Join(key, ",")
	err := d.a.each(d.ctx, nil, func(i int, f *connectors.Frame) error {
		ks, cs := cols(f, key), cols(f, d.common)
		for r := 0; r < f.Len(); r++ {
			kh := hashRow(h, ks, r)
			if _, dup := m[kh]; dup {
				return diffErrorf("--key %s: %s is in more than one row of run %s: a key must name one row (add columns: --key %s,COLUMN)", keyName, keyText(pick(ks, key, r)), d.a.rep.RunID, keyName)
			}
			m[kh] = entry{row: hashRow(h, cs, r), at: locOf(i, r)}
			d.res.Rows.A++
		}
		return nil
	})
	if err != nil {
		return err
	}
	var changed []keyedPair
	bOnly := map[uint64]struct{}{}
	d.res.Sample.Added = []DiffRow{}
	err = d.b.each(d.ctx, nil, func(i int, f *connectors.Frame) error {
		ks, cs := cols(f, key), cols(f, d.common)
		for r := 0; r < f.Len(); r++ {
			d.res.Rows.B++
			kh := hashRow(h, ks, r)
			e, ok := m[kh]
			_, dupB := bOnly[kh]
			if (ok && e.at&matched != 0) || dupB {
				return diffErrorf("--key %s: %s is in more than one row of run %s: a key must name one row (add columns: --key %s,COLUMN)", keyName, keyText(pick(ks, key, r)), d.b.rep.RunID, keyName)
			}
			if !ok {
				bOnly[kh] = struct{}{}
				d.res.Rows.Added++
				if len(d.res.Sample.Added) < d.limit {
					d.res.Sample.Added = append(d.res.Sample.Added, rowOf(f, r))
				}
				continue
			}
			at := e.at
			e.at |= matched
			m[kh] = e
			if e.row != hashRow(h, cs, r) {
				changed = append(changed, keyedPair{at, locOf(i, r)})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	bOnly = nil
	var gone []loc
	for _, e := range m {
		if e.at&matched == 0 {
			gone = append(gone, e.at)
		}
	}
	m = nil
	d.res.Rows.Removed = int64(len(gone))
	if err := d.removedSamples(gone); err != nil {
		return err
	}
	return d.changedColumns(key, changed)
}

// keyedPair is a changed row's place in A and in B.
type keyedPair struct{ a, b loc }

// changedColumns counts, for the changed rows (in B's order), which
// columns changed, and keeps the first --limit of them to show.
func (d *differ) changedColumns(key []string, changed []keyedPair) error {
	d.res.Rows.Changed = int64(len(changed))
	d.res.Sample.Changed = []ChangedRow{}
	if len(changed) == 0 {
		return nil
	}
	samples, err := d.columnsOf(key, changed, min(len(changed), d.limit), true)
	if err != nil {
		return err
	}
	d.res.Sample.Changed = samples
	return nil
}

// columnsOf reads the changed rows again and, when count, adds to the
// changed columns' counts; the first shown of them (in the pairs' order)
// come back as samples.
func (d *differ) columnsOf(key []string, changed []keyedPair, shown int, count bool) ([]ChangedRow, error) {
	h := newHasher(d.seed)

	// Changed rows again: a hash per shared column of A's row, then B's
	// compared to it; the first --limit of them (in B's order) also keep
	// their values, to show.
	n := len(d.common)
	colHash := make([]uint64, len(changed)*n)
	atA := make(map[loc]int, len(changed))
	onlyA, onlyB := map[int]bool{}, map[int]bool{}
	for k, p := range changed {
		atA[p.a] = k
		onlyA[p.a.batch()] = true
		onlyB[p.b.batch()] = true
	}
	oldVals := make([]DiffRow, shown)
	keys := make([]DiffRow, shown)
	err := d.a.each(d.ctx, onlyA, func(i int, f *connectors.Frame) error {
		cs := cols(f, d.common)
		for r := 0; r < f.Len(); r++ {
			k, ok := atA[locOf(i, r)]
			if !ok {
				continue
			}
			for j, c := range cs {
				h.Reset()
				writeValue(h, c, r)
				colHash[k*n+j] = h.Sum64()
			}
			if k < shown {
				oldVals[k] = pick(cs, d.common, r)
				keys[k] = pick(cols(f, key), key, r)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	atA = nil
	atB := make(map[loc]int, len(changed))
	for k, p := range changed {
		atB[p.b] = k
	}
	samples := make([]ChangedRow, shown)
	err = d.b.each(d.ctx, onlyB, func(i int, f *connectors.Frame) error {
		cs := cols(f, d.common)
		for r := 0; r < f.Len(); r++ {
			k, ok := atB[locOf(i, r)]
			if !ok {
				continue
			}
			for j, c := range cs {
				h.Reset()
				writeValue(h, c, r)
				if colHash[k*n+j] == h.Sum64() {
					continue
				}
				if count {
					d.res.Cols[d.common[j]]++
				}
				if k < shown {
					samples[k].Fields = append(samples[k].Fields, FieldChange{Column: d.common[j], A: oldVals[k][j].Value, B: c.Value(r)})
				}
			}
			if k < shown {
				samples[k].Key = keys[k]
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return samples, nil
}
