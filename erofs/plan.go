package erofs

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/gorepart/gorepart/fstree"
)

// node is one inode of the image with everything the writer decides for
// it, made again by every walk (walk.go) and valid during a visit only
// (a visitor that keeps it copies it).
type node struct {
	in     *fstree.Inode
	name   string // the name it was numbered under ("" for the root)
	up     *node  // the directory holding that name (nil for the root)
	ino    uint32
	parent uint32 // inode number of up (the root's is itself)
	// Directories: the entries (during the visit), the rank among the
	// directories in inode order, the inode number of the first inode
	// numbered in it.
	list  []*fstree.Entry
	rank  int
	first uint32

	size     uint64
	nlink    uint32
	xattr    []byte // the encoded xattr body, nil when none
	startBlk uint32 // first data block (flat layouts), nullAddr if none
	// dataBlocks is the number of blocks in the data area (compressed:
	// pcluster blocks).
	dataBlocks uint32
	tail       uint16 // bytes stored inline after the inode
	layout     uint8
	extended   bool
}

func (n *node) compressed() bool {
	return n.layout == layoutCompressedFull || n.layout == layoutCompressedCompact
}

func (n *node) inodeSize() int {
	if n.extended {
		return inodeSizeExtended
	}
	return inodeSizeCompact
}

// metaSize is the size of the inode, its xattrs and compressed indexes,
// without the inline tail.
func (pl *plan) metaSize(n *node) int {
	s := n.inodeSize() + len(n.xattr)
	if n.compressed() {
		s = roundUp(s, 8) + len(pl.index(n))
	}
	return s
}

// index is a compressed file's map header, padding and lcluster indexes.
func (pl *plan) index(n *node) []byte {
	k, ok := slices.BinarySearch(pl.indexIno, n.ino)
	if !ok {
		return nil
	}
	start := 0
	if k > 0 {
		start = pl.indexEnd[k-1]
	}
	return pl.indexBuf[start:pl.indexEnd[k]]
}

// addIndex stores the index of n, compressed files being finished in
// inode number order.
func (pl *plan) addIndex(n *node, index []byte) {
	pl.indexBuf = append(pl.indexBuf, index...)
	pl.indexIno = append(pl.indexIno, n.ino)
	pl.indexEnd = append(pl.indexEnd, len(pl.indexBuf))
}

// candidate reports whether n is a regular file the compressor tries.
func (pl *plan) candidate(n *node) bool {
	return n.in.Kind == fstree.File && pl.p.Compression != "" && n.size > blockSize
}

// plan is the image before any file data is read. It keeps nothing per
// inode but its nid, and per directory the number of its first entry's
// inode (walk.go); what it keeps besides grows with the hardlink groups,
// the distinct xattrs and the compressed files.
type plan struct {
	p     *Params
	t     *fstree.Tree
	count uint32 // number of inodes
	// links holds the inodes with several entries (hardlinks), by
	// LinkKey.
	links map[fstree.LinkKey]link
	// dirFirst is, per directory in inode number order, the number of
	// the first inode numbered in it.
	dirFirst []uint32
	// nids are the inodes' nids by inode number - 1, once laid out.
	nids []uint32
	// comp holds the compression candidates' decisions in inode number
	// order, once compressed.
	comp []compDecision
	// indexBuf holds the compressed files' map headers, padding and
	// lcluster indexes in inode number order, the one of inode
	// indexIno[k] ending at indexEnd[k].
	indexBuf []byte
	indexIno []uint32
	indexEnd []int
	shared   []sharedXattr
	// sharedID is the id of each shared xattr, by name NUL value.
	sharedID map[string]uint32

	// sizing is set when the image is only measured (Size): data that
	// compression did not shrink is not copied.
	sizing bool

	sharedStart int64  // byte offset of the shared xattr area (xattr_blkaddr 0)
	dataStart   uint32 // first data block
	dataEnd     uint32 // end of the flat (not compressed) data
	metaEnd     int64  // size of the metadata area
}

// link is a hardlinked inode's number and link count.
type link struct{ ino, nlink uint32 }

// compDecision is where a compression candidate's data went: compressed
// (its index in indexBuf) or, when that did not pay, flat.
type compDecision struct {
	ino, startBlk, dataBlocks uint32
	tail                      uint16
	layout                    uint8
}

