package erofs

import (
	"encoding/binary"

	"github.com/gorepart/gorepart/fstree"
)

// dirent is one directory entry before encoding.
type dirent struct {
	name string
	in   *fstree.Inode // nil for "." and ".."
	dot  int           // 1 for ".", 2 for ".."
}

// dirents returns the entries es of a directory with "." and "..", in
// the strcmp order erofs requires for its binary search.
func dirents(es []*fstree.Entry) []dirent {
	out := make([]dirent, 0, len(es)+2)
	dots := []dirent{{name: ".", dot: 1}, {name: "..", dot: 2}}
	i := 0
	for _, e := range es {
		for i < 2 && dots[i].name < e.Name {
			out = append(out, dots[i])
			i++
		}
		out = append(out, dirent{name: e.Name, in: e.Inode})
	}
	out = append(out, dots[i:]...)
	return out
}

// dirSize is the byte size of a directory with entries es: entries are
// packed into blocks (12-byte dirents first, then the names) and never
// cross a block boundary.
func dirSize(es []*fstree.Entry) int {
	size := 0
	add := func(name string) {
		l := direntSize + len(name)
		if size%blockSize+l > blockSize {
			size = roundUp(size, blockSize)
		}
		size += l
	}
	for _, e := range dirents(es) {
		add(e.name)
	}
	return size
}

// encodeDir returns the directory's data (n.size bytes) in buf's storage:
// full blocks and the tail, each block holding its dirents followed by the
// names.
//
// The inodes first named in n were numbered in entry order from n.first
// on: an entry names the next of them unless it is a hardlink to an inode
// numbered before (plan.links).
func (pl *plan) encodeDir(n *node, buf []byte) []byte {
	buf = zeroExtend(buf[:0], roundUp(int(n.size), blockSize))
	ds := dirents(n.list)
	next := n.first
	for start, blk := 0, 0; start < len(ds); blk++ {
		used, end := 0, start
		for end < len(ds) && used+direntSize+len(ds[end].name) <= blockSize {
			used += direntSize + len(ds[end].name)
			end++
		}
		b := buf[blk*blockSize : (blk+1)*blockSize]
		q := (end - start) * direntSize
		for i := start; i < end; i++ {
			d := ds[i]
			target, ft := n.ino, uint8(ftDir)
			switch d.dot {
			case 2:
				target = n.parent
			case 0:
				if l, ok := pl.links[d.in.LinkKey()]; ok && l.ino < next {
					target = l.ino
				} else {
					target = next
					next++
				}
				ft = fileType(d.in.Kind)
			}
			p := (i - start) * direntSize
			binary.LittleEndian.PutUint64(b[p:], uint64(pl.nids[target-1]))
			binary.LittleEndian.PutUint16(b[p+8:], uint16(q))
			b[p+10] = ft
			q += copy(b[q:], d.name)
		}
		start = end
	}
	return buf[:n.size]
}

func fileType(k fstree.Kind) uint8 {
	switch k {
	case fstree.File:
		return ftRegFile
	case fstree.Dir:
		return ftDir
	case fstree.CharDevice:
		return ftChrdev
	case fstree.BlockDevice:
		return ftBlkdev
	case fstree.FIFO:
		return ftFifo
	case fstree.Socket:
		return ftSock
	case fstree.Symlink:
		return ftSymlink
	}
	return ftUnknown
}
