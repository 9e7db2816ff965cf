package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"connector-dev/connectors"
	"connector-dev/harness"
)

// printColumnSummary prints `inspect RUN --summary`: the table, or with --json the
// array. A run that cannot be read is one line and exit 3; Ctrl-C is 130.
func printColumnSummary(ctx context.Context, c *call, past *harness.PastRuns, runID string, o inspectFlags) int {
	cols, err := harness.SummarizeRun(ctx, c.state(), past, runID, o.batch, harness.SummaryOptions{})
	if errors.Is(err, context.Canceled) || errors.Is(err, harness.ErrInterrupted) {
		fmt.Fprintln(c.Stderr, "interrupted")
		return connectors.Interrupted.Code()
	}
	if err != nil {
		return c.fail("%v", err)
	}
	var w io.Writer = c.Stdout
	if o.json {
		err = harness.WriteSummaryJSON(w, cols)
	} else {
		err = harness.WriteSummary(w, cols)
	}
	if err != nil {
		return c.fail("%v", err)
	}
	return 0
}
