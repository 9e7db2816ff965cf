package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"connector-dev/fakes3"
)

// PruneOptions say which past runs `connector-dev prune` removes. A run is
// removed when every rule given picks it.
type PruneOptions struct {
	Keep      int           // keep the Keep newest runs (of Job, or of all jobs); < 0: no rule by count
	OlderThan time.Duration // remove runs started longer ago than this; 0: no rule by age
	Job       string        // only runs of this job (ETLJobNM); "": every job
	DryRun    bool          // list what would go, remove nothing
	Now       time.Time     // the clock for OlderThan; zero: time.Now
}

// PrunedRun is one run prune removed (or would remove).
type PrunedRun struct {
	RunID string
	Job   string    // "" when neither a report nor a job file says
	Time  time.Time // when it started; the folder's time for an incomplete run
	// Incomplete is set for a run without report.json (killed).
	Incomplete bool
	// External is the S3 endpoint its batches are in when that is not the
	// embedded one: prune leaves those batches alone.
	External    string
	FolderBytes int64 // its folder under runs/
	S3Bytes     int64 // its batches in the embedded S3 on disk
	Objects     int
}

// PruneResult is what prune did (or would do, with DryRun).
type PruneResult struct {
	Removed     []PrunedRun // newest first
	Kept        int         // runs that stay
	FolderBytes int64
	S3Bytes     int64
	// External lists the external S3 endpoints whose batches were left alone.
	External []string
}

// Freed is the bytes prune gave back (or would).
func (r *PruneResult) Freed() int64 { return r.FolderBytes + r.S3Bytes }

// pastRun is a folder under runs/.
type pastRun struct {
	PrunedRun
	dir string
}

// Prune removes old runs from stateDir: their folders under runs/ and their
// batches in the embedded S3 on disk (stateDir/s3), which it serves for the
// purpose, so the object store's own bookkeeping goes with each object.
// Batches of runs that used an external S3 are not touched.
func Prune(ctx context.Context, stateDir string, opts PruneOptions) (*PruneResult, error) {
	if opts.Keep < 0 && opts.OlderThan <= 0 {
		return nil, setupf("give a rule: --keep N (keep the N newest runs) or --older-than DURATION (e.g. 7d, 12h); add --dry-run to see what goes")
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	runs, err := pastRuns(stateDir)
	if err != nil {
		return nil, err
	}
	if opts.Job != "" {
		var jobs []string
		keep := runs[:0]
		for _, r := range runs {
			if r.Job == opts.Job {
				keep = append(keep, r)
			}
			jobs = append(jobs, r.Job)
		}
		if len(keep) == 0 {
			return nil, setupf("--job %s: no run of that job in %s%s", opts.Job, filepath.Join(stateDir, "runs"), Suggest(opts.Job, jobs))
		}
		runs = keep
	}
	res := &PruneResult{}
	var doomed []pastRun
	for i, r := range runs {
		byCount := opts.Keep < 0 || i >= opts.Keep
		byAge := opts.OlderThan <= 0 || opts.Now.Sub(r.Time) > opts.OlderThan
		if byCount && byAge {
			doomed = append(doomed, r)
		} else {
			res.Kept++
		}
	}
	if len(doomed) == 0 {
		return res, nil
	}
	objects, stop, err := embeddedObjects(ctx, stateDir)
	if err != nil {
		return nil, err
	}
	defer stop()
	external := map[string]bool{}
	for _, r := range doomed {
		if r.External != "" && !external[r.External] {
			external[r.External] = true
			res.External = append(res.External, r.External)
		}
		var objs []s3Object
		if r.External == "" {
			objs = objects.byRun[r.RunID]
		}
		for _, o := range objs {
			r.S3Bytes += o.size
		}
		r.Objects = len(objs)
		if !opts.DryRun {
			for _, o := range objs {
				if err := objects.delete(ctx, o); err != nil {
					return res, err
				}
			}
			if err := os.RemoveAll(r.dir); err != nil {
				return res, fmt.Errorf("remove %s: %w", r.dir, err)
			}
		}
		res.Removed = append(res.Removed, r.PrunedRun)
		res.FolderBytes += r.FolderBytes
		res.S3Bytes += r.S3Bytes
	}
	if !opts.DryRun {
		removeEmptyDirs(filepath.Join(stateDir, "s3", "buckets"))
	}
	return res, nil
}

// pastRuns reads every folder under runs/, newest first.
func pastRuns(stateDir string) ([]pastRun, error) {
	root := filepath.Join(stateDir, "runs")
	entries, err := os.ReadDir(root)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", root, err)
	}
	var out []pastRun
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		r := pastRun{PrunedRun: PrunedRun{RunID: e.Name()}, dir: filepath.Join(root, e.Name())}
		r.FolderBytes = dirSize(r.dir)
		if rep, err := LoadReport(stateDir, e.Name()); err == nil {
			r.Job = rep.Job
			r.Incomplete = rep.Incomplete()
			if !r.Incomplete {
				r.Time, _ = time.Parse(time.RFC3339Nano, rep.Started)
			}
			if r.Job == "" {
				r.Job = jobName(savedJobFile(r.dir))
			}
			if rep.Run != nil && rep.Run.StorageKind() == StorageExternal {
				r.External = rep.Run.Endpoint
			}
		} else {
			r.Incomplete = true
			r.Job = jobName(savedJobFile(r.dir))
		}
		if r.Time.IsZero() {
			if info, err := e.Info(); err == nil {
				r.Time = info.ModTime()
			}
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Time.Equal(out[j].Time) {
			return out[i].Time.After(out[j].Time)
		}
		return out[i].RunID > out[j].RunID
	})
	return out, nil
}

