package erofs

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/gorepart/gorepart/fstree"
)

// metaBatch is the number of inodes a worker encodes at once.
const metaBatch = 256

// metaJob is a batch of inodes, consecutive in inode number order.
type metaJob struct {
	nodes []node
	enc   []byte // their encoded inodes with inline tails, back to back
	ends  []int  // the end of each in enc
	done  chan error
}

// writeMeta walks the tree once more and writes the metadata area:
// workers encode batches of inodes (reading file tails from the sources),
// write the data blocks of uncompressed files, directories and symlinks,
// while this goroutine places the batches in inode order into the blocks
// of the metadata area, as layoutMeta did, writing each block when it is
// full or forgotten.
func (pl *plan) writeMeta(dst io.WriterAt, metaBlk uint32) error {
	workers := pl.p.workers()
	order := make(chan *metaJob, 2*workers)
	queue := make(chan *metaJob, 2*workers)
	var stop atomic.Bool
	var walkErr error
	go func() {
		defer close(order)
		defer close(queue)
		blk, k := pl.dataStart, 0
		j := &metaJob{}
		send := func() {
			j.done = make(chan error, 1)
			order <- j
			queue <- j
			j = &metaJob{}
		}
		walkErr = pl.walk(false, func(n *node) error {
			if stop.Load() {
				return errStopped
			}
			if err := pl.planInode(n); err != nil {
				return err
			}
			if err := pl.layoutData(n, &blk, &k); err != nil {
				return err
			}
			j.nodes = append(j.nodes, *n)
			if len(j.nodes) == metaBatch {
				send()
			}
			return nil
		})
		if walkErr == nil && len(j.nodes) > 0 {
			send()
		}
	}()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var copyBuf, dirBuf []byte
			for j := range queue {
				if stop.Load() {
					j.done <- errStopped
					continue
				}
				var err error
				copyBuf, dirBuf, err = pl.encodeBatch(dst, j, copyBuf, dirBuf)
				j.done <- err
			}
		}()
	}
	mw := &metaWriter{dst: dst, base: int64(metaBlk) * blockSize, ml: metaLayout{track: true}, bufs: map[int64][]byte{}}
	var err error
	for j := range order {
		jerr := <-j.done
		if err != nil {
			continue
		}
		if err = jerr; err == nil {
			err = mw.add(pl, j)
		}
		if err != nil {
			stop.Store(true)
		}
	}
	wg.Wait()
	if err == nil {
		err = walkErr
	}
	if err == nil {
		err = mw.finish(pl.metaEnd)
	}
	return err
}

// encodeBatch encodes the inodes of j and writes the data blocks they
// own; copyBuf and dirBuf are scratch buffers, returned for reuse.
func (pl *plan) encodeBatch(dst io.WriterAt, j *metaJob, copyBuf, dirBuf []byte) ([]byte, []byte, error) {
	for i := range j.nodes {
		n := &j.nodes[i]
		flat := n.in.Kind == fstree.File && !pl.candidate(n) && n.dataBlocks > 0
		var src fstree.ReaderAtCloser
		if flat || (n.in.Kind == fstree.File && n.tail > 0) {
			// One open for the blocks and the inline tail.
			var err error
			if src, err = n.in.Open(); err != nil {
				return copyBuf, dirBuf, fmt.Errorf("opening %s: %w", pl.displayPath(n), err)
			}
		}
		err := pl.encodeOne(dst, j, n, src, flat, &copyBuf, &dirBuf)
		if src != nil {
			if cerr := src.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("closing %s: %w", pl.displayPath(n), cerr)
			}
		}
		if err != nil {
			return copyBuf, dirBuf, err
		}
		j.ends = append(j.ends, len(j.enc))
		n.list = nil
	}
	return copyBuf, dirBuf, nil
}

// encodeOne writes the data blocks of n (flat: an uncompressed file's,
// read from src) and appends its encoded inode with its inline tail to
// j.enc.
func (pl *plan) encodeOne(dst io.WriterAt, j *metaJob, n *node, src io.ReaderAt, flat bool, copyBuf, dirBuf *[]byte) error {
	if flat {
		if *copyBuf == nil {
			*copyBuf = make([]byte, copyChunk)
		}
		if err := pl.copyFlat(dst, n, src, *copyBuf); err != nil {
			return err
		}
	}
	j.enc = pl.encodeInode(j.enc, n)
	var err error
	j.enc, *dirBuf, err = pl.appendTail(dst, n, src, j.enc, *dirBuf)
	return err
}

