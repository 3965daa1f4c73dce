package erofs

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gorepart/gorepart/fstree"
)

// node is one inode of the image with everything the writer decides for
// it. Nodes are values in chunks of the plan, found by inode number
// (plan.node), and hold no allocations of their own: no name (messages
// look it up in the parent's entries), the parent as an inode number, the
// xattr bodies and compressed indexes in buffers of the plan, the link
// count recomputed. 48 bytes each (TestNodeSize): a tree of a few hundred thousand inodes would
// otherwise cost erofs as much memory as the content tree.
type node struct {
	in       *fstree.Inode
	size     uint64
	ino      uint32
	slot     uint32 // the nid: offset in the metadata area / 32
	parent   uint32 // inode number of the directory of its first entry (the root's is itself)
	first    uint32 // directories: inode number of the first inode numbered in it
	startBlk uint32 // first data block (flat layouts), nullAddr if none
	// dataBlocks is the number of blocks in the data area (compressed:
	// pcluster blocks).
	dataBlocks uint32
	xattr      uint32 // number of the xattr body in plan.xattrAt, 0 when none
	tail       uint16 // bytes stored inline after the inode
	layout     uint8
	extended   bool
}

// nodeChunk is the number of nodes allocated at once: the nodes never
// move, and a growing tree never holds two copies of them.
const nodeChunk = 4096

func (n *node) compressed() bool {
	return n.layout == layoutCompressedFull || n.layout == layoutCompressedCompact
}

func (n *node) nid() uint64 { return uint64(n.slot) }

// metaOff is the node's offset in the metadata area.
func (n *node) metaOff() int64 { return int64(n.slot) * inodeSlot }

// nlink is the link count: a directory's subdirectories and its own two
// names; other inodes' names.
func (pl *plan) nlink(n *node) uint32 {
	if n.in.Kind == fstree.Dir {
		c := uint32(2)
		for _, e := range pl.lists[n.in] {
			if e.Inode.Kind == fstree.Dir {
				c++
			}
		}
		return c
	}
	if l, ok := pl.links[n.in.LinkKey()]; ok {
		return l.nlink
	}
	return 1
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
	s := n.inodeSize() + len(pl.xattrBody(n))
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

// plan is the image before any file data is read.
type plan struct {
	p      *Params
	chunks [][]node // nodeChunk nodes each, inode number 1 first
	count  uint32   // number of nodes
	// links holds the inodes with several entries (hardlinks), by
	// LinkKey; every other entry's inode is found by counting
	// (encodeDir).
	links map[fstree.LinkKey]link
	// lists are the directories' entries, as List returned them once: a
	// spilled tree (fstree.BuildOptions.SpillDir) makes new Inodes on
	// every List, and the nodes point at these.
	lists map[*fstree.Inode][]*fstree.Entry
	// indexBuf holds the compressed files' map headers, padding and
	// lcluster indexes in inode number order, the one of inode
	// indexIno[k] ending at indexEnd[k].
	indexBuf []byte
	indexIno []uint32
	indexEnd []int
	shared   []sharedXattr
	// xattrBuf holds the inodes' encoded xattr bodies, body k (node.xattr)
	// being xattrBuf[xattrAt[k-1]:xattrAt[k]].
	xattrBuf []byte
	xattrAt  []int

	sharedStart int64  // byte offset of the shared xattr area (xattr_blkaddr 0)
	dataStart   uint32 // first data block
	dataEnd     uint32 // end of the flat (not compressed) data
	metaEnd     int64  // size of the metadata area
}

// link is a hardlinked inode's number and link count.
type link struct{ ino, nlink uint32 }

// node returns the node of inode number ino (1 is the root).
func (pl *plan) node(ino uint32) *node {
	i := ino - 1
	return &pl.chunks[i/nodeChunk][i%nodeChunk]
}

// each calls fn for every node in inode number order.
func (pl *plan) each(fn func(n *node)) {
	for _, c := range pl.chunks {
		for i := range c {
			fn(&c[i])
		}
	}
}

func newPlan(t *fstree.Tree, p *Params) (*plan, error) {
	if t == nil || t.Root == nil {
		return nil, errors.New("empty tree")
	}
	if t.Root.Kind != fstree.Dir {
		return nil, fmt.Errorf("root is a %v, not a directory", t.Root.Kind)
	}
	pl := &plan{p: p, links: make(map[fstree.LinkKey]link), lists: make(map[*fstree.Inode][]*fstree.Entry)}
	// seen numbers every inode while the tree is walked; afterwards only
	// the hardlinked ones are kept (links).
	seen := newInoTable()
	root, err := pl.add(t.Root, 1, seen)
	if err != nil {
		return nil, err
	}
	if err := pl.collect(root, seen); err != nil {
		return nil, err
	}
	if err := pl.planXattrs(); err != nil {
		return nil, err
	}
	for ino := uint32(1); ino <= pl.count; ino++ {
		if err := pl.planInode(pl.node(ino)); err != nil {
			return nil, err
		}
	}
	pl.planFlatData()
	return pl, nil
}

// add numbers a new inode found in directory parent.
func (pl *plan) add(in *fstree.Inode, parent uint32, seen *inoTable) (*node, error) {
	if pl.count == math.MaxUint32 {
		return nil, fmt.Errorf("more than %d inodes", uint32(math.MaxUint32))
	}
	if pl.count%nodeChunk == 0 {
		pl.chunks = append(pl.chunks, make([]node, 0, nodeChunk))
	}
	pl.count++
	c := &pl.chunks[len(pl.chunks)-1]
	*c = append(*c, node{in: in, ino: pl.count, parent: parent})
	seen.insert(pl, pl.count)
	return &(*c)[len(*c)-1], nil
}

// collect numbers a directory's new entries, then descends into its
// subdirectories, and counts hardlinks.
func (pl *plan) collect(d *node, seen *inoTable) error {
	d.first = pl.count + 1
	ents, err := d.in.List()
	if err != nil {
		return fmt.Errorf("listing %s: %w", pl.displayPath(d), err)
	}
	pl.lists[d.in] = ents
	var subdirs []*node
	for _, e := range ents {
		if err := checkName(e.Name); err != nil {
			return fmt.Errorf("%s: %w", pl.childPath(d, e.Name), err)
		}
		if e.Inode == nil {
			return fmt.Errorf("%s: entry without inode", pl.childPath(d, e.Name))
		}
		if ino, ok := seen.find(pl, e.Inode); ok {
			if e.Inode.Kind == fstree.Dir {
				return fmt.Errorf("%s: directory hardlinked (also %q)", pl.childPath(d, e.Name), pl.displayPath(pl.node(ino)))
			}
			k := e.Inode.LinkKey()
			l, ok := pl.links[k]
			if !ok {
				l = link{ino: ino, nlink: 1}
			}
			l.nlink++
			pl.links[k] = l
			continue
		}
		n, err := pl.add(e.Inode, d.ino, seen)
		if err != nil {
			return err
		}
		if e.Inode.Kind == fstree.Dir {
			subdirs = append(subdirs, n)
		}
	}
	for _, s := range subdirs {
		if err := pl.collect(s, seen); err != nil {
			return err
		}
	}
	return nil
}

func checkName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("invalid name %q", name)
	case len(name) > maxNameLen:
		return fmt.Errorf("name longer than %d bytes", maxNameLen)
	case strings.ContainsAny(name, "/\x00"):
		return fmt.Errorf("name %q contains '/' or NUL", name)
	}
	return nil
}

