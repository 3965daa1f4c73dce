package fstree

import (
	"fmt"
	"os"

	"github.com/gorepart/gorepart/internal/filecopy"
)

// Extent is a byte range of a regular file that holds data; the ranges
// between extents are holes (read as zeros).
type Extent = filecopy.Extent

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
		return []Extent{{Offset: 0, Length: int64(len(i.srcName))}}, nil
	}
	if i.Size == 0 {
		return nil, nil
	}
	f, err := os.Open(i.SourcePath())
	if err != nil {
		return nil, fmt.Errorf("reading extents: %w", err)
	}
	defer f.Close()
	exts, err := filecopy.DataExtents(f, 0, i.Size)
	if err != nil {
		return nil, fmt.Errorf("reading extents: %w", err)
	}
	return exts, nil
}
