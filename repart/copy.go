package repart

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/gorepart/gorepart/internal/filecopy"
	"golang.org/x/sys/unix"
)

// copyFileInto copies size bytes of src from soff into dst at doff,
// keeping holes (SEEK_DATA/SEEK_HOLE) and using copy_file_range, which
// lets the kernel reflink or copy without passing data through user space.
func copyFileInto(dst *os.File, doff int64, src *os.File, soff, size int64) error {
	pos, end := soff, soff+size
	for pos < end {
		data, err := unix.Seek(int(src.Fd()), pos, unix.SEEK_DATA)
		if err != nil {
			if errors.Is(err, unix.ENXIO) { // only a hole is left
				return nil
			}
			if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EOPNOTSUPP) {
				return copyRange(dst, doff+pos-soff, src, pos, end-pos)
			}
			return fmt.Errorf("seeking data in %s: %w", src.Name(), err)
		}
		if data >= end {
			return nil
		}
		hole, err := unix.Seek(int(src.Fd()), data, unix.SEEK_HOLE)
		if err != nil {
			return fmt.Errorf("seeking hole in %s: %w", src.Name(), err)
		}
		hole = min(hole, end)
		if err := copyRange(dst, doff+data-soff, src, data, hole-data); err != nil {
			return err
		}
		pos = hole
	}
	return nil
}

// copyRange copies n bytes from src at soff to dst at doff, in the kernel
// where it can.
func copyRange(dst *os.File, doff int64, src *os.File, soff, n int64) error {
	ok, err := filecopy.Copy(dst, doff, src, soff, n)
	if err != nil || ok {
		return err
	}
	return copyRangeSlow(dst, doff, src, soff, n)
}

func copyRangeSlow(dst *os.File, doff int64, src *os.File, soff, n int64) error {
	r := io.NewSectionReader(src, soff, n)
	w := io.NewOffsetWriter(dst, doff)
	got, err := io.CopyBuffer(w, r, make([]byte, 1<<20))
	if err != nil {
		return fmt.Errorf("copying %s: %w", src.Name(), err)
	}
	if got != n {
		return fmt.Errorf("copying %s: file shrank while reading (%d of %d bytes)", src.Name(), got, n)
	}
	return nil
}

// partitionWriter is an io.WriterAt confined to one partition: offsets are
// relative to its start and writes past its end fail instead of spilling
// into the next partition.
type partitionWriter struct {
	f    *os.File
	off  int64
	size int64
	// written counts bytes written, for progress reports.
	written *atomic.Int64
	// ctx aborts a writer in the middle of its work (SIGINT, SIGTERM):
	// the next write fails.
	ctx context.Context
	// wb starts early writeback of the image.
	wb *writeback
}

func (w *partitionWriter) WriteAt(b []byte, off int64) (int, error) {
	if w.ctx != nil {
		if err := w.ctx.Err(); err != nil {
			return 0, fmt.Errorf("build interrupted: %w", err)
		}
	}
	if off < 0 || off+int64(len(b)) > w.size {
		return 0, fmt.Errorf("write of %d bytes at %d past the end of the partition (%d bytes)", len(b), off, w.size)
	}
	n, err := w.f.WriteAt(b, w.off+off)
	w.count(int64(n))
	return n, err
}

func (w *partitionWriter) count(n int64) {
	if w.written != nil {
		w.written.Add(n)
	}
	w.wb.wrote(n)
}

// Copied counts bytes a writer copied into the partition with
// copy_file_range (filecopy.Observer), and stops it when the build is
// interrupted.
func (w *partitionWriter) Copied(n int64) error {
	w.count(n)
	if w.ctx != nil {
		if err := w.ctx.Err(); err != nil {
			return fmt.Errorf("build interrupted: %w", err)
		}
	}
	return nil
}

func (w *partitionWriter) ReadAt(b []byte, off int64) (int, error) {
	if off >= w.size {
		return 0, io.EOF
	}
	if off+int64(len(b)) > w.size {
		n, err := w.f.ReadAt(b[:w.size-off], w.off+off)
		if err == nil {
			err = io.EOF
		}
		return n, err
	}
	return w.f.ReadAt(b, w.off+off)
}

// FileAt exposes the image file and the partition's offset, so writers
// can copy file data with copy_file_range (filecopy.FileAt).
func (w *partitionWriter) FileAt() (*os.File, int64) { return w.f, w.off }
