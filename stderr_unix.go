//go:build unix

package main

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// captureStderr sends file descriptor 2 to dir/stderr.log while the
// dashboard owns the terminal: a library that prints there (parquet-go
// println()s warnings about corrupt pages) would otherwise scribble over the
// screen. The returned func restores it and gives the log's path when
// anything was written.
func captureStderr(dir string) func() string {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return func() string { return "" }
	}
	path := filepath.Join(dir, "stderr.log")
	f, err := os.Create(path)
	if err != nil {
		return func() string { return "" }
	}
	saved, err := unix.Dup(2)
	if err != nil || unix.Dup2(int(f.Fd()), 2) != nil {
		f.Close()
		os.Remove(path)
		return func() string { return "" }
	}
	return func() string {
		unix.Dup2(saved, 2)
		unix.Close(saved)
		info, err := f.Stat()
		f.Close()
		if err != nil || info.Size() == 0 {
			os.Remove(path)
			return ""
		}
		return path
	}
}
