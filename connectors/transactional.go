package connectors

import "errors"

// Transactional is implemented by a destination that loads a whole run in
// one transaction. When LoadsInOneTransaction reports true, the runtime may
// start the destination while the source is still uploading, instead of
// after it (as the platform runs them): the result cannot change, and the
// two stages' work overlaps.
//
// What the destination promises by returning true:
//
//   - Nothing it writes is visible to anyone else before rt.RunBatches has
//     returned nil: every write is inside its one transaction.
//   - It commits only after rt.RunBatches returned nil, and never after it
//     returned an error: then it rolls back and returns that error (as it
//     got it, or wrapped).
//   - It does not return nil before rt.RunBatches has returned.
//
// What the runtime does in exchange: RunBatches hands the destination each
// batch, in order, as soon as the source's uploader has stored it, after
// checking the object against the size and checksum the uploader recorded.
// It returns only once the source has ended: nil when the source succeeded
// and its manifest lists exactly the batches handed over; otherwise an error
// that wraps ErrSourceFailed (the source failed, was stopped, or ended with
// ExitNoFail), and the destination's context is cancelled. If the
// destination fails first, the source is stopped and the run ends with the
// destination's reason.
//
// The transaction stays open while the source runs: SQLite holds the
// database file's write lock from the first batch stored until the source
// ends, and PostgreSQL an idle transaction (the postgres destination turns
// off idle_in_transaction_session_timeout for it).
//
// A destination that does not implement Transactional, or returns false,
// runs after the source succeeded, over the batches its manifest lists.
type Transactional interface {
	Destination
	// LoadsInOneTransaction reports whether this destination keeps the
	// promise above for the run it is about to do.
	LoadsInOneTransaction() bool
}

// ErrSourceFailed is wrapped by the error RunBatches returns to a
// Transactional destination whose source did not succeed: the destination
// rolls back.
var ErrSourceFailed = errors.New("the source did not succeed")
