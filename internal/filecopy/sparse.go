package filecopy

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// Sparse copies n bytes of src from soff to dst at doff, skipping the
// holes of src (SEEK_DATA/SEEK_HOLE): they are left unwritten in dst,
// which reads as zeros in a new image. Data ranges go through Copy
// (copy_file_range) when dst is a file, else through a buffer.
func Sparse(dst io.WriterAt, doff int64, src *os.File, soff, n int64) error {
	pos, end := soff, soff+n
	for pos < end {
		data, err := unix.Seek(int(src.Fd()), pos, unix.SEEK_DATA)
		if err != nil {
			if errors.Is(err, unix.ENXIO) { // only a hole is left
				return nil
			}
			if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EOPNOTSUPP) {
				return Range(dst, doff+pos-soff, src, pos, end-pos)
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
		if err := Range(dst, doff+data-soff, src, data, hole-data); err != nil {
			return err
		}
		pos = hole
	}
	return nil
}

// Range copies n bytes of src from soff to dst at doff, in the kernel
// where it can, else through a 1 MiB buffer.
func Range(dst io.WriterAt, doff int64, src *os.File, soff, n int64) error {
	ok, err := Copy(dst, doff, src, soff, n)
	if err != nil || ok {
		return err
	}
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
