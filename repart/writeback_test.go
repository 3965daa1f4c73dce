package repart

import (
	"runtime"
	"sync/atomic"
	"testing"
)

func TestWritebackStartsEveryFewMegabytes(t *testing.T) {
	var starts atomic.Int64
	block := make(chan struct{})
	wb := startWritebackWith(func() {
		<-block // a full device queue: the request blocks
		starts.Add(1)
	}, func() { t.Error("a flush among the first two requests") })
	wb.wrote(writebackEvery - 1)
	wb.wrote(1) // reaches the threshold: one request, which blocks
	for i := 0; i < 10; i++ {
		// Writers go on while the request blocks; at most one more
		// request waits for it.
		wb.wrote(writebackEvery)
	}
	close(block)
	wb.stop()
	wb.stop()
	if n := starts.Load(); n < 1 || n > 2 {
		t.Errorf("%d writeback requests, want 1 or 2 (one running, at most one waiting)", n)
	}
	var nilWB *writeback
	nilWB.wrote(writebackEvery) // a builder without an image file
	nilWB.stop()
}

func TestWritebackFlushesEveryFewRequests(t *testing.T) {
	var starts, flushes atomic.Int64
	wb := startWritebackWith(func() { starts.Add(1) }, func() { flushes.Add(1) })
	for i := 0; i < 4*flushEvery; i++ {
		wb.wrote(writebackEvery)
		for starts.Load()+flushes.Load() < int64(i+1) {
			runtime.Gosched() // each request runs before the next comes
		}
	}
	wb.stop()
	if s, f := starts.Load(), flushes.Load(); f != 4 || s != 4*(flushEvery-1) {
		t.Errorf("%d writeback starts and %d flushes, want %d and 4", s, f, 4*(flushEvery-1))
	}
}
