package filecopy

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// Extent is a byte range of a file that holds data; the ranges between
// extents are holes (read as zeros).
type Extent struct{ Offset, Length int64 }

// DataExtents lists the data ranges of f within [off, off+n), found with
// SEEK_DATA and SEEK_HOLE. On a filesystem without them, what is left of
// the range is one extent.
func DataExtents(f *os.File, off, n int64) ([]Extent, error) {
	fd := int(f.Fd())
	var out []Extent
	for pos, end := off, off+n; pos < end; {
		data, err := unix.Seek(fd, pos, unix.SEEK_DATA)
		if errors.Is(err, unix.ENXIO) { // only a hole is left
			break
		}
		if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EOPNOTSUPP) {
			return append(out, Extent{pos, end - pos}), nil
		}
		if err != nil {
			return nil, fmt.Errorf("seeking data in %s: %w", f.Name(), err)
		}
		if data >= end {
			break
		}
		hole, err := unix.Seek(fd, data, unix.SEEK_HOLE)
		if err != nil {
			return nil, fmt.Errorf("seeking a hole in %s: %w", f.Name(), err)
		}
		hole = min(hole, end)
		out = append(out, Extent{data, hole - data})
		pos = hole
	}
	return out, nil
}

// Sparse copies n bytes of src from soff to dst at doff, skipping the
// holes of src (DataExtents): they are left unwritten in dst, which reads
// as zeros in a new image. Data ranges go through Copy (copy_file_range)
// when dst is a file, else through a buffer.
func Sparse(dst io.WriterAt, doff int64, src *os.File, soff, n int64) error {
	exts, err := DataExtents(src, soff, n)
	if err != nil {
		return err
	}
	var buf []byte
	for _, e := range exts {
		if err := copyRange(dst, doff+e.Offset-soff, src, e.Offset, e.Length, &buf); err != nil {
			return err
		}
	}
	return nil
}

// Range copies n bytes of src from soff to dst at doff, in the kernel
// where it can, else through a 1 MiB buffer.
func Range(dst io.WriterAt, doff int64, src *os.File, soff, n int64) error {
	return copyRange(dst, doff, src, soff, n, new([]byte))
}

// copyRange is Range with the buffer, allocated on first use, kept in
// *buf for the next call.
func copyRange(dst io.WriterAt, doff int64, src *os.File, soff, n int64, buf *[]byte) error {
	ok, err := Copy(dst, doff, src, soff, n)
	if err != nil || ok {
		return err
	}
	if *buf == nil {
		*buf = make([]byte, 1<<20)
	}
	r := io.NewSectionReader(src, soff, n)
	w := io.NewOffsetWriter(dst, doff)
	got, err := io.CopyBuffer(w, r, *buf)
	if err != nil {
		return fmt.Errorf("copying %s: %w", src.Name(), err)
	}
	if got != n {
		return fmt.Errorf("copying %s: file shrank while reading (%d of %d bytes)", src.Name(), got, n)
	}
	return nil
}
