package harness

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"connector-dev/connectors"
	"connector-dev/harness/config"
)

// sampleMatcher finds the expected sample rows among the loaded ones.
type sampleMatcher struct {
	want  []config.SampleRow
	found []bool
}

// add marks every sample that a row of f matches.
func (m *sampleMatcher) add(f *connectors.Frame) {
	for i, s := range m.want {
		if m.found[i] {
			continue
		}
		cols := make([]*connectors.Column, len(s))
		for j, c := range s {
			cols[j] = f.Col(c.Name)
		}
		for r := 0; r < f.Len() && !m.found[i]; r++ {
			all := true
			for j, c := range s {
				if !cellMatches(cols[j], r, c) {
					all = false
					break
				}
			}
			m.found[i] = all
		}
	}
}

// cellMatches compares a loaded value with a sample's text: numbers by
// value (12.50 is 12.5), timestamps as instants, the rest as text.
func cellMatches(col *connectors.Column, r int, c config.SampleCell) bool {
	if col == nil {
		return false
	}
	if col.IsNull(r) || c.Null {
		return col.IsNull(r) && c.Null
	}
	switch col.Type {
	case connectors.Int64:
		n, err := strconv.ParseInt(c.Value, 10, 64)
		return err == nil && n == col.Ints[r]
	case connectors.Float64:
		f, err := strconv.ParseFloat(c.Value, 64)
		return err == nil && f == col.Floats[r]
	case connectors.Bool:
		b, err := strconv.ParseBool(c.Value)
		return err == nil && b == col.Bools[r]
	case connectors.Timestamp:
		t, err := time.Parse(time.RFC3339Nano, c.Value)
		return err == nil && t.Equal(col.Time(r))
	}
	return col.Strings[r] == c.Value
}

// misses names each sample no loaded row matched.
func (m *sampleMatcher) misses() []string {
	var out []string
	for i, s := range m.want {
		if m.found[i] {
			continue
		}
		var cells []string
		for _, c := range s {
			v := c.Value
			if c.Null {
				v = "~"
			}
			cells = append(cells, c.Name+": "+v)
		}
		out = append(out, fmt.Sprintf("samples: row %d {%s} is not among the loaded rows", i+1, strings.Join(cells, ", ")))
	}
	return out
}

// missed is the place (from 1) of each sample no loaded row matched.
func (m *sampleMatcher) missed() []int {
	var out []int
	for i := range m.want {
		if !m.found[i] {
			out = append(out, i+1)
		}
	}
	return out
}
