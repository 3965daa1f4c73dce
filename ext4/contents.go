package ext4

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/filecopy"
)

// Content is written by a few workers, each taking a run of consecutive
// inodes of about chunkBlocks blocks: the runs are contiguous on disk, so
// each worker still makes large sequential writes, and reading the sources
// of one run overlaps with the others.
const (
	writeWorkers = 8
	chunkBlocks  = 2048
)

// writeContents writes xattr blocks, directory blocks, symlink blocks and
// file data in allocation order. Extent tree blocks are written with the
// inode tables.
func (w *writer) writeContents() error {
	jobs := make(chan chunk)
	stop := make(chan struct{})
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for k := 0; k < writeWorkers; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newStream(w.dst)
			for c := range jobs {
				err := w.writeNodes(s, c)
				if err == nil {
					err = s.flush()
				}
				if err != nil {
					once.Do(func() {
						firstErr = err
						close(stop)
					})
				}
			}
		}()
	}
feed:
	for _, c := range w.l.chunks {
		select {
		case jobs <- c:
		case <-stop:
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	return firstErr
}

// writeNodes writes the content of the inodes of chunk c, replaying their
// allocation from the chunk's recorded state.
func (w *writer) writeNodes(s *stream, c chunk) error {
	pl := w.pl
	a := w.l.replay(c.at)
	var p placement
	for ino := c.from; ino < c.to; ino++ {
		n := pl.node(ino)
		if n.in == nil {
			continue
		}
		if err := pl.place(a, n, &p); err != nil {
			return err
		}
		if p.xblk != 0 {
			if err := s.put(p.xblk, xattrBlock(n.x.blk, p.xblk, w.fsSeed)); err != nil {
				return fmt.Errorf("writing xattrs of %s: %w", pl.path(n), err)
			}
		}
		ext := p.ext
		var err error
		switch {
		case n.dir != nil:
			err = w.writeDir(s, n, ext)
		case n.in.Kind == fstree.Symlink && len(ext) > 0:
			err = s.put(ext[0].start, []byte(n.in.Target))
		case n.in.Kind == fstree.File && len(ext) > 0:
			err = w.writeFile(s, n, ext)
		}
		if err != nil {
			return fmt.Errorf("writing %s: %w", pl.path(n), err)
		}
	}
	return nil
}

func (w *writer) writeDir(s *stream, n *node, ext []extent) error {
	var phys []uint64
	for _, e := range ext {
		for k := uint32(0); k < e.n; k++ {
			phys = append(phys, e.start+uint64(k))
		}
	}
	i := 0
	dw := dirBlockWriter{seed: inodeSeed(w.fsSeed, n.ino, 0)}
	return dw.encode(n.dir, n.ino, n.parent, s.scratch, func(b []byte) error {
		err := s.put(phys[i], b)
		i++
		return err
	})
}

func (w *writer) writeFile(s *stream, n *node, ext []extent) error {
	r, err := n.in.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	size := n.in.Size
	if f, ok := r.(*os.File); ok && size >= filecopy.Min {
		if done, err := w.copyRange(n, ext, f); done || err != nil {
			return err
		}
	}
	for _, e := range ext {
		lblk, blk, left := uint64(e.lblk), e.start, uint64(e.n)
		for left > 0 {
			p, err := s.space(blk, left)
			if err != nil {
				return err
			}
			off := int64(lblk) * blockSize
			want := min(int64(len(p)), size-off)
			got, err := r.ReadAt(p[:want], off)
			if int64(got) < want {
				if err == nil || errors.Is(err, io.EOF) {
					return fmt.Errorf("source %s is shorter than %d bytes", n.in.SourcePath(), size)
				}
				return err
			}
			k := uint64(len(p)) / blockSize
			lblk += k
			blk += k
			left -= k
		}
	}
	return nil
}
