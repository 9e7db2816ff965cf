//go:build !unix

package harness

import (
	"errors"
	"os"
)

// CaptureOutput is not available where file descriptors cannot be
// redirected: a connector's own output then goes where it goes.
func (r *Run) CaptureOutput() (*Output, error) {
	return nil, errors.New("capturing fd 1 and 2 needs a unix system")
}

// Output is the captured fd 1 and 2; never made on this system.
type Output struct {
	// Stdout and Stderr are the original descriptors.
	Stdout, Stderr *os.File
}

// Restore does nothing here.
func (o *Output) Restore() error { return nil }

func (o *Output) attach(*emitter) {}
func (o *Output) detach()         {}
func (o *Output) enter(string)    {}
func (o *Output) leave(string)    {}
