package ext4

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// FileAt can be implemented by a destination WriterAt that writes into a
// file at a fixed offset (an image assembler's partition view): Write then
// copies large files with copy_file_range, which lets the kernel copy (or
// reflink) without passing the data through user space. An *os.File
// destination is used at offset 0.
type FileAt interface {
	FileAt() (f *os.File, offset int64)
}

// copyRangeMin is the smallest file copied with copy_file_range; smaller
// ones are gathered into large buffered writes.
const copyRangeMin = 1 << 20

func (w *writer) destFile() (*os.File, int64) {
	switch d := w.dst.(type) {
	case *os.File:
		return d, 0
	case FileAt:
		return d.FileAt()
	}
	return nil, 0
}

// copyRange copies a file's extents with copy_file_range. It returns false
// (and has written nothing) when the kernel cannot copy between the two
// files, so the caller falls back to reading and writing.
func (w *writer) copyRange(n *node, ext []extent, src *os.File) (bool, error) {
	dst, base := w.destFile()
	if dst == nil {
		return false, nil
	}
	size := n.in.Size
	for i, e := range ext {
		roff := int64(e.lblk) * blockSize
		woff := base + int64(e.start)*blockSize
		left := min(int64(e.n)*blockSize, size-roff)
		for left > 0 {
			k, err := unix.CopyFileRange(int(src.Fd()), &roff, int(dst.Fd()), &woff, int(min(left, 1<<30)), 0)
			if err != nil {
				if i == 0 && roff == int64(e.lblk)*blockSize && (errors.Is(err, unix.EXDEV) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EOPNOTSUPP)) {
					return false, nil
				}
				return true, err
			}
			if k == 0 {
				return true, fmt.Errorf("source %s is shorter than %d bytes", n.in.Source, size)
			}
			left -= int64(k)
		}
	}
	return true, nil
}
