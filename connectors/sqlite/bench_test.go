package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/connectors/connectortest"
	"connector-dev/connectors/sqlite"
)

// benchFrames builds the synthetic data set's ten columns (see
// connectors/synthetic) in batches, without importing another connector.
func benchFrames(total, per int) []*connectors.Frame {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	regions := []string{"north", "south", "east", "west", "emea", "apac", "latam", "anz"}
	var out []*connectors.Frame
	for start := 0; start < total; start += per {
		n := min(per, total-start)
		f := connectors.NewFrame(
			connectors.Field{Name: "id", Type: connectors.Int64},
			connectors.Field{Name: "account_name", Type: connectors.String},
			connectors.Field{Name: "amount", Type: connectors.Float64},
			connectors.Field{Name: "is_active", Type: connectors.Bool},
			connectors.Field{Name: "created_at", Type: connectors.Timestamp},
			connectors.Field{Name: "region", Type: connectors.String},
			connectors.Field{Name: "quantity", Type: connectors.Int64},
			connectors.Field{Name: "score", Type: connectors.Float64},
			connectors.Field{Name: "email", Type: connectors.String},
			connectors.Field{Name: "updated_at", Type: connectors.Timestamp},
		)
		f.Reserve(n)
		for k := range n {
			i := int64(start + k)
			s := strconv.FormatInt(i, 10)
			if err := f.AppendRow(i, "account-"+s, float64(i%100000)/100, i%3 == 0,
				base.Add(time.Duration(i%31536000)*time.Second), regions[i%8], i%1000,
				float64(i%997)/997, "user"+s+"@example.com", base.Add(time.Duration(i*7%31536000)*time.Second)); err != nil {
				panic(err)
			}
		}
		out = append(out, f)
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
