package ext4

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"

	"github.com/gorepart/gorepart/fstree"
)

// node is one inode of the filesystem with everything about it that does
// not depend on the filesystem size. Nodes live in one slice indexed by
// inode number and hold no per-inode allocations of their own (sparse
// files' data maps aside): a tree of a few hundred thousand inodes costs
// 40 bytes each here, on top of the content tree.
type node struct {
	in     *fstree.Inode // nil for reserved inode numbers
	ino    uint32
	up     uint32 // the directory holding the first name the inode was found under (0 for the root)
	links  uint32
	parent uint32      // directories: inode of ".."
	dir    *dirLayout  // directories
	x      *xattrSplit // nil without xattrs
}

// seg is a range of a file's logical blocks that holds data.
type seg struct{ lblk, n uint64 }

// plan is the size-independent part of the layout: inode numbers,
// directory contents, xattr placement and file data maps.
type plan struct {
	p     Params
	seed  [4]uint32
	nodes []node // indexed by inode number
	// sparse holds the data map of the regular files that have holes;
	// every other file's data is one run from block 0 (fileBlocks).
	sparse  map[uint32][]seg
	maxIno  uint32
	dirs    uint32
	bigFile bool
}

// node returns the node of inode number ino.
func (pl *plan) node(ino uint32) *node { return &pl.nodes[ino] }

// path is the node's first path, for messages: the names are looked up
// in the parent directories' entries rather than kept per node.
func (pl *plan) path(n *node) string {
	if n.up == 0 {
		return "/"
	}
	up := pl.node(n.up)
	name := "?"
	for _, e := range up.dir.ents {
		if e.ino == n.ino {
			name = e.name()
			break
		}
	}
	if up.up == 0 {
		return "/" + name
	}
	return pl.path(up) + "/" + name
}

// segments returns the ranges of a regular file's logical blocks that
// hold data.
func (pl *plan) segments(n *node) []seg {
	if s, ok := pl.sparse[n.ino]; ok {
		return s
	}
	if b := fileBlocks(n.in); b > 0 {
		return []seg{{0, b}}
	}
	return nil
}

func fileBlocks(in *fstree.Inode) uint64 { return ceilDiv(uint64(in.Size), blockSize) }

// dataBlocks is the number of blocks the node's content takes (without
// extent tree and xattr blocks).
func (pl *plan) dataBlocks(n *node) uint64 {
	switch {
	case n.dir != nil:
		return uint64(n.dir.blocks)
	case n.in.Kind == fstree.Symlink && len(n.in.Target) >= fastSymlink:
		return 1
	case n.in.Kind != fstree.File:
		return 0
	}
	s, ok := pl.sparse[n.ino]
	if !ok {
		return fileBlocks(n.in)
	}
	var t uint64
	for _, x := range s {
		t += x.n
	}
	return t
}

// countEntries is the number of entries below d, an upper bound of the
// inodes the tree needs, for sizing the node slice. It stops descending
// below depth levels, so a tree with a directory cycle (which newPlan then
// refuses) cannot make it recurse forever.
func countEntries(d *fstree.Inode, depth int) int {
	n := len(d.Entries)
	if depth == 0 {
		return n
	}
	for _, e := range d.Entries {
		if e.Inode.Kind == fstree.Dir {
			n += countEntries(e.Inode, depth-1)
		}
	}
	return n
}

