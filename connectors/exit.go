package connectors

import (
	"errors"
	"fmt"
)

// ExitReason is why a run ended. The words are the ones a user sees in the
// report, the exit banner and the headless summary.
type ExitReason string

// The exit reasons of a run; Code gives each its process exit code.
const (
	Success     ExitReason = "success"
	NoFail      ExitReason = "no_fail"
	Error       ExitReason = "error"
	Unhandled   ExitReason = "unhandled"
	Setup       ExitReason = "setup"
	Expectation ExitReason = "expectation"
	Timeout     ExitReason = "timeout"
	Interrupted ExitReason = "interrupted"
)

// ExitReasons lists every reason, in the order of the documented table.
var ExitReasons = []ExitReason{Success, NoFail, Error, Unhandled, Setup, Expectation, Timeout, Interrupted}

// Code is the process exit code documented for the reason.
func (r ExitReason) Code() int {
	switch r {
	case Success, NoFail:
		return 0
	case Error:
		return 1
	case Unhandled:
		return 2
	case Setup:
		return 3
	case Expectation:
		return 4
	case Timeout:
		return 124
	case Interrupted:
		return 130
	}
	return 2
}

// Failed reports whether the reason counts as a failed run.
func (r ExitReason) Failed() bool { return r.Code() != 0 }

// ExitError is the error the Runtime's ending calls (LogErr, LogUnhandled,
// ExitNoFail) return, and what the harness classifies a stage's end by.
// Connectors return it as they got it.
type ExitError struct {
	Reason  ExitReason
	Message string
}

func (e *ExitError) Error() string {
	if e.Message == "" {
		return string(e.Reason)
	}
	return string(e.Reason) + ": " + e.Message
}

// Exitf builds an ExitError with a reason of the caller's choosing, for a
// runtime that must end a connector with a reason of its own (a mapping
// naming a column the source lacks is setup; an S3 failure is error).
func Exitf(reason ExitReason, format string, args ...any) *ExitError {
	return &ExitError{Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// ReasonOf classifies an error returned by a connector: nil is Success, an
// ExitError keeps its reason, anything else is Unhandled.
func ReasonOf(err error) (ExitReason, string) {
	if err == nil {
		return Success, ""
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Reason, ee.Message
	}
	return Unhandled, err.Error()
}
