package main

import (
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// defaultMemoryLimit is the Go heap target when GOMEMLIMIT is not set:
// trees of a few hundred thousand files and the writers' buffers fit well
// below it, and the garbage collector then keeps the peak RSS of a large
// image build under 256 MiB instead of letting the heap double first.
const defaultMemoryLimit = 192 << 20

// nextMemoryLimit returns the soft memory limit to use when the live heap
// (what the last collection kept) is live. Near the limit the collector
// runs ever more often; once the tree's metadata alone takes most of it,
// it would run back to back and free almost nothing (a build of twice the
// large bench tree took 4× as long). Then the limit moves to 1.5× the live
// heap: a build that needs more memory gets it instead of stalling.
func nextMemoryLimit(live, limit int64) int64 {
	if live > limit/4*3 {
		return live / 2 * 3
	}
	return limit
}

// setMemoryLimit sets the default soft memory limit and keeps it above
// the live heap (nextMemoryLimit) for the rest of the process.
func setMemoryLimit() {
	limit := int64(defaultMemoryLimit)
	debug.SetMemoryLimit(limit)
	go func() {
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for range time.Tick(20 * time.Millisecond) {
			metrics.Read(s)
			if next := nextMemoryLimit(int64(s[0].Value.Uint64()), limit); next != limit {
				limit = next
				debug.SetMemoryLimit(limit)
			}
		}
	}()
}
