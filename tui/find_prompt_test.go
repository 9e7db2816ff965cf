package tui

import (
	"strings"
	"testing"
)

// / opens the prompt empty, so typing is a new query, while n and N still
// repeat the last one; after N wraps into another batch, on an 80-column
// terminal, the footer still says n is the next match.
func TestFindPromptEmptyAndNextShown(t *testing.T) {
	m := sized(80, 24)
	feed(m, runEvents(0)...)
	openBatch(t, m)
	press(m, "l") // account_name
	press(m, "/")
	typeText(m, "account-11")
	drain(t, m, press(m, "enter"))
	if !strings.Contains(footer(m), `found "account-11" in batch 1`) {
		t.Fatalf("first find: %q", footer(m))
	}
	press(m, "/")
	if f := footer(m); !strings.HasPrefix(f, "find in account_name: ") || strings.Contains(f, "account-11") {
		t.Fatalf("/ opened the prompt with the last query: %q", f)
	}
	typeText(m, "account-1")
	if f := footer(m); !strings.Contains(f, "find in account_name: account-1") || strings.Contains(f, "account-11account-1") {
		t.Fatalf("typing did not make a new query: %q", f)
	}
	press(m, "esc")
	drain(t, m, press(m, "N")) // back from batch 1 row 12: wraps into batch 3
	f := footer(m)
	if !strings.Contains(f, `found "account-11" in batch 3`) {
		t.Fatalf("N did not wrap into batch 3 with the last query: %q", f)
	}
	if !strings.Contains(f, "n next match") {
		t.Errorf("after N into another batch the footer lost n: %q", f)
	}
}
