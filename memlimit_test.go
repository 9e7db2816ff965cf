package main

import (
	"runtime/debug"
	"testing"
)

// The soft limit is at least the floor, and follows a live heap bigger
// than the floor so a wide run is not collected back to back.
func TestTuneMemoryLimitFollowsLiveHeap(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(old)
	setMemoryLimit()
	if got := debug.SetMemoryLimit(-1); got < softLimitFloor {
		t.Fatalf("limit %d below the floor %d", got, softLimitFloor)
	}
	big := make([][]byte, 0, 200)
	for range 200 {
		big = append(big, make([]byte, 1<<20)) // 200 MiB live
	}
	debug.FreeOSMemory() // a GC, so the live heap metric counts them
	setMemoryLimit()
	got := debug.SetMemoryLimit(-1)
	if got < 200<<20+50<<20 {
		t.Fatalf("with 200 MiB live the limit is %d MiB; want at least 250", got>>20)
	}
	_ = big[len(big)-1][0]
}
