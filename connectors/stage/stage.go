// Package stage holds the rules of a running connector, once: how it ends
// (the first ending wins and stops its context), how its function is
// supervised (a panic, a returned error, a cancelled run), what UploadRows
// accepts and how a destination's batches are renamed by the mapping.
// Package harness runs connectors under these rules and
// connectors/connectortest fakes the runtime under the same ones, so a
// connector that passes its unit test behaves the same under the harness.
//
// It imports only package connectors: a runtime brings its own logging and
// storage, and tells the rules how through small callbacks.
package stage

import (
	"context"
	"errors"
	"sync"

	"connector-dev/connectors"
)

// The names of a run's two stages, as reports, events and the log show them.
const (
	Source      = "source"
	Destination = "destination"
)

// The causes a connector's context is cancelled with. ErrInterrupted and
// ErrTimeout are what a caller (Ctrl-C, --timeout) cancels a run with and
// pick the exit reason; ErrEnded follows LogErr, LogUnhandled and
// ExitNoFail; ErrReturned follows the connector's Run returning, so a
// goroutine it left behind stops too.
var (
	ErrInterrupted = errors.New("interrupted")
	ErrTimeout     = errors.New("timeout")
	ErrEnded       = errors.New("connector ended")
	ErrReturned    = errors.New("connector returned")
)

// Ending records how a connector ended. The first ending wins: a later
// LogErr after ExitNoFail does not change the reason. Recording one cancels
// the connector's context, so work stops even if the connector drops the
// returned error.
type Ending struct {
	ctx    context.Context
	cancel context.CancelCauseFunc

	mu   sync.Mutex
	exit *connectors.ExitError
}

// NewEnding returns the ending of one connector run and derives its context
// from parent. Release it when the run is over.
func NewEnding(parent context.Context) *Ending {
	ctx, cancel := context.WithCancelCause(parent)
	return &Ending{ctx: ctx, cancel: cancel}
}

// Context is the connector's context: cancelled by an ending, by the
// connector returning, or by its parent.
func (e *Ending) Context() context.Context { return e.ctx }

// End records reason and msg unless an ending was recorded before, cancels
// the connector's context and returns the ending that holds, which the
// runtime's ending calls return.
func (e *Ending) End(reason connectors.ExitReason, msg string) error {
	e.mu.Lock()
	if e.exit == nil {
		e.exit = &connectors.ExitError{Reason: reason, Message: msg}
	}
	exit := e.exit
	e.mu.Unlock()
	e.cancel(ErrEnded)
	return exit
}

// Exit is the recorded ending, or nil.
func (e *Ending) Exit() *connectors.ExitError {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.exit
}

// Release cancels the connector's context, freeing it; the ending stays.
func (e *Ending) Release() { e.cancel(ErrReturned) }
