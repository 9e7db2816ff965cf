package harness

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"path/filepath"
	"strings"

	"connector-dev/connectors"
	"connector-dev/harness/config"
)

// DiffError is a comparison that cannot be made (an unknown or incomplete
// run, batches that are gone, a key column that is missing or repeats):
// `diff` exits 3 with its one line.
type DiffError struct{ Msg string }

func (e *DiffError) Error() string { return e.Msg }

func diffErrorf(format string, a ...any) error { return &DiffError{Msg: fmt.Sprintf(format, a...)} }

// DiffOptions are diff's choices: the key (nil: Id or id when both runs
// have it, else whole rows as a multiset) and how many rows of each kind
// to show.
type DiffOptions struct {
	Key   []string
	Limit int
	// SpillRows is how many rows of a run a keyed diff holds in memory at
	// once; bigger runs are split by key into that many rows a partition,
	// on disk in a temporary folder. 0: half a million.
	SpillRows int
}

// ParseKey reads --key: column names separated by commas, each trimmed,
// none empty and none twice.
func ParseKey(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("--key %q: name a column, or columns separated by commas (--key id or --key region,id)", s)
	}
	var out []string
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		name := strings.TrimSpace(part)
		if name == "" {
			return nil, fmt.Errorf("--key %q: an empty column name; write the names separated by single commas (--key region,id)", s)
		}
		if seen[name] {
			return nil, fmt.Errorf("--key %q: column %q is named twice", s, name)
		}
		seen[name] = true
		out = append(out, name)
	}
	return out, nil
}

// DiffRuns picks the two runs to compare from what the user named: none,
// the two latest finished runs of one job (older first); one, that run and
// the previous finished run of its job; two, those. Every failure is a
// *DiffError.
func DiffRuns(stateDir string, ids []string) (a, b *Report, err error) {
	if len(ids) > 2 {
		return nil, nil, diffErrorf("give at most two runs (RUN-A RUN-B), not %d", len(ids))
	}
	load := func(id string) (*Report, error) {
		rep, err := LoadReport(stateDir, id)
		if err != nil {
			return nil, &DiffError{Msg: err.Error()}
		}
		return rep, checkComparable(rep)
	}
	if len(ids) == 2 {
		if a, err = load(ids[0]); err != nil {
			return nil, nil, err
		}
		if b, err = load(ids[1]); err != nil {
			return nil, nil, err
		}
		return a, b, nil
	}
	runs, err := ListRuns(stateDir)
	if err != nil {
		return nil, nil, &DiffError{Msg: err.Error()}
	}
	if len(ids) == 1 {
		if b, err = load(ids[0]); err != nil {
			return nil, nil, err
		}
		if a = previousRun(runs, b); a == nil {
			return nil, nil, diffErrorf("run %s: no earlier finished run of job %s to compare it with", b.RunID, b.Job)
		}
		return a, b, checkComparable(a)
	}
	// The newest finished run that has an earlier one of its job: the
	// latest pair, even when the newest run is of a job run only once.
	var latest *Report
	for i := range runs {
		if runs[i].Incomplete() {
			continue
		}
		b = &runs[i]
		if latest == nil {
			latest = b
		}
		if a = previousRun(runs, b); a == nil {
			continue
		}
		if err := checkComparable(b); err != nil {
			return nil, nil, err
		}
		return a, b, checkComparable(a)
	}
	if latest != nil {
		return nil, nil, diffErrorf("run %s: no earlier finished run of job %s to compare it with, nor two runs of another job (name two runs: diff RUN-A RUN-B)", latest.RunID, latest.Job)
	}
	return nil, nil, diffErrorf("no finished runs in %s to compare: `connector-dev run NAME` twice makes two", filepath.Join(stateDir, "runs"))
}

// PreviousRun is the finished run of rep's job that started before rep,
// the latest of them; nil when there is none.
func PreviousRun(stateDir string, rep *Report) (*Report, error) {
	runs, err := ListRuns(stateDir)
	if err != nil {
		return nil, err
	}
	return previousRun(runs, rep), nil
}

// previousRun is in runs (newest first) the latest finished run of rep's
// job that started before rep.
func previousRun(runs []Report, rep *Report) *Report {
	for i := range runs {
		r := &runs[i]
		if r.RunID == rep.RunID || r.Job != rep.Job || r.Incomplete() {
			continue
		}
		if r.Started < rep.Started || (r.Started == rep.Started && r.RunID < rep.RunID) {
			return r
		}
	}
	return nil
}

