package artifacts

import (
	"errors"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// holeFinder reports whether [off, off+n) of the input is one hole, so the
// chunk can be taken as zeros without reading it. Inputs other than
// *os.File, and file systems without SEEK_DATA, never report holes.
type holeFinder func(off, n int64) bool

func newHoleFinder(src io.ReaderAt) holeFinder {
	f, ok := src.(*os.File)
	if !ok {
		return func(int64, int64) bool { return false }
	}
	fd := int(f.Fd())
	return func(off, n int64) bool {
		// lseek moves the shared file offset, which ReadAt (pread) does
		// not use, so concurrent workers may call it.
		data, err := unix.Seek(fd, off, unix.SEEK_DATA)
		if errors.Is(err, unix.ENXIO) {
			return true // no data from off to the end of the file
		}
		return err == nil && data >= off+n
	}
}
