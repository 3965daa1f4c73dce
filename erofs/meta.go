package erofs

import (
	"cmp"
	"fmt"
	"io"
	"slices"

	"github.com/gorepart/gorepart/fstree"
)

const metaChunk = 1 << 20

// writeMeta encodes the metadata area in chunks of about 1 MiB, in
// parallel: inodes, xattrs, indexes and inline tails (file tails are read
// from the sources here), and writes directory and symlink data blocks.
func (pl *plan) writeMeta(dst io.WriterAt, metaBlk uint32) error {
	// The inode numbers in metadata order.
	order := make([]uint32, 0, pl.count)
	pl.each(func(n *node) { order = append(order, n.ino) })
	slices.SortFunc(order, func(a, b uint32) int { return cmp.Compare(pl.node(a).slot, pl.node(b).slot) })
	// Chunk boundaries at node starts.
	var starts []int
	var last int64 = -metaChunk
	for i, ino := range order {
		if off := pl.node(ino).metaOff(); off-last >= metaChunk {
			starts = append(starts, i)
			last = off
		}
	}
	base := int64(metaBlk) * blockSize
	bufs := make([][]byte, pl.p.workers())
	dirBufs := make([][]byte, len(bufs))
	return parallel(len(bufs), len(starts), func(w, c int) error {
		lo := starts[c]
		hi := len(order)
		end := pl.metaEnd
		if c+1 < len(starts) {
			hi = starts[c+1]
			end = pl.node(order[hi]).metaOff()
		}
		from := pl.node(order[lo]).metaOff()
		buf := bufs[w][:0]
		for _, ino := range order[lo:hi] {
			n := pl.node(ino)
			buf = zeroExtend(buf, int(n.metaOff()-from))
			buf = pl.encodeInode(buf, n)
			var err error
			if buf, dirBufs[w], err = pl.appendTail(dst, n, buf, dirBufs[w]); err != nil {
				return err
			}
		}
		buf = zeroExtend(buf, int(end-from))
		bufs[w] = buf
		_, err := dst.WriteAt(buf, base+from)
		return err
	})
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

// appendTail appends the inline tail of n to b; for directories and
// symlinks it also writes the data blocks. tmp is a scratch buffer, returned
// for reuse.
func (pl *plan) appendTail(dst io.WriterAt, n *node, b, tmp []byte) ([]byte, []byte, error) {
	var data []byte
	switch n.in.Kind {
	case fstree.File:
		if n.tail == 0 {
			return b, tmp, nil
		}
		l := len(b)
		b = zeroExtend(b, l+int(n.tail))
		return b, tmp, pl.readTail(n, b[l:])
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
