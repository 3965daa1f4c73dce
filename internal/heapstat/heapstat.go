// Package heapstat measures the Go heap for tests that show memory does
// not grow with their input: the live heap once collections stop freeing,
// and the largest live heap while a function runs. For benchmarks it also
// reads the process's CPU time and peak resident set.
package heapstat

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// Live returns the heap in use once full collections stop freeing
// anything. One collection is not enough: it moves sync.Pool contents to
// the pools' victim caches and keeps what finalizers and cleanups reach
// until they have run, so garbage an earlier test left behind would count
// here and be freed during the measurement that follows. (A CI run once
// measured a retained heap of -939 KiB after one collection; that is the
// likeliest cause, though it did not happen again here.)
func Live() int64 {
	var ms runtime.MemStats
	last := int64(-1)
	for range 5 {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		live := int64(ms.HeapAlloc)
		if last >= 0 && live >= last-4<<10 {
			return min(live, last)
		}
		last = live
	}
	return last
}

// PeakLive runs fn and returns the largest live heap reported at the end
// of a GC cycle while it ran. Callers make cycles frequent
// (debug.SetGCPercent) so that the peak is seen.
func PeakLive(fn func() error) (int64, error) {
	runtime.GC()
	stop := make(chan struct{})
	var peak int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			metrics.Read(s)
			peak = max(peak, int64(s[0].Value.Uint64()))
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Microsecond):
			}
		}
	}()
	err := fn()
	runtime.GC()
	close(stop)
	wg.Wait()
	return peak, err
}
