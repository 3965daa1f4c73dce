package repart

import (
	"sync/atomic"
	"testing"
)

func TestWritebackStartsEveryFewMegabytes(t *testing.T) {
	var starts atomic.Int64
	block := make(chan struct{})
	wb := startWritebackWith(func() {
		<-block // a full device queue: the request blocks
		starts.Add(1)
	})
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
