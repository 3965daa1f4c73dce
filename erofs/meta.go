package erofs

import (
	"fmt"
	"io"
	"sort"

	"github.com/gorepart/gorepart/fstree"
)

const metaChunk = 1 << 20

// writeMeta encodes the metadata area in chunks of about 1 MiB, in
// parallel: inodes, xattrs, indexes and inline tails (file tails are read
// from the sources here), and writes directory and symlink data blocks.
func (pl *plan) writeMeta(dst io.WriterAt, metaBlk uint32) error {
	nodes := append([]*node(nil), pl.nodes...)
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].metaOff < nodes[j].metaOff })
	// Chunk boundaries at node starts.
	var starts []int
	var last int64 = -metaChunk
	for i, n := range nodes {
		if n.metaOff-last >= metaChunk {
			starts = append(starts, i)
			last = n.metaOff
		}
	}
	base := int64(metaBlk) * blockSize
	return parallel(pl.p.workers(), len(starts), func(c int) error {
		lo := starts[c]
		hi := len(nodes)
		end := pl.metaEnd
		if c+1 < len(starts) {
			hi = starts[c+1]
			end = nodes[hi].metaOff
		}
		from := nodes[lo].metaOff
		buf := make([]byte, 0, end-from)
		for _, n := range nodes[lo:hi] {
			for int64(len(buf)) < n.metaOff-from {
				buf = append(buf, 0)
			}
			buf = encodeInode(buf, n)
			tail, err := pl.dataOf(dst, n)
			if err != nil {
				return err
			}
			buf = append(buf, tail...)
		}
		for int64(len(buf)) < end-from {
			buf = append(buf, 0)
		}
		_, err := dst.WriteAt(buf, base+from)
		return err
	})
}

// dataOf writes the data blocks of directories and symlinks and returns
// the inline tail of n.
func (pl *plan) dataOf(dst io.WriterAt, n *node) ([]byte, error) {
	var data []byte
	switch n.in.Kind {
	case fstree.File:
		if n.tail == 0 {
			return nil, nil
		}
		return readTail(n)
	case fstree.Dir:
		data = pl.encodeDir(n)
	case fstree.Symlink:
		data = []byte(n.in.Target)
	default:
		return nil, nil
	}
	if n.dataBlocks > 0 {
		blocks := make([]byte, int(n.dataBlocks)*blockSize)
		copy(blocks, data[:len(data)-n.tail])
		if _, err := dst.WriteAt(blocks, int64(n.startBlk)*blockSize); err != nil {
			return nil, fmt.Errorf("writing data of %s: %w", n.displayPath(), err)
		}
	}
	return data[len(data)-n.tail:], nil
}

func roundUp64(x, to int64) int64 { return (x + to - 1) / to * to }
