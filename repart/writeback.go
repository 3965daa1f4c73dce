package repart

import (
	"os"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// writebackEvery is how many bytes may be written to the image before the
// kernel is asked to start writing them to disk; every flushEvery-th
// request is an fdatasync instead.
const (
	writebackEvery = 32 << 20
	flushEvery     = 4
)

// writeback asks the kernel to start writing the image's dirty pages to
// disk while the build goes on (sync_file_range with
// SYNC_FILE_RANGE_WRITE), so disk writes overlap the work of producing
// the next bytes instead of all waiting for the final fsync. Left alone,
// the kernel starts only when dirty pages reach a tenth of memory, which
// on a builder with gigabytes of RAM is after most images are complete.
//
// Written back is not yet durable: a disk with a write cache holds it
// until the final fsync flushes that cache, which then takes as long for
// 450 MB written back a second earlier as for 450 MB just written (0.25 s
// on the benchmark machine). So every fourth request is an fdatasync,
// which flushes what was written back so far while the build goes on,
// and the final fsync finds little left (0.04 s).
//
// The requests run on their own goroutine because they block while the
// device works; writers never wait for them. They are only hints: errors
// are ignored and the final fsync still makes the image durable.
type writeback struct {
	pending atomic.Int64
	kick    chan struct{}
	done    chan struct{}
	once    sync.Once
}

func startWriteback(f *os.File) *writeback {
	fd := int(f.Fd())
	return startWritebackWith(func() {
		_ = unix.SyncFileRange(fd, 0, 0, unix.SYNC_FILE_RANGE_WRITE)
	}, func() {
		_ = unix.Fdatasync(fd)
	})
}

// startWritebackWith runs start for every request but every flushEvery-th,
// which runs flush (tests count them).
func startWritebackWith(start, flush func()) *writeback {
	wb := &writeback{kick: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		defer close(wb.done)
		n := 0
		for range wb.kick {
			if n++; n%flushEvery == 0 {
				flush()
			} else {
				start()
			}
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