// newPlan numbers the inodes, decides the shared xattrs and lays out the
// data of everything not compressed; without compression it also lays out
// the metadata area (the nids).
func newPlan(t *fstree.Tree, p *Params) (*plan, error) {
	if t == nil || t.Root == nil {
		return nil, errors.New("empty tree")
	}
	if t.Root.Kind != fstree.Dir {
		return nil, fmt.Errorf("root is a %v, not a directory", t.Root.Kind)
	}
	pl := &plan{p: p, t: t, links: make(map[fstree.LinkKey]link)}
	counts := make(map[string]*sharedXattr)
	var key []byte
	err := pl.walk(true, func(n *node) error {
		pl.count = n.ino
		var err error
		key, err = pl.countXattrs(n, counts, key)
		return err
	})
	if err != nil {
		return nil, err
	}
	pl.dirFirst = slices.Clip(pl.dirFirst)
	if err := pl.shareXattrs(counts); err != nil {
		return nil, err
	}
	if p.Compression == "" {
		pl.nids = make([]uint32, pl.count)
	}
	blk := pl.dataStart
	var ml metaLayout
	err = pl.walk(false, func(n *node) error {
		if err := pl.planInode(n); err != nil {
			return err
		}
		if pl.candidate(n) {
			return nil
		}
		pl.setFlat(n, &blk)
		if pl.nids != nil {
			return pl.placeMeta(&ml, n)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	pl.dataEnd = blk
	if pl.nids != nil {
		pl.metaEnd = ml.end()
	}
	return pl, nil
}

// planInode decides the inode form, the data size, the link count and the
// xattr body.
func (pl *plan) planInode(n *node) error {
	in := n.in
	n.nlink = 1
	switch in.Kind {
	case fstree.File:
		if in.Size < 0 {
			return fmt.Errorf("%s: negative size", pl.displayPath(n))
		}
		n.size = uint64(in.Size)
	case fstree.Symlink:
		if in.Target == "" {
			return fmt.Errorf("%s: empty symlink target", pl.displayPath(n))
		}
		n.size = uint64(len(in.Target))
	case fstree.Dir:
		n.size = uint64(dirSize(n.list))
		n.nlink = 2
		for _, e := range n.list {
			if e.Inode.Kind == fstree.Dir {
				n.nlink++
			}
		}
	case fstree.CharDevice, fstree.BlockDevice, fstree.FIFO, fstree.Socket:
	default:
		return fmt.Errorf("%s: unsupported inode kind %v", pl.displayPath(n), in.Kind)
	}
	if in.Kind != fstree.Dir {
		if l, ok := pl.links[in.LinkKey()]; ok {
			n.nlink = l.nlink
		}
	}
	var err error
	if n.xattr, err = pl.xattrBody(n); err != nil {
		return err
	}
	bt := pl.p.BuildTime
	n.extended = n.size > math.MaxUint32 || in.UID > math.MaxUint16 || in.GID > math.MaxUint16 ||
		n.nlink > math.MaxUint16 || in.Mtime.Unix() != bt.Unix() || in.Mtime.Nanosecond() != bt.Nanosecond()
	return nil
}

// layoutData gives n its data layout as the plan decided it: flat
// (from *blk on, in inode order) or a compression candidate's decision
// (*k counting the candidates met).
func (pl *plan) layoutData(n *node, blk *uint32, k *int) error {
	if !pl.candidate(n) {
		pl.setFlat(n, blk)
		return nil
	}
	if *k >= len(pl.comp) || pl.comp[*k].ino != n.ino {
		return fmt.Errorf("%s: tree changed while it was written", pl.displayPath(n))
	}
	d := pl.comp[*k]
	*k++
	n.startBlk, n.dataBlocks, n.tail, n.layout = d.startBlk, d.dataBlocks, d.tail, d.layout
	return nil
}

// decide records the compression decision of candidate n.
func (pl *plan) decide(n *node) {
	pl.comp = append(pl.comp, compDecision{ino: n.ino, startBlk: n.startBlk, dataBlocks: n.dataBlocks, tail: n.tail, layout: n.layout})
}

// setFlat gives n a flat layout with its blocks starting at *blk.
func (pl *plan) setFlat(n *node, blk *uint32) {
	full := n.size / blockSize
	tail := int(n.size % blockSize)
	n.layout = layoutFlatPlain
	n.tail = 0
	if tail > 0 && n.inodeSize()+len(n.xattr)+tail <= blockSize {
		n.layout = layoutFlatInline
		n.tail = uint16(tail)
	} else if tail > 0 {
		full++
	}
	n.dataBlocks = uint32(full)
	n.startBlk = nullAddr
	if full > 0 {
		n.startBlk = *blk
		*blk += uint32(full)
	}
}

func roundUp(x, to int) int { return (x + to - 1) / to * to }
