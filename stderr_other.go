//go:build !unix

package main

// captureStderr is a no-op where file descriptors cannot be redirected.
func captureStderr(string) func() string { return func() string { return "" } }
