package harness_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"connector-dev/connectors"
	"connector-dev/harness"
)

// swallowDest says it loads in one transaction but returns nil whatever
// RunBatches returned: it would commit a failed source's rows.
type swallowDest struct{}

func (swallowDest) LoadsInOneTransaction() bool { return true }
func (swallowDest) Batch(context.Context, connectors.Runtime, *connectors.Frame) error {
	return nil
}
func (swallowDest) Run(ctx context.Context, rt connectors.Runtime) error {
	_ = rt.RunBatches(ctx)
	return nil
}

func init() {
	connectors.RegisterDestination("swallowdst", func() connectors.Destination { return swallowDest{} })
}

// A Transactional destination that ignores the rollback is the run's
// failure, named as such, not a run that says "rolled back".
func TestOverlapBrokenPromiseIsAnError(t *testing.T) {
	opts := overlapProject(t, "half", connectors.Append)
	yaml := testYAML + "overlapsrc:\n  kind: source\n  credentials: []\n  env: []\nswallowdst:\n  kind: destination\n  credentials: []\n  env: []\n"
	if err := os.WriteFile(filepath.Join(opts.Dir, "connectors.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	job := fmt.Sprintf(`{"ETLJobNM": "overlap-job", "SourceObjectID": "half", "DestinationObjectID": "t",
		"SourceConnectorNM": "overlapsrc", "DestinationConnectorNM": "swallowdst", "UpdateMethodCD": %d}`, connectors.Append)
	if err := os.WriteFile(filepath.Join(opts.Dir, "fixtures/overlapsrc/job.json"), []byte(job), 0o644); err != nil {
		t.Fatal(err)
	}
	var c collect
	rep := rerun(t, opts, context.Background(), harness.SinkFunc(func(e harness.Event) {
		c.Emit(e)
		if e.Kind == harness.EventBatchRead {
			select {
			case overlapRead <- struct{}{}:
			default:
			}
		}
	}))
	out := c.text()
	if rep.Exit.Reason != connectors.Error || !strings.Contains(rep.Exit.Message, "broke connectors.Transactional's promise") {
		t.Fatalf("exit %+v, want error naming the broken promise\n%s", rep.Exit, out)
	}
	if strings.Contains(out, "rolled back, nothing of this run kept") {
		t.Errorf("the run claims a rollback the destination did not do:\n%s", out)
	}
}
