package harness_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/harness"
	"connector-dev/harness/faults"
)

// overlapRead is told of the destination's first batch read, so the
// "half" source fails only once the destination is loading beside it.
var overlapRead = make(chan struct{}, 1)

// overlapSource uploads ten-row batches as its job's SourceObjectID says.
type overlapSource struct{}

func tenRows(from int) *connectors.Frame {
	f := connectors.NewFrame(connectors.Field{Name: "id", Type: connectors.Int64})
	for k := 0; k < 10; k++ {
		f.AppendRow(int64(from + k))
	}
	return f
}

func (overlapSource) Run(ctx context.Context, rt connectors.Runtime) error {
	switch rt.Job().SourceObjectID {
	case "half": // five batches, then a failure once the destination has read one
		select {
		case <-overlapRead: // a signal left by an earlier run
		default:
		}
		for i := 0; i < 5; i++ {
			if err := rt.UploadRows(ctx, tenRows(i*10)); err != nil {
				return err
			}
		}
		select {
		case <-overlapRead:
		case <-time.After(10 * time.Second):
		}
		return rt.LogErr("the API broke half way")
	case "endless": // uploads until it is stopped
		for i := 0; i < 100000; i++ {
			if err := rt.UploadRows(ctx, tenRows(i*10)); err != nil {
				return err
			}
			time.Sleep(time.Millisecond)
		}
		return rt.LogErr("never stopped")
	}
	for i := 0; i < 50; i++ { // "many": 500 rows
		if err := rt.UploadRows(ctx, tenRows(i*10)); err != nil {
			return err
		}
	}
	return nil
}

func init() {
	connectors.RegisterSource("overlapsrc", func() connectors.Source { return overlapSource{} })
}

