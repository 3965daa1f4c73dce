package repart

import (
	"os"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// writebackEvery is how many bytes may be written to the image before the
// kernel is asked to start writing them to disk.
const writebackEvery = 32 << 20

// writeback asks the kernel to start writing the image's dirty pages to
// disk while the build goes on (sync_file_range with
// SYNC_FILE_RANGE_WRITE), so disk writes overlap the work of producing
// the next bytes instead of all waiting for the final fsync. Left alone,
// the kernel starts only when dirty pages reach a tenth of memory, which
// on a builder with gigabytes of RAM is after most images are complete.
//
// The request runs on its own goroutine because it may block while the
// device queue is full; writers never wait for it. It is only a hint:
// errors are ignored and the final fsync still makes the image durable.
type writeback struct {
	pending atomic.Int64
	kick    chan struct{}
	done    chan struct{}
	once    sync.Once
}

func startWriteback(f *os.File) *writeback {
	return startWritebackWith(func() {
		_ = unix.SyncFileRange(int(f.Fd()), 0, 0, unix.SYNC_FILE_RANGE_WRITE)
	})
}

// startWritebackWith runs start for every request (tests count them).
func startWritebackWith(start func()) *writeback {
	wb := &writeback{kick: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		defer close(wb.done)
		for range wb.kick {
			start()
		}
	}()
	return wb
}

// wrote counts n bytes written to the image and starts writeback when
// enough have gathered since the last start.
func (wb *writeback) wrote(n int64) {
	if wb == nil || wb.pending.Add(n) < writebackEvery {
		return
	}
	wb.pending.Store(0)
	select {
	case wb.kick <- struct{}{}:
	default: // one is already waiting to run
	}
}

// stop ends the goroutine; it may be called more than once.
func (wb *writeback) stop() {
	if wb == nil {
		return
	}
	wb.once.Do(func() { close(wb.kick) })
	<-wb.done
}
