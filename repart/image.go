package repart

import (
	"fmt"
	"os"
	"path/filepath"
)

// image is the temporary file an image is built in, next to the output
// (with the copy-on-write setting it should have, holding a copy of the
// image built upon). It is made when first needed: while the image is
// still being planned when a filesystem is written in place to learn its
// size (inplace.go), else once the layout is known.
type image struct {
	o       *BuildOptions
	old     existingImage
	cleanup *cleanupList
	f       *os.File
	// wb starts writeback of what is written to f.
	wb *writeback
}

// open returns the temporary file, creating it on first use: with the
// image's mode, holding a copy of the image built upon, if any.
func (m *image) open() (*os.File, error) {
	if m.f != nil {
		return m.f, nil
	}
	o := m.o
	tmp, err := os.CreateTemp(filepath.Dir(o.Image), "."+filepath.Base(o.Image)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("creating image: %w", err)
	}
	m.cleanup.add(func() { tmp.Close(); os.Remove(tmp.Name()) })
	if err := tmp.Chmod(m.mode()); err != nil {
		return nil, fmt.Errorf("creating image: %w", err)
	}
	if err := setCOW(tmp, *o); err != nil {
		return nil, err
	}
	if m.old.table != nil {
		if err := copyExisting(tmp, o.Image); err != nil {
			return nil, err
		}
	}
	m.f, m.wb = tmp, startWriteback(tmp)
	return tmp, nil
}

// fit cuts the file to size bytes where filesystems written while
// planning reached past it (inplace.go): nothing past the image's end
// may stay.
func (m *image) fit(size uint64) error {
	st, err := m.f.Stat()
	if err != nil {
		return fmt.Errorf("sizing image: %w", err)
	}
	if uint64(st.Size()) > size {
		if err := m.f.Truncate(int64(size)); err != nil {
			return fmt.Errorf("sizing image: %w", err)
		}
	}
	return nil
}

// mode is the permission of the image and split files.
func (m *image) mode() os.FileMode {
	if m.o.Mode == 0 {
		return 0o644
	}
	return m.o.Mode
}

// discard removes the temporary file, if it was made.
func (m *image) discard() {
	m.wb.stop()
	if m.f != nil {
		m.f.Close()
		os.Remove(m.f.Name())
		m.f = nil
	}
}
