package harness

import (
	"bytes"
	"strings"
	"testing"
)

// The runs list counts rows and batches of one stage, the first: an
// interrupted run whose destination had taken 60 of the 100 rows the
// source stored (and rolled them back) lists 100 rows in 2 batches, not
// the destination's rows beside the source's batches.
func TestWriteRunsOneStagesCounts(t *testing.T) {
	rep := Report{RunID: "20261201-000000-abcdef", Job: "j", Connector: "synthetic", Manifest: "m",
		Exit: ExitInfo{Reason: "interrupted"}, ExitCode: 130,
		Stages: []StageReport{{Name: "source", Rows: 100, Batches: 2}, {Name: "destination", Rows: 60, Batches: 1}}}
	var b bytes.Buffer
	WriteRuns(&b, []Report{rep})
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("output:\n%s", b.String())
	}
	f := strings.Fields(lines[1])
	if got := strings.Join(f[len(f)-3:len(f)-1], " "); got != "100 2" {
		t.Errorf("rows and batches %q, want \"100 2\":\n%s", got, b.String())
	}
}
