package vmcheck

import (
	"bytes"
	"io"
	"os"

	"github.com/gorepart/gorepart/internal/gptdump"
)

// extract copies a partition of the image into a sparse file.
func (h *host) extract(g gptdump.Partition, path string) error {
	src, err := os.Open(h.image)
	if err != nil {
		return err
	}
	defer src.Close()
	ss := int64(h.sectorSize)
	return copySparse(path, io.NewSectionReader(src, int64(g.Start)*ss, int64(g.Size)*ss), int64(g.Size)*ss)
}

// copySparse writes size bytes of r to a new file, leaving holes where
// whole 64 KiB blocks are zero.
func copySparse(path string, r io.Reader, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	zero := make([]byte, 64<<10)
	var off int64
	for off < size {
		n, err := io.ReadFull(r, buf[:min(int64(len(buf)), size-off)])
		if err != nil {
			return err
		}
		for i := 0; i < n; i += len(zero) {
			b := buf[i:min(i+len(zero), n)]
			if !bytes.Equal(b, zero[:len(b)]) {
				if _, err := f.WriteAt(b, off+int64(i)); err != nil {
					return err
				}
			}
		}
		off += int64(n)
	}
	if err := f.Truncate(size); err != nil {
		return err
	}
	return f.Close()
}
