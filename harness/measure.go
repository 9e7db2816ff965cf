package harness

import (
	"context"
	"fmt"
	"strings"

	"connector-dev/connectors"
	"connector-dev/harness/config"
)

// Measured is what a run's destination received, as the expectations
// rows_checksum and schema state it (and test --update writes it).
type Measured struct {
	// RowsChecksum is RowsChecksum's value in 16 hex digits.
	RowsChecksum string `json:"rows_checksum"`
	// Schema is the destination's columns and types, in order.
	Schema []config.SchemaColumn `json:"schema"`
	// SampleMisses are the expected samples no loaded row matched.
	SampleMisses []string `json:"sample_misses,omitempty"`
	// SamplesMissed are those samples' places in the file's list, from 1.
	SamplesMissed []int `json:"samples_missed,omitempty"`
	// Samples are a few loaded rows (SampleRows), each value as text in
	// Schema's column order (null for a null): what test --update writes
	// as samples.
	Samples [][]*string `json:"samples"`
}

// RowsChecksum is an order-independent checksum of rows: the sum, modulo
// 2^64, of a stable 64-bit hash (FNV-1a) of each row's values, tagged by
// type so that "1" and 1 differ. A sum, not a xor, so that a row loaded
// twice changes it. Stable across processes and machines (unlike the
// seeded hash of diff), so a fixture can keep it.
type RowsChecksum uint64

// Add adds every row of f.
func (s *RowsChecksum) Add(f *connectors.Frame) { s.addAndPick(f, nil) }

// String is the checksum as an expectations file holds it.
func (s RowsChecksum) String() string { return fmt.Sprintf("%016x", uint64(s)) }

// wantsMeasure says whether the run must read its batches back: the
// expectations state a checksum or schema, or --measure (test --update) asks.
func (x *execution) wantsMeasure() bool {
	e := x.r.expect
	return x.r.opts.Measure || (e != nil && (e.RowsChecksum != "" || e.Schema != nil || e.Samples != nil))
}

// measure reads the run's batches back through the manifest (size and
// checksum checked) with the job's mapping applied: the rows as the
// destination received them.
func (x *execution) measure(ctx context.Context, report *Report) (*Measured, error) {
	if x.store == nil {
		return nil, fmt.Errorf("the run stored no batches")
	}
	var src, dst []string
	if m, err := connectors.ParseMapping(string(x.r.job.JobDataJSON)); err == nil && len(m.Columns) > 0 {
		src, dst = m.SourceColumns(), m.DestinationColumns()
	}
	// The run's one scrubber (its secrets are this run's) serves the reader
	// and the samples: building a scrubber compiles every form of every
	// secret, once per run is enough.
	scrub := x.em.scrub
	rd := newStoreReader(x.store, scrub, x.prefix, report.Batches, true)
	var sum RowsChecksum
	var fields []connectors.Field
	samples := &sampleMatcher{}
	picker := &samplePicker{scrub: scrub}
	if x.r.expect != nil {
		samples.want, samples.found = x.r.expect.Samples, make([]bool, len(x.r.expect.Samples))
	}
	for i, b := range report.Batches {
		f, _, err := rd.ReadBatch(ctx, b.Key)
		if err != nil {
			return nil, err
		}
		if src != nil {
			if f, err = f.Select(src, dst); err != nil {
				return nil, fmt.Errorf("the job's JobDataJSON maps a column batch %s lacks: %v", b.Key, err)
			}
		}
		if i == 0 {
			fields = f.Fields()
		}
		sum.addAndPick(f, picker)
		samples.add(f)
	}
	if len(report.Batches) == 0 {
		fs, err := rd.runSchema(ctx)
		if err != nil {
			return nil, err
		}
		fields = mapFields(fs, src, dst)
	}
	m := &Measured{RowsChecksum: sum.String(), Schema: []config.SchemaColumn{}, SampleMisses: samples.misses(),
		SamplesMissed: samples.missed(), Samples: picker.rows()}
	for _, f := range fields {
		m.Schema = append(m.Schema, config.SchemaColumn{Name: f.Name, Type: f.Type.String()})
	}
	return m, nil
}

// checkMeasured lists every way m misses exp's rows_checksum and schema;
// err is why the batches could not be measured.
func checkMeasured(exp *config.Expectations, m *Measured, err error) []string {
	if exp.RowsChecksum == "" && exp.Schema == nil && exp.Samples == nil {
		return nil
	}
	if err != nil {
		return []string{fmt.Sprintf("rows_checksum, schema, samples: the loaded rows could not be read back: %s", firstLine(err.Error()))}
	}
	var misses []string
	if exp.RowsChecksum != "" && !strings.EqualFold(exp.RowsChecksum, m.RowsChecksum) {
		misses = append(misses, fmt.Sprintf("rows_checksum: want %s, got %s", strings.ToLower(exp.RowsChecksum), m.RowsChecksum))
	}
	if exp.Schema != nil {
		misses = append(misses, schemaMisses(exp.Schema, m.Schema)...)
	}
	return append(misses, m.SampleMisses...)
}

// schemaMisses names each drift of got from want: a column missing,
// retyped or not expected, or else the same columns in another order.
func schemaMisses(want, got []config.SchemaColumn) []string {
	types := map[string]string{}
	for _, c := range got {
		types[c.Name] = c.Type
	}
	expected := map[string]bool{}
	var misses []string
	for _, c := range want {
		expected[c.Name] = true
		t, ok := types[c.Name]
		switch {
		case !ok:
			misses = append(misses, fmt.Sprintf("schema: column %s is missing, expected %s", c.Name, c.Type))
		case t != c.Type:
			misses = append(misses, fmt.Sprintf("schema: column %s is %s, expected %s", c.Name, t, c.Type))
		}
	}
	for _, c := range got {
		if !expected[c.Name] {
			misses = append(misses, fmt.Sprintf("schema: column %s (%s) is not expected", c.Name, c.Type))
		}
	}
	if len(misses) == 0 {
		names := func(cs []config.SchemaColumn) string {
			var n []string
			for _, c := range cs {
				n = append(n, c.Name)
			}
			return strings.Join(n, ", ")
		}
		if a, b := names(got), names(want); a != b {
			misses = append(misses, fmt.Sprintf("schema: columns are %s; expected %s", a, b))
		}
	}
	return misses
}
