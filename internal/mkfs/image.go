package mkfs

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gorepart/gorepart/internal/filecopy"
	"golang.org/x/sys/unix"
)

// Extent is a byte range of a file that holds data.
type Extent struct{ Offset, Length int64 }

// DataExtents lists the data ranges of f within [0, n) with SEEK_DATA and
// SEEK_HOLE; a filesystem without them gives one range of n bytes.
func DataExtents(f *os.File, n int64) ([]Extent, error) {
	fd := int(f.Fd())
	var out []Extent
	for off := int64(0); off < n; {
		d, err := unix.Seek(fd, off, unix.SEEK_DATA)
		if errors.Is(err, unix.ENXIO) {
			break
		}
		if errors.Is(err, unix.EINVAL) && off == 0 {
			return []Extent{{0, n}}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("seeking data in %s: %w", f.Name(), err)
		}
		if d >= n {
			break
		}
		h, err := unix.Seek(fd, d, unix.SEEK_HOLE)
		if err != nil {
			return nil, fmt.Errorf("seeking a hole in %s: %w", f.Name(), err)
		}
		h = min(h, n)
		out = append(out, Extent{d, h - d})
		off = h
	}
	return out, nil
}

// CopyData copies the data ranges of src within [0, n) to the same
// offsets of dst and writes nothing over src's holes: dst must read as
// zeros there (a new image file). The kernel copies (and may reflink) when
// dst is a file (filecopy.Dest); otherwise the bytes are read and written.
func CopyData(dst io.WriterAt, src *os.File, n int64) error {
	exts, err := DataExtents(src, n)
	if err != nil {
		return err
	}
	var buf []byte
	for _, e := range exts {
		ok, err := filecopy.Copy(dst, e.Offset, src, e.Offset, e.Length)
		if err != nil {
			return err
		}
		if ok {
			continue
		}
		if buf == nil {
			buf = make([]byte, 1<<20)
		}
		for off := e.Offset; off < e.Offset+e.Length; {
			k := int(min(int64(len(buf)), e.Offset+e.Length-off))
			if _, err := src.ReadAt(buf[:k], off); err != nil {
				return fmt.Errorf("reading %s: %w", src.Name(), err)
			}
			if _, err := dst.WriteAt(buf[:k], off); err != nil {
				return fmt.Errorf("writing the image: %w", err)
			}
			off += int64(k)
		}
	}
	return nil
}

// TempImage creates an empty file of size bytes (sparse) in dir for a
// program to make a filesystem in; the caller removes it.
func TempImage(dir, pattern string, size int64) (*os.File, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, fmt.Errorf("creating a temporary image: %w", err)
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("sizing a temporary image: %w", err)
	}
	return f, nil
}

// RemoveTemp closes and removes a temporary image.
func RemoveTemp(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}
