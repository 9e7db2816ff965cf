package fakes3

import "fmt"

// DirError is Start's error when Options.Dir cannot be made or opened. It
// is a type so that a caller can say it in its own terms (the flag its
// user gave) rather than this package's field name.
type DirError struct {
	Dir string // Options.Dir as given
	Op  string // what failed: "resolve", "create", "open disk backend at"
	Err error
}

func (e *DirError) Error() string {
	return fmt.Sprintf("fakes3: %s Options.Dir %s: %v", e.Op, e.Dir, e.Err)
}

// Unwrap returns the cause (an *os.PathError, mostly).
func (e *DirError) Unwrap() error { return e.Err }

// ListenError is Start's error when Options.Addr cannot be listened on.
type ListenError struct {
	Addr string // Options.Addr as given
	Err  error
}

func (e *ListenError) Error() string {
	return fmt.Sprintf("fakes3: listen on %s (Options.Addr): %v", e.Addr, e.Err)
}

// Unwrap returns net.Listen's error.
func (e *ListenError) Unwrap() error { return e.Err }
