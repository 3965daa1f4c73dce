package erofs

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/gorepart/gorepart/fstree"
)

// node is one inode of the image with everything the writer decides for it.
type node struct {
	in     *fstree.Inode
	name   string // the first entry naming it ("" for the root)
	parent *node  // the directory of that entry (the root's is itself)
	nlink  uint32
	ino    uint32

	extended bool
	xattrs   []xattrRef // after sharing was decided; in name order
	xattrLen int        // encoded xattr body size, 0 when none

	size       uint64
	layout     uint8
	startBlk   uint32 // first data block (flat layouts), nullAddr if none
	dataBlocks uint32 // blocks in the data area (compressed: pcluster blocks)
	tail       int    // bytes stored inline after the inode
	candidate  bool   // a regular file the compressor tries
	index      []byte // compressed: map header, padding and lcluster indexes

	metaOff int64 // offset in the metadata area; nid = metaOff / 32
}

func (n *node) compressed() bool {
	return n.layout == layoutCompressedFull || n.layout == layoutCompressedCompact
}

func (n *node) nid() uint64 { return uint64(n.metaOff / inodeSlot) }

func (n *node) inodeSize() int {
	if n.extended {
		return inodeSizeExtended
	}
	return inodeSizeCompact
}

// metaSize is the size of the inode, its xattrs and compressed indexes,
// without the inline tail.
func (n *node) metaSize() int {
	s := n.inodeSize() + n.xattrLen
	if n.compressed() {
		s = roundUp(s, 8) + len(n.index)
	}
	return s
}

// plan is the image before any file data is read.
type plan struct {
	p      *Params
	nodes  []*node // in nid order
	byIno  map[*fstree.Inode]*node
	shared []sharedXattr

	sharedStart int64  // byte offset of the shared xattr area (xattr_blkaddr 0)
	dataStart   uint32 // first data block
	dataEnd     uint32 // end of the flat (not compressed) data
	metaEnd     int64  // size of the metadata area
}

func newPlan(t *fstree.Tree, p *Params) (*plan, error) {
	if t == nil || t.Root == nil {
		return nil, errors.New("empty tree")
	}
	if t.Root.Kind != fstree.Dir {
		return nil, fmt.Errorf("root is a %v, not a directory", t.Root.Kind)
	}
	pl := &plan{p: p, byIno: make(map[*fstree.Inode]*node)}
	root := &node{in: t.Root, nlink: 2}
	root.parent = root
	pl.add(root)
	if err := pl.collect(root); err != nil {
		return nil, err
	}
	if len(pl.nodes) > math.MaxUint32 {
		return nil, fmt.Errorf("%d inodes, more than 2^32", len(pl.nodes))
	}
	if err := pl.planXattrs(); err != nil {
		return nil, err
	}
	for _, n := range pl.nodes {
		if err := pl.planInode(n); err != nil {
			return nil, err
		}
	}
	pl.planFlatData()
	return pl, nil
}

func (pl *plan) add(n *node) {
	pl.nodes = append(pl.nodes, n)
	n.ino = uint32(len(pl.nodes))
	pl.byIno[n.in] = n
}

// collect numbers a directory's new entries, then descends into its
// subdirectories, and counts links.
func (pl *plan) collect(d *node) error {
	var subdirs []*node
	for _, e := range d.in.Entries {
		if err := checkName(e.Name); err != nil {
			return fmt.Errorf("%s: %w", d.childPath(e.Name), err)
		}
		if e.Inode == nil {
			return fmt.Errorf("%s: entry without inode", d.childPath(e.Name))
		}
		if n, ok := pl.byIno[e.Inode]; ok {
			if e.Inode.Kind == fstree.Dir {
				return fmt.Errorf("%s: directory hardlinked (also %q)", d.childPath(e.Name), n.displayPath())
			}
			n.nlink++
			continue
		}
		n := &node{in: e.Inode, name: e.Name, parent: d, nlink: 1}
		if e.Inode.Kind == fstree.Dir {
			n.nlink = 2
			d.nlink++
			subdirs = append(subdirs, n)
		}
		pl.add(n)
	}
	for _, s := range subdirs {
		if err := pl.collect(s); err != nil {
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
func (n *node) displayPath() string {
	if n.name == "" {
		return "/"
	}
	return n.parent.childPath(n.name)
}

func (n *node) childPath(name string) string {
	if n.name == "" {
		return name
	}
	return n.parent.childPath(n.name) + "/" + name
}

// planInode decides the inode form and the data size.
func (pl *plan) planInode(n *node) error {
	in := n.in
	switch in.Kind {
	case fstree.File:
		if in.Size < 0 {
			return fmt.Errorf("%s: negative size", n.displayPath())
		}
		n.size = uint64(in.Size)
		n.candidate = pl.p.Compression != "" && n.size > blockSize
	case fstree.Symlink:
		if in.Target == "" {
			return fmt.Errorf("%s: empty symlink target", n.displayPath())
		}
		n.size = uint64(len(in.Target))
	case fstree.Dir:
		n.size = uint64(dirSize(n))
	case fstree.CharDevice, fstree.BlockDevice, fstree.FIFO, fstree.Socket:
	default:
		return fmt.Errorf("%s: unsupported inode kind %v", n.displayPath(), in.Kind)
	}
	bt := pl.p.BuildTime
	n.extended = n.size > math.MaxUint32 || in.UID > math.MaxUint16 || in.GID > math.MaxUint16 ||
		n.nlink > math.MaxUint16 || in.Mtime.Unix() != bt.Unix() || in.Mtime.Nanosecond() != bt.Nanosecond()
	return nil
}

// planFlatData lays out the blocks of everything not compressed, in nid
// order, and decides tail packing: the tail is inline when the inode, its
// xattrs and the tail fit in one block (the writer then never lets a tail
// cross a block boundary).
func (pl *plan) planFlatData() {
	blk := pl.dataStart
	for _, n := range pl.nodes {
		if n.candidate {
			continue
		}
		pl.setFlat(n, &blk)
	}
	pl.dataEnd = blk
}

// setFlat gives n a flat layout with its blocks starting at *blk.
func (pl *plan) setFlat(n *node, blk *uint32) {
	full := n.size / blockSize
	tail := int(n.size % blockSize)
	n.layout = layoutFlatPlain
	n.tail = 0
	if tail > 0 && n.inodeSize()+n.xattrLen+tail <= blockSize {
		n.layout = layoutFlatInline
		n.tail = tail
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
