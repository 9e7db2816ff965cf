package harness

import (
	"context"
	"sync"
	"testing"
	"time"

	"connector-dev/connectors"
	"connector-dev/connectors/stage"
	"connector-dev/harness/codec"
)

// A batch whose frame no longer matches the fingerprint taken when it was
// handed over is not encoded: the source ends as unhandled, the line is
// logged, and nothing reaches S3. (Under a real source the change races
// the encoder, so this feeds the pipeline a batch directly.)
func TestChangedFrameIsNotEncoded(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	x := &execution{em: &emitter{scrub: newScrubber(nil), clock: time.Now, sink: SinkFunc(func(e Event) {
		if e.Kind == EventLog {
			mu.Lock()
			lines = append(lines, string(e.Level)+" "+e.Message)
			mu.Unlock()
		}
	})}}
	ctx := context.Background()
	st := &stageRun{x: x, name: StageSource, connector: "t", ending: stage.NewEnding(ctx), started: time.Now()}
	c, err := codec.ByName("parquet")
	if err != nil {
		t.Fatal(err)
	}
	// No S3 listens here: a batch that got past the check would fail its PUT.
	store := NewStore(S3Config{Endpoint: "http://127.0.0.1:1", Region: "us-east-1", AccessKey: "ak", SecretKey: "sk", Bucket: "b"})
	u := newUploader(ctx, st, store, c, "p/", 100)
	f := connectors.NewFrame(connectors.Field{Name: "id", Type: connectors.Int64})
	f.AppendRow(int64(1))
	handed := stage.FingerprintOf(f)
	f.Col("id").Ints[0] = 2 // changed after the hand-over
	u.encCh <- batchJob{index: 1, key: batchKey("p/", 1, c.Ext()), frame: f, fp: handed}
	u.finish()
	if ex := st.ending.Exit(); ex == nil || ex.Reason != connectors.Unhandled || ex.Message != stage.MsgChanged {
		t.Errorf("ending %v, want unhandled: %s", ex, stage.MsgChanged)
	}
	if n := len(u.written()); n != 0 {
		t.Errorf("%d batches stored, want none", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lines) != 1 || lines[0] != "error "+stage.MsgChanged {
		t.Errorf("log lines %q, want the ending once", lines)
	}
}