func jobName(path string) string {
	var j struct{ ETLJobNM string }
	if b, err := os.ReadFile(path); err == nil {
		json.Unmarshal(b, &j)
	}
	return j.ETLJobNM
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// removeEmptyDirs removes the folders the object store leaves empty under
// root (a job's, a run's), deepest first, never root's own children: the
// buckets.
func removeEmptyDirs(root string) {
	var dirs []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && strings.Count(strings.TrimPrefix(p, root), string(filepath.Separator)) >= 2 {
			dirs = append(dirs, p)
		}
		return nil
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		os.Remove(dirs[i]) // fails, as it should, when not empty
	}
}

type s3Object struct {
	bucket, key string
	size        int64
}

// s3Objects are the embedded S3's objects by the run id in their key
// (<job>/<run-id>/...), and the means to delete them.
type s3Objects struct {
	byRun  map[string][]s3Object
	client *s3.Client
}

func (o *s3Objects) delete(ctx context.Context, obj s3Object) error {
	if _, err := o.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &obj.bucket, Key: &obj.key}); err != nil {
		return fmt.Errorf("delete s3://%s/%s from the embedded S3: %w", obj.bucket, obj.key, s3Err(err))
	}
	return nil
}

// embeddedObjects serves the embedded S3 over stateDir/s3 (when it exists)
// on a loopback port with keys of its own, and lists every object in it.
func embeddedObjects(ctx context.Context, stateDir string) (*s3Objects, func(), error) {
	dir := filepath.Join(stateDir, "s3")
	out := &s3Objects{byRun: map[string][]s3Object{}}
	if _, err := os.Stat(dir); err != nil {
		return out, func() {}, nil
	}
	// Keys of its own: this server lives for the prune, on loopback.
	const access, secret = "connector-dev-prune", "connector-dev-prune-secret"
	srv, err := embeddedS3{stateDir: stateDir, opts: fakes3.Options{AccessKey: access, SecretKey: secret, Region: "us-east-1"}}.start(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("embedded S3 at %s: %w", dir, err)
	}
	stop := func() { srv.Close() }
	st := NewStore(S3Config{Endpoint: srv.URL(), Region: "us-east-1", AccessKey: access, SecretKey: secret})
	out.client = st.client
	buckets, err := st.client.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		stop()
		return nil, nil, fmt.Errorf("list the embedded S3's buckets: %w", s3Err(err))
	}
	for _, b := range buckets.Buckets {
		st.bucket = *b.Name
		objs, err := st.List(ctx, "")
		if err != nil {
			stop()
			return nil, nil, err
		}
		for _, o := range objs {
			parts := strings.SplitN(o.Key, "/", 3)
			if len(parts) < 3 {
				continue
			}
			out.byRun[parts[1]] = append(out.byRun[parts[1]], s3Object{bucket: st.bucket, key: o.Key, size: o.Size})
		}
	}
	return out, stop, nil
}

// ParseAge reads --older-than: a Go duration (90m, 36h, 1h30m) or whole
// days, alone or before one ("7d", "1d12h"). It must be positive.
func ParseAge(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	var days int64
	rest := in
	if i := strings.IndexByte(in, 'd'); i >= 0 {
		n, err := strconv.ParseInt(in[:i], 10, 64)
		if err != nil || n < 0 || n > 100000 {
			return 0, fmt.Errorf("%q: want whole days before d, e.g. 7d, or a duration such as 36h", s)
		}
		days, rest = n, in[i+1:]
	}
	var d time.Duration
	if rest != "" {
		var err error
		if d, err = time.ParseDuration(rest); err != nil || d < 0 {
			return 0, fmt.Errorf("%q: want e.g. 7d, 36h or 90m", s)
		}
	}
	total := time.Duration(days)*24*time.Hour + d
	if total <= 0 || total < d {
		return 0, fmt.Errorf("%q: give an age above zero, e.g. 7d", s)
	}
	return total, nil
}