// overlapProject is a project whose job runs overlapsrc into SQLite.
func overlapProject(t *testing.T, object string, method int) harness.Options {
	t.Helper()
	opts := setupProjectMethod(t, object, method)
	yaml := testYAML + "overlapsrc:\n  kind: source\n  credentials: []\n  env: []\n"
	if err := os.WriteFile(filepath.Join(opts.Dir, "connectors.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(opts.Dir, "fixtures/overlapsrc"), 0o755)
	setJob(t, opts, object, method)
	opts.Connector = "overlapsrc"
	return opts
}

// setJob writes the project's overlapsrc job.
func setJob(t *testing.T, opts harness.Options, object string, method int) {
	t.Helper()
	job := fmt.Sprintf(`{"ETLJobNM": "overlap-job", "SourceObjectID": %q, "DestinationObjectID": "t",
		"SourceConnectorNM": "overlapsrc", "DestinationConnectorNM": "sqlite", "UpdateMethodCD": %d}`, object, method)
	if err := os.WriteFile(filepath.Join(opts.Dir, "fixtures/overlapsrc/job.json"), []byte(job), 0o644); err != nil {
		t.Fatal(err)
	}
}

// rerun plans and executes opts again in the same project, with sink.
func rerun(t *testing.T, opts harness.Options, ctx context.Context, sink harness.Sink) *harness.Report {
	t.Helper()
	r, err := harness.Plan(opts)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatalf("start: %v", err)
	}
	defer r.Close()
	return r.Execute(ctx, sink)
}

// runManifest is the copy of the run's manifest in its folder.
func runManifest(t *testing.T, opts harness.Options, runID string) harness.Manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(opts.Dir, ".connector-dev", "runs", runID, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m harness.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// A source that fails after the destination began loading beside it:
// the destination rolls back, the table is as it was (Append and
// Replace), and the run ends with the source's reason.
func TestOverlapSourceFailsRollsBack(t *testing.T) {
	for _, method := range []int{connectors.Append, connectors.Replace} {
		t.Run(fmt.Sprint("method ", method), func(t *testing.T) {
			opts := overlapProject(t, "many", method)
			if rep, out := execute(t, opts, context.Background()); rep.ExitCode != 0 {
				t.Fatalf("first run: %+v\n%s", rep.Exit, out)
			}
			if n := tableRows(t, opts); n != 500 {
				t.Fatalf("first run loaded %d rows, want 500", n)
			}
			setJob(t, opts, "half", method)
			var c collect
			reads := 0
			rep := rerun(t, opts, context.Background(), harness.SinkFunc(func(e harness.Event) {
				c.Emit(e)
				if e.Kind == harness.EventBatchRead {
					reads++
					select {
					case overlapRead <- struct{}{}:
					default:
					}
				}
			}))
			out := c.text()
			if rep.Exit.Reason != connectors.Error || rep.ExitCode != 1 || rep.Exit.Message != "the API broke half way" {
				t.Fatalf("exit %+v code %d, want the source's error\n%s", rep.Exit, rep.ExitCode, out)
			}
			if reads == 0 {
				t.Fatalf("the destination read no batch before the source failed:\n%s", out)
			}
			if n := tableRows(t, opts); n != 500 {
				t.Errorf("table has %d rows after the failed run, want the previous 500", n)
			}
			if len(rep.Stages) != 1 || !strings.Contains(out, "destination sqlite rolled back, nothing of this run kept: the source ended with error") {
				t.Errorf("stages %+v; want the source only, and the rollback said:\n%s", rep.Stages, out)
			}
			m := runManifest(t, opts, rep.RunID)
			if m.Exit.Reason != connectors.Error || len(m.Batches) != 5 || len(rep.Batches) != 5 || m.Rows != rep.Stages[0].Rows {
				t.Errorf("manifest %+v (%d batches) and report (%d batches, %+v) disagree", m.Exit, len(m.Batches), len(rep.Batches), rep.Stages[0])
			}
		})
	}
}

// A destination that fails while its source still uploads stops the
// source; the run ends with the destination's failure.
func TestOverlapDestinationFailsStopsSource(t *testing.T) {
	opts := overlapProject(t, "endless", connectors.Append)
	db, err := sql.Open("sqlite", filepath.Join(opts.Dir, "wh.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE "t" ("other" TEXT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	rep, out := execute(t, opts, context.Background())
	if rep.Exit.Reason != connectors.Error || rep.ExitCode != 1 || !strings.Contains(rep.Exit.Message, "has other columns than the batch") {
		t.Fatalf("exit %+v code %d, want the destination's error\n%s", rep.Exit, rep.ExitCode, out)
	}
	if len(rep.Stages) != 2 || rep.Stages[0].Exit.Reason != connectors.Interrupted || rep.Stages[0].Exit.Message != "stopped: the destination failed" {
		t.Fatalf("stages %+v; want the source stopped\n%s", rep.Stages, out)
	}
	if m := runManifest(t, opts, rep.RunID); m.Exit.Message != "stopped: the destination failed" || int64(len(m.Batches)) != rep.Stages[0].Batches {
		t.Errorf("manifest %+v with %d batches, report %+v", m.Exit, len(m.Batches), rep.Stages[0])
	}
	if !strings.Contains(out, "WARN  source      stopping the source: the destination ended with error") {
		t.Errorf("the log does not say why the source stopped:\n%s", out)
	}
}

// Ctrl-C while both stages run: the table is as it was, exit 130.
func TestOverlapInterruptedKeepsTable(t *testing.T) {
	opts := overlapProject(t, "many", connectors.Replace)
	if rep, out := execute(t, opts, context.Background()); rep.ExitCode != 0 {
		t.Fatalf("first run: %+v\n%s", rep.Exit, out)
	}
	setJob(t, opts, "endless", connectors.Replace)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	reads := 0
	rep := rerun(t, opts, ctx, harness.SinkFunc(func(e harness.Event) {
		if e.Kind == harness.EventBatchRead {
			if reads++; reads == 3 {
				cancel(harness.ErrInterrupted)
			}
		}
	}))
	if rep.Exit.Reason != connectors.Interrupted || rep.ExitCode != 130 || reads < 3 {
		t.Fatalf("exit %+v code %d after %d reads, want interrupted 130", rep.Exit, rep.ExitCode, reads)
	}
	if n := tableRows(t, opts); n != 500 {
		t.Errorf("table has %d rows after the interrupted replace, want the previous 500", n)
	}
}

// S3 faults while both stages run are retried: every row arrives.
func TestOverlapWithS3Faults(t *testing.T) {
	opts := overlapProject(t, "many", connectors.Replace)
	spec, err := faults.Parse("s3=0.3,seed=7")
	if err != nil {
		t.Fatal(err)
	}
	opts.Faults = spec
	rep, out := execute(t, opts, context.Background())
	if rep.ExitCode != 0 || len(rep.Stages) != 2 || rep.Stages[1].Rows != 500 {
		t.Fatalf("exit %+v, stages %+v\n%s", rep.Exit, rep.Stages, out)
	}
	var injected int64
	for _, n := range rep.Faults {
		injected += n
	}
	if injected == 0 {
		t.Errorf("no fault was injected: %v", rep.Faults)
	}
	if n := tableRows(t, opts); n != 500 {
		t.Errorf("table has %d rows, want 500", n)
	}
	if !strings.Contains(out, "50 batches under s3://") || !strings.Contains(out, "as the manifest lists them") {
		t.Errorf("the destination does not say the manifest agrees:\n%s", out)
	}
}

// A batch changed in S3 after the uploader stored it is refused by the
// destination beside the source: exit 1 naming the key, table untouched.
func TestOverlapChangedBatchIsRefused(t *testing.T) {
	opts := overlapProject(t, "many", connectors.Replace)
	var store *harness.Store
	var c collect
	rep := rerun(t, opts, context.Background(), harness.SinkFunc(func(e harness.Event) {
		c.Emit(e)
		switch {
		case e.Kind == harness.EventRunStarted:
			store = harness.NewStore(harness.S3Config{Endpoint: e.Run.Endpoint, Region: "us-east-1",
				AccessKey: "connector-dev", SecretKey: "connector-dev-secret", Bucket: e.Run.Bucket})
		case e.Kind == harness.EventBatchWritten && e.Batch.Index == 2:
			// The sink runs before the destination is told of the batch.
			ctx := context.Background()
			b, _, err := store.Get(ctx, e.Batch.Key, nil)
			if err != nil {
				t.Errorf("get %s: %v", e.Batch.Key, err)
				return
			}
			b[len(b)/2] ^= 0xff // same size, another checksum
			if err := store.Put(ctx, e.Batch.Key, b, "application/vnd.apache.parquet", nil); err != nil {
				t.Errorf("put %s: %v", e.Batch.Key, err)
			}
		}
	}))
	out := c.text()
	key := "overlap-job/" + rep.RunID + "/batch-000002.parquet"
	if rep.ExitCode != 1 || !strings.Contains(rep.Exit.Message, key) {
		t.Fatalf("exit %+v code %d, want 1 naming %s\n%s", rep.Exit, rep.ExitCode, key, out)
	}
	if n := tableRows(t, opts); n != 0 {
		t.Errorf("table has %d rows, want none", n)
	}
}

// The same batches loaded beside the source and later by --from-run (after
// the source) leave the same table.
func TestOverlapReplaceSameAsFromRun(t *testing.T) {
	opts := overlapProject(t, "many", connectors.Replace)
	opts.S3Memory = false
	rep, out := execute(t, opts, context.Background())
	if rep.ExitCode != 0 {
		t.Fatalf("run: %+v\n%s", rep.Exit, out)
	}
	beside := tableSum(t, opts)
	from := harness.Options{Dir: opts.Dir, Connector: "sqlite", FromRun: rep.RunID, Environ: []string{}}
	rep2, out2 := execute(t, from, context.Background())
	if rep2.ExitCode != 0 || len(rep2.Stages) != 1 || strings.Contains(out2, "as the source stores them") {
		t.Fatalf("--from-run: %+v\n%s", rep2.Exit, out2)
	}
	if after := tableSum(t, opts); after != beside || beside != "500 124750" {
		t.Errorf("beside the source: %s; --from-run: %s; want 500 124750 both", beside, after)
	}
}

// tableSum is the count and sum of t's ids.
func tableSum(t *testing.T, opts harness.Options) string {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(opts.Dir, "wh.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, sum int64
	if err := db.QueryRow(`SELECT COUNT(*), COALESCE(SUM("id"), 0) FROM "t"`).Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d %d", n, sum)
}
