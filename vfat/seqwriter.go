package vfat

import (
	"io"
	"sync"
)

// seqWriter collects writes at increasing offsets into large buffers and
// hands them to the destination in big sequential WriteAt calls, made by a
// background goroutine so reading the next files overlaps writing the
// previous ones. Small gaps between writes (cluster tails) are filled with
// zeros so neighbouring small files go out together; larger gaps stay
// holes. The first write error sticks.
type seqWriter struct {
	dst io.WriterAt
	buf []byte
	off int64 // file offset of buf[0]

	free chan []byte
	jobs chan seqJob
	done chan struct{}
	once sync.Once
	mu   sync.Mutex
	err  error
}

type seqJob struct {
	b   []byte
	off int64
	// done, when set, is called after b was written instead of b going
	// back to the free buffers (b is not one of them).
	done func()
}

const (
	seqBufSize = 4 << 20
	seqBufs    = 3 // one filling, up to two queued or being written
	seqMaxGap  = 64 << 10
)

func newSeqWriter(dst io.WriterAt) *seqWriter {
	w := &seqWriter{dst: dst, free: make(chan []byte, seqBufs), jobs: make(chan seqJob, seqBufs), done: make(chan struct{})}
	for i := 1; i < seqBufs; i++ {
		w.free <- make([]byte, 0, seqBufSize)
	}
	w.buf = make([]byte, 0, seqBufSize)
	go w.run()
	return w
}

func (w *seqWriter) run() {
	defer close(w.done)
	for j := range w.jobs {
		if w.failed() == nil {
			if _, err := w.dst.WriteAt(j.b, j.off); err != nil {
				w.mu.Lock()
				w.err = err
				w.mu.Unlock()
			}
		}
		if j.done != nil {
			j.done()
			continue
		}
		w.free <- j.b[:0]
	}
}

func (w *seqWriter) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// at returns a zeroed slice of n bytes (n <= seqBufSize) that will be
// written at offset off, which must not lie before earlier writes.
func (w *seqWriter) at(off int64, n int) ([]byte, error) {
	end := w.off + int64(len(w.buf))
	if len(w.buf) > 0 && (off-end > seqMaxGap || int64(len(w.buf))+off-end+int64(n) > seqBufSize) {
		if err := w.flush(); err != nil {
			return nil, err
		}
	}
	if len(w.buf) == 0 {
		w.off = off
	}
	start := len(w.buf)
	w.buf = w.buf[:int(off-w.off)+n]
	clear(w.buf[start:])
	return w.buf[int(off-w.off):], nil
}

// write copies p to offset off, in buffer-sized pieces.
func (w *seqWriter) write(off int64, p []byte) error {
	for len(p) > 0 {
		n := min(len(p), seqBufSize)
		b, err := w.at(off, n)
		if err != nil {
			return err
		}
		copy(b, p[:n])
		p, off = p[n:], off+int64(n)
	}
	return nil
}

// flush queues the filled buffer for writing and takes a free one.
func (w *seqWriter) flush() error {
	if err := w.failed(); err != nil {
		return err
	}
	if len(w.buf) == 0 {
		return nil
	}
	w.jobs <- seqJob{b: w.buf, off: w.off}
	w.buf = <-w.free
	return nil
}

// writeOwned queues b, which is not one of the writer's buffers, to be
// written at off; done is called once it was written (or skipped after an
// error).
func (w *seqWriter) writeOwned(off int64, b []byte, done func()) error {
	if err := w.flush(); err != nil {
		done()
		return err
	}
	w.jobs <- seqJob{b: b, off: off, done: done}
	return nil
}

// close writes what is buffered, waits for the writes to finish and
// returns the first error. It may be called more than once.
func (w *seqWriter) close() error {
	err := w.flush()
	w.once.Do(func() { close(w.jobs) })
	<-w.done
	if werr := w.failed(); werr != nil {
		return werr
	}
	return err
}

// abort stops the writer without writing what is buffered.
func (w *seqWriter) abort() {
	w.once.Do(func() { close(w.jobs) })
	<-w.done
}
