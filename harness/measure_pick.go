package harness

import (
	"hash/fnv"
	"math"
	"sort"
	"strconv"
	"time"

	"connector-dev/connectors"
	"connector-dev/harness/httprec"
)

// SampleRows is how many sample rows a measurement keeps (test --update
// writes them as the expectations' samples).
const SampleRows = 3

// addAndPick adds every row of f to s and offers each row, with its hash,
// to p (nil: none).
func (s *RowsChecksum) addAndPick(f *connectors.Frame, p *samplePicker) {
	h := fnv.New64a()
	cols := f.Columns()
	for r := 0; r < f.Len(); r++ {
		h.Reset()
		for _, c := range cols {
			writeValue(h, c, r)
		}
		v := h.Sum64()
		*s += RowsChecksum(v)
		if p != nil {
			p.offer(v, cols, r)
		}
	}
}

// samplePicker keeps the rows with the smallest hashes: a choice that does
// not depend on the order the rows arrive in, so a source that pages in
// another order, or in parallel, picks the same samples, and a second
// --update rewrites nothing.
type samplePicker struct {
	scrub *httprec.Scrubber
	picks []samplePick // sorted by hash, at most SampleRows
}

type samplePick struct {
	hash  uint64
	cells []*string
}

// offer considers row r of cols. A row holding a secret (in a form the
// scrubber knows) is never picked: samples go into report.json and a
// committed file. Nor is one with a NaN, which no sample can match.
func (p *samplePicker) offer(hash uint64, cols []*connectors.Column, r int) {
	if len(p.picks) == SampleRows && hash >= p.picks[len(p.picks)-1].hash {
		return
	}
	i := sort.Search(len(p.picks), func(i int) bool { return p.picks[i].hash >= hash })
	if i < len(p.picks) && p.picks[i].hash == hash {
		return // the same row again (loaded twice): one sample of it is enough
	}
	cells := make([]*string, len(cols))
	for j, c := range cols {
		if c.IsNull(r) {
			continue
		}
		v, ok := sampleText(c, r)
		if !ok || (p.scrub != nil && p.scrub.Replace(v) != v) {
			return
		}
		cells[j] = &v
	}
	p.picks = append(p.picks, samplePick{})
	copy(p.picks[i+1:], p.picks[i:])
	p.picks[i] = samplePick{hash: hash, cells: cells}
	if len(p.picks) > SampleRows {
		p.picks = p.picks[:SampleRows]
	}
}

// rows are the picked rows' cells, in column order (nil for a null).
func (p *samplePicker) rows() [][]*string {
	out := [][]*string{}
	for _, k := range p.picks {
		out = append(out, k.cells)
	}
	return out
}

// sampleText is a value as a sample states it, in the form cellMatches
// reads back: numbers in the shortest form that reads back exactly, timestamps in RFC 3339 (UTC).
func sampleText(c *connectors.Column, r int) (string, bool) {
	switch c.Type {
	case connectors.Int64:
		return strconv.FormatInt(c.Ints[r], 10), true
	case connectors.Float64:
		f := c.Floats[r]
		if math.IsNaN(f) {
			return "", false
		}
		if a := math.Abs(f); a == 0 || (a >= 1e-6 && a < 1e21) {
			return strconv.FormatFloat(f, 'f', -1, 64), true // 7878596.16, not 7.87859616e+06
		}
		return strconv.FormatFloat(f, 'g', -1, 64), true
	case connectors.Bool:
		return strconv.FormatBool(c.Bools[r]), true
	case connectors.Timestamp:
		t, _ := c.Value(r).(time.Time) // Value: the same call whether the column keeps times or microseconds
		return t.UTC().Format(time.RFC3339Nano), true
	}
	return c.Strings[r], true
}