func newPlan(t *fstree.Tree, p Params) (*plan, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	if t == nil || t.Root == nil || t.Root.Kind != fstree.Dir {
		return nil, fmt.Errorf("planning: tree has no root directory")
	}
	pl := &plan{p: p, sparse: map[uint32][]seg{}}
	for i := range pl.seed {
		pl.seed[i] = binary.LittleEndian.Uint32(p.HashSeed[4*i:])
	}
	// Room for every inode up front (root, lost+found, one per entry at
	// most), so the slice is not copied as it grows. Nodes are still
	// referred to by inode number across appends, never by pointer.
	pl.nodes = make([]node, firstIno, firstIno+2+countEntries(t.Root, 4096))
	byInode := map[*fstree.Inode]uint32{}
	add := func(in *fstree.Inode, up uint32, ino uint32) *node {
		for uint32(len(pl.nodes)) <= ino {
			pl.nodes = append(pl.nodes, node{})
		}
		n := pl.node(ino)
		*n = node{ino: ino, in: in, up: up}
		byInode[in] = ino
		return n
	}
	add(t.Root, 0, rootIno)

	// lost+found is inode 11 as with mke2fs; a lost+found directory in the
	// tree takes its place.
	lpf := &fstree.Inode{Kind: fstree.Dir, Mode: 0700, Mtime: p.Time}
	rootEntries := t.Root.Entries
	if e := t.Root.Lookup("lost+found"); e != nil {
		if e.Inode.Kind != fstree.Dir {
			return nil, fmt.Errorf("planning: /lost+found is a %s, not a directory", e.Inode.Kind)
		}
		lpf = e.Inode
	} else {
		rootEntries = append(append([]*fstree.Entry(nil), rootEntries...), &fstree.Entry{Name: "lost+found", Inode: lpf})
		sort.Slice(rootEntries, func(i, j int) bool { return rootEntries[i].Name < rootEntries[j].Name })
	}
	add(lpf, rootIno, lpfIno)

	next := uint32(firstIno + 1)
	// dirPath names a directory in messages while its entries are being
	// planned (its own layout, which path looks names up in, comes last).
	var dirPath func(dn *node, name string) string
	dirPath = func(dn *node, name string) string {
		if dn.ino == rootIno {
			return "/" + name
		}
		return strings.TrimSuffix(pl.path(dn), "/") + "/" + name
	}
	var walk func(dino uint32, entries []*fstree.Entry) error
	walk = func(dino uint32, entries []*fstree.Entry) error {
		dn := pl.node(dino)
		ents := make([]dirent, 0, len(entries))
		subdirs := uint32(0)
		for i, e := range entries {
			if err := checkName(e.Name); err != nil {
				return fmt.Errorf("planning %s: %w", dirPath(dn, e.Name), err)
			}
			if i > 0 && entries[i-1].Name >= e.Name {
				return fmt.Errorf("planning %s: entries not sorted or duplicate at %q", pl.path(dn), e.Name)
			}
			ino, seen := byInode[e.Inode]
			if seen && e.Inode.Kind == fstree.Dir && (pl.node(ino).links > 0 || ino == rootIno) {
				return fmt.Errorf("planning %s: directory hardlink", dirPath(dn, e.Name))
			}
			if !seen {
				ino = next
				add(e.Inode, dino, next)
				next++
				dn = pl.node(dino) // add may have moved the slice
			}
			n := pl.node(ino)
			n.links++
			ents = append(ents, dirent{e: e, ino: ino})
			if e.Inode.Kind == fstree.Dir {
				subdirs++
				n.parent = dn.ino
				// The entries so far name n in messages from below.
				dn.dir = &dirLayout{ents: ents}
				if err := walk(ino, e.Inode.Entries); err != nil {
					return err
				}
				dn = pl.node(dino)
			}
		}
		dn.links = 2 + subdirs
		if dn.links > linkMax {
			dn.links = 1
		}
		min := 1
		if dn.ino == lpfIno {
			min = 4 // mke2fs makes lost+found 16 KiB
		}
		dn.dir = layoutDir(ents, min, pl.seed)
		if err := dn.dir.check(); err != nil {
			return fmt.Errorf("planning %s: %w", pl.path(dn), err)
		}
		return nil
	}
	root := pl.node(rootIno)
	root.parent = rootIno
	if err := walk(rootIno, rootEntries); err != nil {
		return nil, err
	}
	pl.maxIno = uint32(len(pl.nodes) - 1)

	for i := range pl.nodes {
		if n := &pl.nodes[i]; n.in != nil {
			if err := pl.prepare(n); err != nil {
				return nil, err
			}
		}
	}
	return pl, nil
}

// prepare computes a node's data map and xattr placement.
func (pl *plan) prepare(n *node) error {
	in := n.in
	switch in.Kind {
	case fstree.File:
		segs, err := dataSegments(in)
		if err != nil {
			return fmt.Errorf("mapping data of %s: %w", pl.path(n), err)
		}
		if !(len(segs) == 0 && fileBlocks(in) == 0) && !(len(segs) == 1 && segs[0] == seg{0, fileBlocks(in)}) {
			pl.sparse[n.ino] = segs
		}
		if in.Size > maxFileSize {
			return fmt.Errorf("planning %s: %d bytes is larger than ext4's 16 TiB file limit", pl.path(n), in.Size)
		}
	case fstree.CharDevice, fstree.BlockDevice:
		if in.Major >= 1<<12 || in.Minor >= 1<<20 {
			return fmt.Errorf("planning %s: device %d:%d does not fit ext4's encoding", pl.path(n), in.Major, in.Minor)
		}
	case fstree.Symlink:
		if len(in.Target) == 0 || len(in.Target) > maxSymlink {
			return fmt.Errorf("planning %s: symlink target of %d bytes", pl.path(n), len(in.Target))
		}
	}
	if n.links > linkMax && in.Kind != fstree.Dir {
		return fmt.Errorf("planning %s: %d hardlinks, ext4 allows %d", pl.path(n), n.links, linkMax)
	}
	if sec := in.Mtime.Unix(); sec < minTime || sec > maxTime {
		pl.p.warn("%s: time %s outside ext4's range, clamped", pl.path(n), in.Mtime.UTC().Format("2006-01-02"))
	}
	xin, xblk, err := layoutXattrs(in.Xattrs)
	if len(xin)+len(xblk) > 0 {
		n.x = &xattrSplit{in: xin, blk: xblk}
	}
	if err != nil {
		return fmt.Errorf("planning xattrs of %s: %w", pl.path(n), err)
	}
	return nil
}

func checkName(name string) error {
	if name == "" || name == "." || name == ".." {
		return fmt.Errorf("invalid name %q", name)
	}
	if len(name) > maxNameLen {
		return fmt.Errorf("name longer than %d bytes", maxNameLen)
	}
	for i := 0; i < len(name); i++ {
		if name[i] == '/' || name[i] == 0 {
			return fmt.Errorf("invalid name %q", name)
		}
	}
	return nil
}

func fileType(k fstree.Kind) uint8 {
	switch k {
	case fstree.Dir:
		return ftDir
	case fstree.Symlink:
		return ftLnk
	case fstree.CharDevice:
		return ftChr
	case fstree.BlockDevice:
		return ftBlk
	case fstree.FIFO:
		return ftFifo
	case fstree.Socket:
		return ftSock
	}
	return ftReg
}
