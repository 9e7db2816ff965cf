package harness

import (
	"os"
	"path/filepath"
	"strings"
)

// crashLogName is the file of a run's folder the Go runtime writes a fatal
// error's trace to (debug.SetCrashOutput).
const crashLogName = "crash.log"

// crashPrefix opens the message of an incomplete run that died of a Go
// fatal error, so listings can tell it from a kill.
const crashPrefix = "the process died of a Go fatal error: see "

// crashNote is the message of an incomplete run whose folder holds a
// non-empty crash.log, or "". An empty one (left by kill -9, which gives
// the runtime no chance to write) says nothing and is removed.
func crashNote(runDir string) string {
	p := filepath.Join(runDir, crashLogName)
	info, err := os.Stat(p)
	if err != nil {
		return ""
	}
	if info.Size() == 0 {
		os.Remove(p)
		return ""
	}
	return crashPrefix + p
}

// CrashNote is "the process died of a Go fatal error: see DIR/crash.log"
// for an incomplete run that left a crash.log, else "": what listings of
// past runs say of it.
func (r *Report) CrashNote() string {
	if !r.Incomplete() || !strings.HasPrefix(r.Exit.Message, crashPrefix) {
		return ""
	}
	note, _, _ := strings.Cut(r.Exit.Message, "; ")
	return note
}
