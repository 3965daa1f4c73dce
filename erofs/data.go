package erofs

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/gorepart/gorepart/fstree"
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

// parallel runs fn(w, i) for i in [0, count) on the given number of
// goroutines, w being the goroutine's number (for per-worker buffers); the
// first error stops the remaining work and is returned.
func parallel(workers, count int, fn func(w, i int) error) error {
	var (
		mu       sync.Mutex
		next     int
		firstErr error
		wg       sync.WaitGroup
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				mu.Lock()
				if firstErr != nil || next >= count {
					mu.Unlock()
					return
				}
				i := next
				next++
				mu.Unlock()
				if err := fn(w, i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
			}
		}(w)
	}
	wg.Wait()
	return firstErr
}

// writeFlatData copies the data blocks of uncompressed regular files (all
// but an inline tail, the last block zero-padded).
func (pl *plan) writeFlatData(dst io.WriterAt) error {
	var files []uint32
	pl.each(func(n *node) {
		if n.in.Kind == fstree.File && !pl.candidate(n) && n.dataBlocks > 0 {
			files = append(files, n.ino)
		}
	})
	bufs := make([][]byte, pl.p.workers())
	return parallel(len(bufs), len(files), func(w, i int) error {
		if bufs[w] == nil {
			bufs[w] = make([]byte, copyChunk)
		}
		return pl.copyFlat(dst, pl.node(files[i]), bufs[w])
	})
}

// copyFlat writes the n.dataBlocks blocks of a flat file at n.startBlk,
// through buf.
func (pl *plan) copyFlat(dst io.WriterAt, n *node, buf []byte) error {
	f, err := n.in.Open()
	if err != nil {
		return fmt.Errorf("opening %s: %w", pl.displayPath(n), err)
	}
	defer f.Close()
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

// readTail reads the last n.tail bytes of a regular file into b.
func (pl *plan) readTail(n *node, b []byte) error {
	f, err := n.in.Open()
	if err != nil {
		return fmt.Errorf("opening %s: %w", pl.displayPath(n), err)
	}
	defer f.Close()
	return pl.readAt(n, f, b, int64(n.size)-int64(n.tail))
}
