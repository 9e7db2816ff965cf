package connectors

import (
	"errors"
	"fmt"
	"testing"
)

func TestExitCodes(t *testing.T) {
	// The table "Exit reasons and codes" of the design document.
	want := []struct {
		reason ExitReason
		word   string
		code   int
		failed bool
	}{
		{Success, "success", 0, false},
		{NoFail, "no_fail", 0, false},
		{Error, "error", 1, true},
		{Unhandled, "unhandled", 2, true},
		{Setup, "setup", 3, true},
		{Expectation, "expectation", 4, true},
		{Timeout, "timeout", 124, true},
		{Interrupted, "interrupted", 130, true},
	}
	if len(ExitReasons) != len(want) {
		t.Fatalf("ExitReasons has %d reasons, the table %d", len(ExitReasons), len(want))
	}
	for i, w := range want {
		r := ExitReasons[i]
		if r != w.reason || string(r) != w.word || r.Code() != w.code || r.Failed() != w.failed {
			t.Errorf("ExitReasons[%d] = %q code %d failed %v, want %q code %d failed %v", i, r, r.Code(), r.Failed(), w.word, w.code, w.failed)
		}
	}
	// A reason the table lacks fails as unhandled does.
	if r := ExitReason("bogus"); r.Code() != 2 || !r.Failed() {
		t.Errorf("unknown reason: code %d failed %v, want 2 true", r.Code(), r.Failed())
	}
}

func TestReasonOf(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		reason ExitReason
		msg    string
		text   string // err.Error()
	}{
		{"nil", nil, Success, "", ""},
		{"exit error", &ExitError{Reason: Error, Message: "bad token"}, Error, "bad token", "error: bad token"},
		{"exit error without message", &ExitError{Reason: NoFail}, NoFail, "", "no_fail"},
		{"wrapped exit error keeps its reason and message", fmt.Errorf("step: %w", Exitf(Setup, "no column %q", "x")), Setup, `no column "x"`,
			`step: setup: no column "x"`},
		{"plain error", errors.New("boom"), Unhandled, "boom", "boom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reason, msg := ReasonOf(tc.err)
			if reason != tc.reason || msg != tc.msg {
				t.Errorf("ReasonOf = %s %q, want %s %q", reason, msg, tc.reason, tc.msg)
			}
			if tc.err != nil && tc.err.Error() != tc.text {
				t.Errorf("Error() = %q, want %q", tc.err.Error(), tc.text)
			}
		})
	}
}
