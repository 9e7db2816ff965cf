package stage

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"connector-dev/connectors"
)

// Supervisor runs one connector function under the platform's rules.
// The callbacks let each runtime log in its own way; nil ones do nothing.
type Supervisor struct {
	// Ending is the connector's: its context is the one fn gets.
	Ending *Ending
	// Uploads, when set, is closed as soon as fn returns: an UploadRows
	// after that (from a goroutine fn left running) is refused.
	Uploads *Uploads
	// Panicked is told a panic's message ("panic: VALUE") and stack.
	Panicked func(msg, stack string)
	// Unhandled is told the message of a returned error that is neither
	// an ending nor a panic ("unhandled error: MESSAGE").
	Unhandled func(msg string)
	// Returned runs after fn returned and before the outcome is read:
	// a check that may still record an ending (a frame changed after it
	// was handed over).
	Returned func()
	// TimeoutMessage is the message of a run ended by its deadline. The
	// harness names its flag ("--timeout 5s passed"); empty is
	// "timeout: " and the context's error.
	TimeoutMessage string
}

// Run calls fn with the ending's context and returns the exit reason and
// message: the recorded ending if there is one (it wins over whatever fn
// returned), else the cancellation of parent if fn returned an error while
// parent was done, else what fn's error says (a panic is unhandled).
// A connector that returned nil finished its work (a destination has
// committed), even if the deadline passed as it returned.
func (s Supervisor) Run(parent context.Context, fn func(context.Context) error) (connectors.ExitReason, string) {
	var panicked bool
	err := func() (err error) {
		defer func() {
			if v := recover(); v != nil {
				panicked = true
				msg := fmt.Sprintf("panic: %v", v)
				if s.Panicked != nil {
					s.Panicked(msg, string(debug.Stack()))
				}
				err = errors.New(msg)
			}
		}()
		return fn(s.Ending.Context())
	}()
	if s.Uploads != nil {
		s.Uploads.Close()
	}
	if s.Returned != nil {
		s.Returned()
	}
	s.Ending.cancel(ErrReturned)
	if ex := s.Ending.Exit(); ex != nil {
		return ex.Reason, ex.Message
	}
	if err != nil && parent.Err() != nil {
		return Cancelled(parent, s.TimeoutMessage)
	}
	reason, msg := connectors.ReasonOf(err)
	var ee *connectors.ExitError
	if reason == connectors.Unhandled && !panicked && !errors.As(err, &ee) && s.Unhandled != nil {
		s.Unhandled("unhandled error: " + msg)
	}
	return reason, msg
}

// Cancelled is the exit of a connector whose run context ended, by its
// cause: a deadline (ErrTimeout, or a plain context deadline) is timeout
// with timeoutMsg (empty: "timeout: " and the context's error), anything
// else is interrupted.
func Cancelled(ctx context.Context, timeoutMsg string) (connectors.ExitReason, string) {
	cause := context.Cause(ctx)
	if errors.Is(cause, ErrTimeout) || errors.Is(cause, context.DeadlineExceeded) {
		if timeoutMsg == "" {
			timeoutMsg = "timeout: " + ctx.Err().Error()
		}
		return connectors.Timeout, timeoutMsg
	}
	return connectors.Interrupted, "interrupted"
}