// displayPath is the path of the first entry naming n, for errors.
func (pl *plan) displayPath(n *node) string {
	if n.ino == 1 {
		return "/"
	}
	return pl.childPath(pl.node(n.parent), pl.name(n))
}

// childPath is the path of name in directory d.
func (pl *plan) childPath(d *node, name string) string {
	if d.ino == 1 {
		return name
	}
	return pl.childPath(pl.node(d.parent), pl.name(d)) + "/" + name
}

// name is the first entry naming n in its parent directory.
func (pl *plan) name(n *node) string {
	for _, e := range pl.lists[pl.node(n.parent).in] {
		if e.Inode == n.in {
			return e.Name
		}
	}
	return "?"
}

// planInode decides the inode form and the data size.
func (pl *plan) planInode(n *node) error {
	in := n.in
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
		n.size = uint64(dirSize(pl.lists[n.in]))
	case fstree.CharDevice, fstree.BlockDevice, fstree.FIFO, fstree.Socket:
	default:
		return fmt.Errorf("%s: unsupported inode kind %v", pl.displayPath(n), in.Kind)
	}
	bt := pl.p.BuildTime
	n.extended = n.size > math.MaxUint32 || in.UID > math.MaxUint16 || in.GID > math.MaxUint16 ||
		pl.nlink(n) > math.MaxUint16 || in.Mtime.Unix() != bt.Unix() || in.Mtime.Nanosecond() != bt.Nanosecond()
	return nil
}

// planFlatData lays out the blocks of everything not compressed, in nid
// order, and decides tail packing: the tail is inline when the inode, its
// xattrs and the tail fit in one block (the writer then never lets a tail
// cross a block boundary).
func (pl *plan) planFlatData() {
	blk := pl.dataStart
	pl.each(func(n *node) {
		if !pl.candidate(n) {
			pl.setFlat(n, &blk)
		}
	})
	pl.dataEnd = blk
}

// setFlat gives n a flat layout with its blocks starting at *blk.
func (pl *plan) setFlat(n *node, blk *uint32) {
	full := n.size / blockSize
	tail := int(n.size % blockSize)
	n.layout = layoutFlatPlain
	n.tail = 0
	if tail > 0 && n.inodeSize()+len(pl.xattrBody(n))+tail <= blockSize {
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
