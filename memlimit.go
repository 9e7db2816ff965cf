package main

import (
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// softLimitFloor is the heap size below which connector-dev asks the Go
// collector to stay while the live heap is small. A run with a transactional
// destination holds the source's batches and the destination's at once;
// GOGC=50 alone let that reach 160 MB of RSS at 5M rows, the floor keeps it
// near 140 MB for the same CPU (README, "Speed and memory").
const softLimitFloor = 100 << 20

// tuneMemoryLimit keeps a soft memory limit of the larger of softLimitFloor
// and 1.25x the live heap, re-read every 250 ms. A fixed limit would make
// the collector run back to back once the live heap nears it (a wide object,
// a big batch); following the live heap means the limit never leaves less
// than 25% headroom, so the cost is bounded like GOGC=25 in the worst case
// and nothing changes for a run whose heap stays small. GOMEMLIMIT set in
// the environment wins.
func tuneMemoryLimit() {
	setMemoryLimit()
	go func() {
		for range time.Tick(250 * time.Millisecond) {
			setMemoryLimit()
		}
	}()
}

// setMemoryLimit sets the soft limit once, from the live heap now.
func setMemoryLimit() {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	limit := int64(softLimitFloor)
	if sample[0].Value.Kind() == metrics.KindUint64 {
		if live := int64(sample[0].Value.Uint64()); live+live/4 > limit {
			limit = live + live/4
		}
	}
	debug.SetMemoryLimit(limit)
}
