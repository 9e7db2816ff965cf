package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"connector-dev/harness"
)

// The past runs list moves with the same keys as every other list: end and
// home reach the last and the first run, the page keys move a page.
func TestRunListNavKeys(t *testing.T) {
	keys := newKeyMap()
	var runs []harness.Report
	for i := 1; i <= 8; i++ {
		runs = append(runs, harness.Report{RunID: fmt.Sprintf("run-%d", i), Connector: "synthetic"})
	}
	l := newRunList(context.Background(), asciiStyles(), &keys, runs, nil)
	l.SetSize(100, 4) // the header and three runs
	cursorRun := func() string {
		for _, line := range strings.Split(l.View(), "\n") {
			if strings.HasPrefix(line, ">") {
				return strings.Fields(strings.TrimLeft(line, ">* "))[0]
			}
		}
		return ""
	}
	for _, step := range []struct{ key, want string }{
		{"end", "run-8"},
		{"pgup", "run-4"},
		{"home", "run-1"},
		{"pgdown", "run-5"},
		{"down", "run-6"},
		{"up", "run-5"},
	} {
		l.Update(keyMsg(step.key))
		if got := cursorRun(); got != step.want {
			t.Errorf("after %s the cursor is on %q, want %q\n%s", step.key, got, step.want, l.View())
		}
	}
}
