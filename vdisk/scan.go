package vdisk

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// batchSize is how much of the raw image one read takes (at least one
// grain): large enough for few system calls, small enough that the
// buffers in flight stay a few MiB.
const batchSize = 4 * miB

// scanner reads the raw image in guest order and hands every run of
// consecutive grains that are not all zeros to a consumer. Holes of the
// raw file (SEEK_HOLE) are never read; grains that were written but hold
// only zeros are read and dropped, so the container depends on the bytes
// of the image only, not on how sparse its file is.
type scanner struct {
	src      *os.File
	size     int64
	grain    int64
	progress func(int64) error
}

// batch is one read of the image: grains [first, first+n) in buf, and the
// runs of non-zero grains among them.
type batch struct {
	first int64
	buf   []byte
	runs  [][2]int // grain index ranges within buf, [start, end)
	done  int64    // bytes of the image covered so far
	err   error
}

// each calls fn(first, data) for every run of non-zero grains, in
// increasing order; data holds whole grains (the image's last grain is
// padded with zeros) and is valid only during the call. Reading and
// zero-checking run on their own goroutine, one batch ahead of fn.
func (s *scanner) each(fn func(first int64, data []byte) error) error {
	per := max(1, batchSize/s.grain)
	free := make(chan []byte, 2)
	for range 2 {
		free <- make([]byte, per*s.grain)
	}
	out := make(chan batch, 1)
	stop := make(chan struct{})
	defer func() {
		close(stop)
		for range out { // wait for the reader to let go of the file
		}
	}()
	go s.read(per, free, out, stop)
	for b := range out {
		if b.err != nil {
			return b.err
		}
		for _, r := range b.runs {
			if err := fn(b.first+int64(r[0]), b.buf[int64(r[0])*s.grain:int64(r[1])*s.grain]); err != nil {
				return err
			}
		}
		if s.progress != nil {
			if err := s.progress(b.done); err != nil {
				return err
			}
		}
		free <- b.buf[:cap(b.buf)]
	}
	if s.progress != nil {
		return s.progress(s.size)
	}
	return nil
}

// read produces the batches of the data extents of the image.
func (s *scanner) read(per int64, free chan []byte, out chan<- batch, stop <-chan struct{}) {
	defer close(out)
	send := func(b batch) bool {
		select {
		case out <- b:
			return true
		case <-stop:
			return false
		}
	}
	grains := (s.size + s.grain - 1) / s.grain
	for next := int64(0); next < grains; {
		start, end, err := dataExtent(s.src, next*s.grain, s.size)
		if err != nil {
			send(batch{err: err})
			return
		}
		if start >= s.size {
			break
		}
		g0 := max(next, start/s.grain)
		g1 := (end + s.grain - 1) / s.grain
		for g := g0; g < g1; {
			var buf []byte
			select {
			case buf = <-free:
			case <-stop:
				return
			}
			n := min(g1-g, per)
			buf = buf[:n*s.grain]
			if err := s.readAt(buf, g*s.grain); err != nil {
				send(batch{err: err})
				return
			}
			b := batch{first: g, buf: buf, runs: nonZeroRuns(buf, s.grain), done: min((g+n)*s.grain, s.size)}
			if !send(b) {
				return
			}
			g += n
		}
		next = g1
	}
}

// readAt fills buf from the image at off, reading only its data extents:
// holes, and what lies past the end of the image, are cleared here rather
// than read (reading a hole makes the kernel fill page cache with zeros).
func (s *scanner) readAt(buf []byte, off int64) error {
	end := min(off+int64(len(buf)), s.size)
	for pos := off; pos < end; {
		start, stop, err := dataExtent(s.src, pos, end)
		if err != nil {
			return err
		}
		clear(buf[pos-off : start-off])
		if start >= end {
			break
		}
		if _, err := s.src.ReadAt(buf[start-off:stop-off], start); err != nil {
			return fmt.Errorf("reading raw image at %d: %w", start, err)
		}
		pos = stop
	}
	clear(buf[end-off:])
	return nil
}

// dataExtent returns the first range of data at or after off (SEEK_DATA,
// SEEK_HOLE), clipped to size; start >= size when there is none. A file
// system without SEEK_DATA reports everything as data.
func dataExtent(f *os.File, off, size int64) (start, end int64, err error) {
	fd := int(f.Fd())
	start, err = unix.Seek(fd, off, unix.SEEK_DATA)
	switch {
	case errors.Is(err, unix.ENXIO):
		return size, size, nil
	case errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EOPNOTSUPP):
		return off, size, nil
	case err != nil:
		return 0, 0, fmt.Errorf("finding data in raw image: %w", err)
	}
	end, err = unix.Seek(fd, start, unix.SEEK_HOLE)
	if err != nil {
		return 0, 0, fmt.Errorf("finding holes in raw image: %w", err)
	}
	return min(start, size), min(end, size), nil
}

// nonZeroRuns returns the ranges of consecutive grains of buf that are
// not all zeros.
func nonZeroRuns(buf []byte, grain int64) [][2]int {
	var runs [][2]int
	n := int(int64(len(buf)) / grain)
	for i := 0; i < n; {
		for i < n && isZero(buf[int64(i)*grain:int64(i+1)*grain]) {
			i++
		}
		j := i
		for j < n && !isZero(buf[int64(j)*grain:int64(j+1)*grain]) {
			j++
		}
		if j > i {
			runs = append(runs, [2]int{i, j})
		}
		i = j
	}
	return runs
}

// zeros is only read: comparing a chunk with it runs at memory speed.
var zeros [64 * kiB]byte

// isZero reports whether b holds only zero bytes.
func isZero(b []byte) bool {
	for len(b) > 0 {
		n := min(len(b), len(zeros))
		if string(b[:n]) != string(zeros[:n]) {
			return false
		}
		b = b[n:]
	}
	return true
}
