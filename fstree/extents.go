package fstree

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Extent is a byte range of a regular file that holds data; the ranges
// between extents are holes (read as zeros).
type Extent struct {
	Offset, Length int64
}

// DataExtents returns the data ranges of a regular file within [0, Size),
// found with SEEK_DATA/SEEK_HOLE on the source, so writers can keep holes
// sparse. A Data-backed inode is one extent; a source on a filesystem
// without SEEK_DATA is one extent of Size bytes. The result is nil for an
// empty or all-hole file.
func (i *Inode) DataExtents() ([]Extent, error) {
	if i.Kind != File {
		return nil, fmt.Errorf("reading extents: %s is not a regular file", i.Kind)
	}
	if !i.HasSource() {
		if len(i.srcName) == 0 {
			return nil, nil
		}
		return []Extent{{0, int64(len(i.srcName))}}, nil
	}
	if i.Size == 0 {
		return nil, nil
	}
	src := i.SourcePath()
	f, err := os.Open(src)
	if err != nil {
		return nil, fmt.Errorf("reading extents: %w", err)
	}
	defer f.Close()
	fd := int(f.Fd())
	var out []Extent
	for off := int64(0); off < i.Size; {
		d, err := unix.Seek(fd, off, unix.SEEK_DATA)
		if errors.Is(err, unix.ENXIO) {
			break // only a hole (or EOF) from off on
		}
		if errors.Is(err, unix.EINVAL) && off == 0 {
			return []Extent{{0, i.Size}}, nil // no SEEK_DATA here
		}
		if err != nil {
			return nil, fmt.Errorf("reading extents of %s: %w", src, err)
		}
		if d >= i.Size {
			break
		}
		h, err := unix.Seek(fd, d, unix.SEEK_HOLE)
		if err != nil {
			return nil, fmt.Errorf("reading extents of %s: %w", src, err)
		}
		h = min(h, i.Size)
		out = append(out, Extent{Offset: d, Length: h - d})
		off = h
	}
	return out, nil
}
