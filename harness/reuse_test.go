package harness_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/connectors/synthetic"
	"connector-dev/harness"
)

// lendCheck is a destination that holds each batch as long as it can: it
// renders the frame when Batch starts, lets the reader decode ahead (into
// the frames it recycles), and renders it again before returning. It keeps
// the rendered rows, as the contract says (copies, not the frame), and at
// the end compares them with what the source generated.
type lendCheck struct{ rows []string }

func (d *lendCheck) Batch(ctx context.Context, rt connectors.Runtime, f *connectors.Frame) error {
	before := render(f)
	for range 20 {
		runtime.Gosched()
		time.Sleep(100 * time.Microsecond) // give the reader time to decode the next batches
	}
	if after := render(f); fmt.Sprint(after) != fmt.Sprint(before) {
		return rt.LogErr("batch changed while Batch held it: %d rows, first %q now %q", f.Len(), before[0], after[0])
	}
	d.rows = append(d.rows, before...)
	return nil
}

func (d *lendCheck) Run(ctx context.Context, rt connectors.Runtime) error {
	if err := rt.RunBatches(ctx); err != nil {
		return err
	}
	want := render(synthetic.Generate(0, lendRows))
	if len(d.rows) != len(want) {
		return rt.LogErr("received %d rows, want %d", len(d.rows), len(want))
	}
	for i := range want {
		if d.rows[i] != want[i] {
			return rt.LogErr("row %d is %q, want %q", i, d.rows[i], want[i])
		}
	}
	rt.LogInfo("all %d rows as generated", len(want))
	return nil
}

func render(f *connectors.Frame) []string {
	out := make([]string, f.Len())
	for i := range out {
		out[i] = fmt.Sprint(f.Row(i)...)
	}
	return out
}

const lendRows = 3000

func init() {
	connectors.RegisterDestination("zz-lend-check", func() connectors.Destination { return &lendCheck{} })
}

// Each batch a destination gets stays as it was for the whole Batch call,
// although the runtime decodes later batches into recycled frames meanwhile,
// and every row arrives as the source made it. 30 batches of 100 rows, so
// the frames go round many times. (Under -race, the detector also sees any
// decode into a frame still lent out.)
func TestRecycledFramesKeepEachBatchIntact(t *testing.T) {
	for _, format := range []string{"parquet", "csv"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			write := func(name, body string) {
				os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			repo, _ := filepath.Abs("..")
			env, err := os.ReadFile(filepath.Join(repo, ".env.example"))
			if err != nil {
				t.Fatal(err)
			}
			write(".env", string(env))
			write("connectors.yaml", "synthetic:\n  kind: source\n  credentials: []\n  env: [SYNTHETIC_ROWS, BATCH_ROWS]\nzz-lend-check:\n  kind: destination\n  credentials: []\n  env: []\n")
			write("fixtures/synthetic/job.json", `{"ETLJobNM": "lend", "SourceConnectorNM": "synthetic",
				"DestinationConnectorNM": "zz-lend-check", "DestinationObjectID": "t", "UpdateMethodCD": 2}`)
			opts := harness.Options{Dir: dir, Connector: "synthetic", S3Memory: true,
				Environ: []string{fmt.Sprintf("SYNTHETIC_ROWS=%d", lendRows), "BATCH_ROWS=100", "BATCH_FORMAT=" + format}}
			rep, out := execute(t, opts, context.Background())
			if rep.ExitCode != 0 {
				t.Fatalf("exit %d, want 0; output:\n%s", rep.ExitCode, out)
			}
			if want := fmt.Sprintf("all %d rows as generated", lendRows); !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
			if got := rep.Rows(); got != lendRows {
				t.Errorf("report says %d rows, want %d", got, lendRows)
			}
		})
	}
}