// checkComparable says why rep's data cannot be read, if it cannot.
func checkComparable(rep *Report) error {
	switch {
	case rep.Incomplete():
		return diffErrorf("run %s is incomplete (%s): its data is not known", rep.RunID, rep.Exit.Message)
	case rep.S3Memory:
		return diffErrorf("run %s used --s3-memory: its batches were gone when it ended", rep.RunID)
	case rep.Manifest == "" && len(rep.Batches) == 0 && rep.Rows() > 0:
		return diffErrorf("run %s lists no batches: it was made before manifests, and cannot be compared", rep.RunID)
	}
	return nil
}

// diffSide is one run as its destination received it: its batches, read
// through the manifest with their checks, and its own job's mapping.
type diffSide struct {
	rep      *Report
	reader   BatchReader
	src, dst []string
	fields   []connectors.Field
}

func openSide(ctx context.Context, stateDir string, past *PastRuns, rep *Report) (*diffSide, error) {
	s := &diffSide{rep: rep, reader: past.Reader(rep)}
	jobFile := savedJobFile(filepath.Join(stateDir, "runs", rep.RunID))
	job, err := config.LoadJob(jobFile)
	if err != nil {
		return nil, diffErrorf("run %s: %v", rep.RunID, err)
	}
	m, err := connectors.ParseMapping(string(job.JobDataJSON))
	if err != nil {
		return nil, diffErrorf("run %s: %s: %v", rep.RunID, jobFile, err)
	}
	if len(m.Columns) > 0 {
		s.src, s.dst = m.SourceColumns(), m.DestinationColumns()
	}
	if len(rep.Batches) > 0 {
		f, err := s.batch(ctx, 0)
		if err != nil {
			return nil, err
		}
		s.fields = f.Fields()
		return s, nil
	}
	// No batch: the schema the run stored, through its mapping.
	if pr, ok := s.reader.(placedReader); ok {
		fields, err := pr.runSchema(ctx)
		if err != nil {
			return nil, diffErrorf("run %s: %v", rep.RunID, err)
		}
		s.fields = mapFields(fields, s.src, s.dst)
	}
	return s, nil
}

// mapFields is fields as the mapping renames and orders them.
func mapFields(fields []connectors.Field, src, dst []string) []connectors.Field {
	if src == nil {
		return fields
	}
	var out []connectors.Field
	for i, name := range src {
		for _, f := range fields {
			if f.Name == name {
				f.Name = dst[i]
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// batch reads batch i (0-based) as the destination got it.
func (s *diffSide) batch(ctx context.Context, i int) (*connectors.Frame, error) {
	b := s.rep.Batches[i]
	f, _, err := s.reader.ReadBatch(ctx, b.Key)
	if err != nil {
		var se *SetupError
		if errors.As(err, &se) || !errors.Is(err, context.Canceled) {
			return nil, diffErrorf("run %s: %v", s.rep.RunID, err)
		}
		return nil, err
	}
	if b.Rows != 0 && int64(f.Len()) != b.Rows {
		return nil, diffErrorf("run %s: batch %s holds %d rows, but the manifest says %d", s.rep.RunID, b.Key, f.Len(), b.Rows)
	}
	if s.src != nil {
		if f, err = f.Select(s.src, s.dst); err != nil {
			return nil, diffErrorf("run %s: its JobDataJSON maps a column batch %s lacks: %v", s.rep.RunID, b.Key, err)
		}
	}
	return f, nil
}

// each calls fn with every batch in order; only, when not nil, limits it
// to the batches it holds.
func (s *diffSide) each(ctx context.Context, only map[int]bool, fn func(i int, f *connectors.Frame) error) error {
	for i := range s.rep.Batches {
		if only != nil && !only[i] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		fr, err := s.batch(ctx, i)
		if err != nil {
			return err
		}
		if err := fn(i, fr); err != nil {
			return err
		}
	}
	return nil
}

// loc is a row's place in a run: batch (0-based) and row.
type loc uint64

func locOf(batch, row int) loc { return loc(uint64(batch)<<32 | uint64(row)) }
func (l loc) batch() int       { return int(l >> 32) }
func (l loc) row() int         { return int(l & 0xffffffff) }

func newHasher(seed maphash.Seed) *maphash.Hash {
	h := &maphash.Hash{}
	h.SetSeed(seed)
	return h
}