// metaWriter holds the open blocks of the metadata area while inodes are
// placed into them.
type metaWriter struct {
	dst  io.WriterAt
	base int64
	ml   metaLayout
	bufs map[int64][]byte // the open blocks' content by block
	free [][]byte
}

// add places the encoded inodes of j.
func (w *metaWriter) add(pl *plan, j *metaJob) error {
	start := 0
	for i := range j.nodes {
		n := &j.nodes[i]
		b := j.enc[start:j.ends[i]]
		start = j.ends[i]
		s := int64(roundUp(len(b), inodeSlot))
		off := w.ml.place(s)
		if off != int64(pl.nids[n.ino-1])*inodeSlot {
			return fmt.Errorf("%s: tree changed while it was written", pl.displayPath(n))
		}
		if s > blockSize {
			full := s / blockSize * blockSize
			head := b[:min(int64(len(b)), full)]
			if int64(len(head)) < full {
				head = append(make([]byte, 0, full), head...)
				head = zeroExtend(head, int(full))
			}
			if _, err := w.dst.WriteAt(head, w.base+off); err != nil {
				return err
			}
			if int64(len(b)) > full {
				copy(w.block(off/blockSize+full/blockSize), b[full:])
			}
		} else {
			copy(w.block(off / blockSize)[off%blockSize:], b)
		}
		for _, blk := range w.ml.dropped {
			if err := w.flush(blk); err != nil {
				return err
			}
		}
		w.ml.dropped = w.ml.dropped[:0]
	}
	return nil
}

// block returns the content of block blk of the metadata area, zeros
// when nothing was placed in it yet.
func (w *metaWriter) block(blk int64) []byte {
	b, ok := w.bufs[blk]
	if !ok {
		if k := len(w.free); k > 0 {
			b = w.free[k-1]
			w.free = w.free[:k-1]
			clear(b)
		} else {
			b = make([]byte, blockSize)
		}
		w.bufs[blk] = b
	}
	return b
}

// flush writes block blk.
func (w *metaWriter) flush(blk int64) error {
	b := w.block(blk)
	delete(w.bufs, blk)
	w.free = append(w.free, b)
	_, err := w.dst.WriteAt(b, w.base+blk*blockSize)
	return err
}

// finish writes the blocks still open and zeros up to end, the size of
// the metadata area.
func (w *metaWriter) finish(end int64) error {
	for blk := range w.bufs {
		if err := w.flush(blk); err != nil {
			return err
		}
	}
	if from := w.ml.next * blockSize; from < end {
		if _, err := w.dst.WriteAt(make([]byte, end-from), w.base+from); err != nil {
			return err
		}
	}
	return nil
}

// zeroExtend appends zeros to b up to length n.
func zeroExtend(b []byte, n int) []byte {
	if n <= len(b) {
		return b
	}
	if n <= cap(b) {
		l := len(b)
		b = b[:n]
		clear(b[l:])
		return b
	}
	return append(b, make([]byte, n-len(b))...)
}

// appendTail appends the inline tail of n to b (a file's read from src);
// for directories and symlinks it also writes the data blocks. tmp is a
// scratch buffer, returned for reuse.
func (pl *plan) appendTail(dst io.WriterAt, n *node, src io.ReaderAt, b, tmp []byte) ([]byte, []byte, error) {
	var data []byte
	switch n.in.Kind {
	case fstree.File:
		if n.tail == 0 {
			return b, tmp, nil
		}
		l := len(b)
		b = zeroExtend(b, l+int(n.tail))
		return b, tmp, pl.readAt(n, src, b[l:], int64(n.size)-int64(n.tail))
	case fstree.Dir:
		tmp = pl.encodeDir(n, tmp)
		data = tmp
	case fstree.Symlink:
		data = []byte(n.in.Target)
	default:
		return b, tmp, nil
	}
	if n.dataBlocks > 0 {
		full := data[:len(data)-int(n.tail)]
		if len(full)%blockSize != 0 { // a tail not inline: pad its block
			full = zeroExtend(full, roundUp(len(full), blockSize))
			if n.in.Kind == fstree.Dir {
				tmp = full
			}
		}
		if _, err := dst.WriteAt(full, int64(n.startBlk)*blockSize); err != nil {
			return b, tmp, fmt.Errorf("writing data of %s: %w", pl.displayPath(n), err)
		}
	}
	return append(b, data[len(data)-int(n.tail):]...), tmp, nil
}

func roundUp64(x, to int64) int64 { return (x + to - 1) / to * to }
