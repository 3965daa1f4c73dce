package repart

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/gorepart/gorepart/internal/filecopy"
)

// copyFileInto copies size bytes of src from soff into dst at doff,
// keeping holes, in the kernel where it can (filecopy.Sparse).
func copyFileInto(dst *os.File, doff int64, src *os.File, soff, size int64) error {
	return filecopy.Sparse(dst, doff, src, soff, size)
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
