package staging

import (
	"fmt"
	"os"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/filecopy"
	"golang.org/x/sys/unix"
)

// writeFile creates the regular file p with the data of in: cloned whole
// when the source is on the same reflinking filesystem, else copied range
// by range in the kernel (holes stay holes), else read and written.
func writeFile(p string, in *fstree.Inode) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	err = fill(f, in)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func fill(f *os.File, in *fstree.Inode) error {
	if !in.HasSource() {
		if _, err := f.Write(in.Data()); err != nil {
			return err
		}
		return nil
	}
	if in.Size == 0 {
		return nil
	}
	src, err := os.Open(in.SourcePath())
	if err != nil {
		return fmt.Errorf("opening source: %w", err)
	}
	defer src.Close()
	if st, err := src.Stat(); err == nil && st.Size() == in.Size {
		if unix.IoctlFileClone(int(f.Fd()), int(src.Fd())) == nil {
			return nil
		}
	}
	if err := filecopy.Sparse(f, 0, src, 0, in.Size); err != nil {
		return err
	}
	// The size, with any hole at the end.
	if err := f.Truncate(in.Size); err != nil {
		return err
	}
	return nil
}
