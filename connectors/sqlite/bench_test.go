package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"connector-dev/connectors"
	"connector-dev/connectors/connectortest"
	"connector-dev/connectors/sqlite"
	"connector-dev/connectors/synthetic"
)

// benchFrames is the synthetic data set, total rows in frames of per.
func benchFrames(total, per int) []*connectors.Frame {
	var out []*connectors.Frame
	for start := 0; start < total; start += per {
		out = append(out, synthetic.Generate(int64(start), min(per, total-start)))
	}
	return out
}

// BenchmarkLoad1M loads one million synthetic rows (batches of 65,536) into
// a fresh database with Replace: the destination's whole cost in a run.
func BenchmarkLoad1M(b *testing.B) {
	const total = 1_000_000
	frames := benchFrames(total, 65_536)
	dir := b.TempDir()
	b.ResetTimer()
	for n := 0; b.Loop(); n++ {
		rt := connectortest.New(&connectors.JobDetails{ETLJobNM: "bench", DestinationObjectID: "accounts", UpdateMethodCD: connectors.Replace})
		rt.Creds[sqlite.DatabaseField] = filepath.Join(dir, fmt.Sprintf("w%d.db", n))
		rt.Input = frames
		if reason, msg := rt.RunDestination(context.Background(), &sqlite.Destination{}); reason != connectors.Success {
			b.Fatal(reason, msg)
		}
	}
	b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
