package harness_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"connector-dev/harness"
)

// benchProject is a temp project running synthetic into sqlite (or nowhere,
// for the upload stage alone) with the committed settings.
func benchProject(b *testing.B, dest string) harness.Options {
	b.Helper()
	dir := b.TempDir()
	repo, _ := filepath.Abs("..")
	for _, f := range []string{"connectors.yaml", ".env.example"} {
		data, err := os.ReadFile(filepath.Join(repo, f))
		if err != nil {
			b.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), data, 0o644)
	}
	os.WriteFile(filepath.Join(dir, ".env.credentials"), []byte("SQLITE_DATABASE="+filepath.Join(dir, "wh.db")+"\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, "fixtures", "synthetic"), 0o755)
	os.WriteFile(filepath.Join(dir, "fixtures", "synthetic", "job.json"), []byte(fmt.Sprintf(`{"ETLJobNM": "bench",
		"SourceConnectorNM": "synthetic", "DestinationConnectorNM": %q, "DestinationObjectID": "accounts", "UpdateMethodCD": 2}`, dest)), 0o644)
	return harness.Options{Dir: dir, Connector: "synthetic", Environ: []string{"SYNTHETIC_ROWS=1000000"}}
}

// benchRun runs the project once per iteration and reports rows/s, the
// bytes the heap allocated per row (B/row: what -benchmem's B/op is, over
// the rows) and the GC cycles per run (GCs/op), the costs that buffer
// reuse and pointer-free columns cut. They count the whole process: the
// embedded S3 and both stages.
func benchRun(b *testing.B, opts harness.Options) {
	b.ReportAllocs()
	var rows int64
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		r, err := harness.Plan(opts)
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		rep := r.Execute(context.Background(), harness.SinkFunc(func(harness.Event) {}))
		r.Close()
		if rep.ExitCode != 0 {
			b.Fatalf("exit %+v", rep.Exit)
		}
		rows += rep.Rows()
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(rows), "B/row")
	b.ReportMetric(float64(after.NumGC-before.NumGC)/float64(b.N), "GCs/op")
}

// BenchmarkUpload1M is the upload stage alone: synthetic, 1M rows, Parquet,
// into the disk-backed embedded S3.
func BenchmarkUpload1M(b *testing.B) { benchRun(b, benchProject(b, "")) }

// BenchmarkRun1M is a whole run: synthetic -> S3 -> sqlite, 1M rows.
func BenchmarkRun1M(b *testing.B) { benchRun(b, benchProject(b, "sqlite")) }
