//go:build !linux

package sqlite

import "os"

// punchHole is a no-op where holes are not punched: the file keeps the
// bytes until the load removes it.
func punchHole(f *os.File, off, n int64) {}

// startWriteback is a no-op: the commit's fsync writes everything.
func startWriteback(f *os.File) {}
