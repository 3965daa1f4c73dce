// Package filecopy copies file data into an image inside the kernel, with
// copy_file_range: the bytes do not pass through user space, and on
// filesystems that share extents (btrfs, XFS) the kernel may reflink them
// instead of copying. The ext4 writer uses it for files of 1 MiB or more
// and the image assembler for CopyBlocks= and minimized filesystems; both
// fall back to reading and writing when the kernel cannot copy between the
// two files (different filesystems on old kernels, special files). The
// vfat writer maps its large sources instead: on hosts without reflinks
// that is faster than copy_file_range, which copies on one core.
package filecopy

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// Min is the smallest file worth copying this way; smaller ones are better
// gathered into large buffered writes with their neighbours.
const Min = 1 << 20

// chunk bounds one copy_file_range call so progress and cancellation are
// seen between calls.
const chunk = 16 << 20

// FileAt is implemented by a destination io.WriterAt that writes into a
// file at a fixed offset (an image assembler's view of one partition).
type FileAt interface {
	FileAt() (f *os.File, offset int64)
}

// Observer is optionally implemented by a FileAt destination to count the
// bytes the kernel copied (progress reports) and to stop a copy (a
// cancelled build): a non-nil error ends the copy with that error.
type Observer interface {
	Copied(n int64) error
}

// Dest returns the file and base offset behind dst, or nil when dst is not
// a file.
func Dest(dst io.WriterAt) (*os.File, int64) {
	switch d := dst.(type) {
	case *os.File:
		return d, 0
	case FileAt:
		return d.FileAt()
	}
	return nil, 0
}

// Copy copies n bytes of src at soff to dst at doff (an offset relative to
// dst, as for dst.WriteAt). It returns false, having written nothing, when
// dst is not a file or the kernel cannot copy between the two files; the
// caller then reads and writes. A source shorter than n is an error.
func Copy(dst io.WriterAt, doff int64, src *os.File, soff, n int64) (bool, error) {
	f, base := Dest(dst)
	if f == nil {
		return false, nil
	}
	obs, _ := dst.(Observer)
	woff := base + doff
	start := soff
	for left := n; left > 0; {
		k, err := unix.CopyFileRange(int(src.Fd()), &soff, int(f.Fd()), &woff, int(min(left, chunk)), 0)
		if err != nil {
			if soff == start && unsupported(err) {
				return false, nil
			}
			return true, fmt.Errorf("copying %s: %w", src.Name(), err)
		}
		if k == 0 {
			return true, fmt.Errorf("source %s is shorter than %d bytes: %w", src.Name(), start+n, io.ErrUnexpectedEOF)
		}
		left -= int64(k)
		if obs != nil {
			if err := obs.Copied(int64(k)); err != nil {
				return true, err
			}
		}
	}
	return true, nil
}

// unsupported reports errors that mean "this pair of files cannot be
// copied in the kernel", not "the copy failed".
func unsupported(err error) bool {
	return errors.Is(err, unix.EXDEV) || errors.Is(err, unix.ENOSYS) ||
		errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EOPNOTSUPP)
}
