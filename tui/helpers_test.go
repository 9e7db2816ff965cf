package tui

import (
	"context"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"connector-dev/connectors"
	"connector-dev/harness"
)

func TestMain(m *testing.M) {
	// Golden files are plain text: no colour on any renderer.
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

// t0 is the fixed start of every test run, so elapsed and log times are stable.
var t0 = time.Date(2026, 11, 28, 21, 15, 0, 0, time.UTC)

func asciiStyles() *styles {
	r := lipgloss.NewRenderer(io.Discard)
	return newStyles(r, true)
}

var testInfo = harness.RunInfo{
	RunID: "20261128T211500-7f3a", Job: "Synthetic Accounts", Source: "synthetic", Destination: "sqlite",
	Container: "connector-synthetic", Version: "1.4.0", Endpoint: "http://127.0.0.1:41234", Bucket: "etl",
	Prefix: "synthetic-accounts/20261128T211500-7f3a", Format: "parquet",
}

// fakeReader serves small frames from memory.
type fakeReader struct {
	frames map[string]*connectors.Frame
	metas  map[string]harness.ObjectMeta
}

func (r fakeReader) ReadBatch(_ context.Context, key string) (*connectors.Frame, harness.ObjectMeta, error) {
	f, ok := r.frames[key]
	if !ok {
		return nil, harness.ObjectMeta{}, fmt.Errorf("no object %q", key)
	}
	return f, r.metas[key], nil
}

// placedReader is a reader that says where it reads from, as the readers
// of past runs do.
type placedReader struct {
	fakeReader
	where string
}

func (r placedReader) Where() string { return r.where }

func batchKey(i int) string {
	return fmt.Sprintf("%s/batch-%06d.parquet", testInfo.Prefix, i)
}

// accounts is the synthetic fixture's shape: id, account_name, region, email,
// score, active, created (and a nullable note with a long value).
func accounts(from, n int) *connectors.Frame {
	f := connectors.NewFrame(
		connectors.Field{Name: "id", Type: connectors.Int64},
		connectors.Field{Name: "account_name", Type: connectors.String},
		connectors.Field{Name: "region", Type: connectors.String},
		connectors.Field{Name: "email", Type: connectors.String},
		connectors.Field{Name: "score", Type: connectors.Float64},
		connectors.Field{Name: "active", Type: connectors.Bool},
		connectors.Field{Name: "created", Type: connectors.Timestamp},
		connectors.Field{Name: "note", Type: connectors.String, Nullable: true},
	)
	regions := []string{"north", "south", "east", "west"}
	for i := from; i < from+n; i++ {
		var note any
		if i%3 == 0 {
			note = fmt.Sprintf("account %d was migrated from the legacy billing system in two steps", i)
		}
		if err := f.AppendRow(int64(i), fmt.Sprintf("account-%d", i), regions[i%4], fmt.Sprintf("user%d@example.com", i),
			float64(i)*1.5, i%2 == 0, t0.Add(time.Duration(i)*time.Hour), note); err != nil {
			panic(err)
		}
	}
	return f
}

func testReader() fakeReader {
	r := fakeReader{frames: map[string]*connectors.Frame{}, metas: map[string]harness.ObjectMeta{}}
	for i := 1; i <= 3; i++ {
		k := batchKey(i)
		r.frames[k] = accounts((i-1)*40, 40)
		r.metas[k] = harness.ObjectMeta{Key: k, Size: 4096 + int64(i), ContentType: "application/vnd.apache.parquet",
			ETag: fmt.Sprintf(`"etag-%d"`, i), LastModified: t0.Add(time.Duration(i) * time.Second),
			Metadata: map[string]string{"rows": "40", "format": "parquet", "batch": fmt.Sprint(i)}}
	}
	return r
}

// runEvents is a whole run of three batches as the harness emits it;
// upto cuts it short to show a run in progress.
func runEvents(upto int) []harness.Event {
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	info := testInfo
	ev := []harness.Event{
		{Time: at(0), Kind: harness.EventRunStarted, Run: &info},
		{Time: at(0.1), Kind: harness.EventLog, Level: "info", Message: "fake S3 listening on 127.0.0.1:41234"},
		{Time: at(0.2), Kind: harness.EventStageStarted, Stage: "source"},
		{Time: at(0.3), Kind: harness.EventLog, Stage: "source", Level: "info", Message: "generating 120 accounts"},
		{Time: at(0.4), Kind: harness.EventLog, Stage: "source", Level: "debug", Message: "seed 42"},
	}
	for i := 1; i <= 3; i++ {
		ev = append(ev,
			harness.Event{Time: at(float64(i)), Kind: harness.EventBatchWritten, Stage: "source",
				Batch: &harness.BatchInfo{Index: i, Key: batchKey(i), Rows: 40, Bytes: 4096 + int64(i), Format: "parquet"}},
			harness.Event{Time: at(float64(i)), Kind: harness.EventProgress, Stage: "source",
				Stats: &harness.Stats{Rows: int64(40 * i), Batches: int64(i), Bytes: int64(4096*i + i), ExpectedRows: 120, Seconds: float64(i)}},
			harness.Event{Time: at(float64(i)), Kind: harness.EventLog, Stage: "source", Level: "info", Message: fmt.Sprintf("uploaded batch %d (40 rows)", i)},
		)
		if i == 2 {
			ev = append(ev, harness.Event{Time: at(2.5), Kind: harness.EventLog, Stage: "source", Level: "warn", Message: "region missing for 2 accounts, using north"})
		}
	}
	srcExit := &harness.ExitInfo{Reason: connectors.Success}
	ev = append(ev,
		harness.Event{Time: at(3.1), Kind: harness.EventStageFinished, Stage: "source", Exit: srcExit,
			Stats: &harness.Stats{Rows: 120, Batches: 3, Bytes: 12294, ExpectedRows: 120, Seconds: 3}},
		harness.Event{Time: at(3.2), Kind: harness.EventStageStarted, Stage: "destination"},
	)
	for i := 1; i <= 3; i++ {
		ev = append(ev,
			harness.Event{Time: at(3.2 + float64(i)*0.1), Kind: harness.EventBatchRead, Stage: "destination",
				Batch: &harness.BatchInfo{Index: i, Key: batchKey(i), Rows: 40, Bytes: 4096 + int64(i), Format: "parquet"}},
			harness.Event{Time: at(3.2 + float64(i)*0.1), Kind: harness.EventProgress, Stage: "destination",
				Stats: &harness.Stats{Rows: int64(40 * i), Batches: int64(i), Bytes: int64(4096*i + i), Seconds: float64(i) * 0.1}},
		)
	}
	ev = append(ev,
		harness.Event{Time: at(3.6), Kind: harness.EventLog, Stage: "destination", Level: "error", Message: "row 17: email rejected by the warehouse check"},
		harness.Event{Time: at(3.7), Kind: harness.EventStageFinished, Stage: "destination", Exit: &harness.ExitInfo{Reason: connectors.Success},
			Stats: &harness.Stats{Rows: 120, Batches: 3, Bytes: 12294, Seconds: 0.3}},
		harness.Event{Time: at(3.8), Kind: harness.EventFinished, Exit: &harness.ExitInfo{Reason: connectors.Success, Message: "120 rows delivered"},
			Summary: []harness.StageReport{
				{Name: "source", Connector: "synthetic", Rows: 120, Batches: 3, Bytes: 12294, Seconds: 3, RowsPerS: 40},
				{Name: "destination", Connector: "sqlite", Rows: 120, Batches: 3, Bytes: 12294, Seconds: 0.3, RowsPerS: 400},
			}},
	)
	if upto > 0 && upto < len(ev) {
		return ev[:upto]
	}
	return ev
}

// bigRunEvents is a big run in the middle of its destination, which
// started on the batches as they were stored: millions of rows, both stages
// going, so every count needs its separators and a narrow screen is short
// of room.
func bigRunEvents() []harness.Event {
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	info := testInfo
	return []harness.Event{
		{Time: at(0), Kind: harness.EventRunStarted, Run: &info},
		{Time: at(0.1), Kind: harness.EventStageStarted, Stage: "source"},
		{Time: at(0.1), Kind: harness.EventLog, Stage: "source", Level: "info", Message: "Generating 5000000 synthetic rows"},
		{Time: at(0.2), Kind: harness.EventStageStarted, Stage: "destination"},
		{Time: at(1.5), Kind: harness.EventProgress, Stage: "source",
			Stats: &harness.Stats{Rows: 3_250_000, Batches: 65, Bytes: 117_440_512, ExpectedRows: 5_000_000, Seconds: 1.5}},
		{Time: at(1.5), Kind: harness.EventProgress, Stage: "destination",
			Stats: &harness.Stats{Rows: 1_200_000, Batches: 24, Bytes: 43_352_064, Seconds: 1.3}},
	}
}
