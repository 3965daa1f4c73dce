package ext4

import (
	"fmt"
	"os"

	"github.com/gorepart/gorepart/fstree"

	"github.com/gorepart/gorepart/internal/filecopy"
)

// FileAt can be implemented by a destination WriterAt that writes into a
// file at a fixed offset (an image assembler's partition view): Write then
// copies large files with copy_file_range (see package filecopy). An
// *os.File destination is used at offset 0.
type FileAt = filecopy.FileAt

// copyRange copies a file's extents with copy_file_range. It returns false
// (and has written nothing) when the kernel cannot copy between the two
// files, so the caller falls back to reading and writing.
func (w *writer) copyRange(in *fstree.Inode, ext []extent, src *os.File) (bool, error) {
	size := in.Size
	for i, e := range ext {
		roff := int64(e.lblk) * blockSize
		ok, err := filecopy.Copy(w.dst, int64(e.start)*blockSize, src, roff, min(int64(e.n)*blockSize, size-roff))
		if err != nil {
			return true, err
		}
		if !ok {
			if i == 0 {
				return false, nil
			}
			return true, fmt.Errorf("copying %s: the kernel copied its first extent but refuses the others", in.SourcePath())
		}
	}
	return true, nil
}
