package erofs

import (
	"errors"
	"fmt"
	"io"
)

const copyChunk = 1 << 20

// readAt fills b from the file's data at off; a source shorter than the
// inode's Size is an error naming the path.
func (pl *plan) readAt(n *node, r io.ReaderAt, b []byte, off int64) error {
	m, err := r.ReadAt(b, off)
	if m == len(b) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: source has %d bytes, shorter than its size %d", pl.displayPath(n), off+int64(m), n.size)
	}
	return fmt.Errorf("reading %s: %w", pl.displayPath(n), err)
}

// copyFlat writes the n.dataBlocks blocks of a flat file, read from f,
// at n.startBlk, through buf.
func (pl *plan) copyFlat(dst io.WriterAt, n *node, f io.ReaderAt, buf []byte) error {
	end := int64(n.dataBlocks) * blockSize
	buf = buf[:min(end, int64(len(buf)))]
	for off := int64(0); off < end; off += int64(len(buf)) {
		b := buf[:min(int64(len(buf)), end-off)]
		want := min(int64(len(b)), int64(n.size)-off)
		if err := pl.readAt(n, f, b[:want], off); err != nil {
			return err
		}
		clear(b[want:])
		if _, err := dst.WriteAt(b, int64(n.startBlk)*blockSize+off); err != nil {
			return err
		}
	}
	return nil
}
