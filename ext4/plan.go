package ext4

import (
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/gorepart/gorepart/fstree"
)

// node is one inode of the filesystem with everything about it that does
// not depend on the filesystem size.
type node struct {
	ino    uint32
	in     *fstree.Inode
	name   string // the first name the inode was found under
	up     *node  // the directory holding that name (nil for the root)
	links  uint32
	parent uint32      // directories: inode of ".."
	dir    *dirLayout  // directories
	segs   []seg       // regular files: data block ranges (holes elsewhere)
	x      *xattrSplit // nil without xattrs
}

// path is the node's first path, for messages.
func (n *node) path() string {
	if n.up == nil {
		return "/"
	}
	if n.up.up == nil {
		return "/" + n.name
	}
	return n.up.path() + "/" + n.name
}

// seg is a range of a file's logical blocks that holds data.
type seg struct{ lblk, n uint64 }

// dataBlocks is the number of blocks the node's content takes (without
// extent tree and xattr blocks).
func (n *node) dataBlocks() uint64 {
	switch {
	case n.dir != nil:
		return uint64(n.dir.blocks)
	case n.in.Kind == fstree.Symlink && len(n.in.Target) >= fastSymlink:
		return 1
	}
	var t uint64
	for _, s := range n.segs {
		t += s.n
	}
	return t
}

// plan is the size-independent part of the layout: inode numbers,
// directory contents, xattr placement and file data maps.
type plan struct {
	p       Params
	seed    [4]uint32
	nodes   []*node // indexed by inode number; nil for reserved inodes
	maxIno  uint32
	dirs    uint32
	bigFile bool
}

func newPlan(t *fstree.Tree, p Params) (*plan, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	if t == nil || t.Root == nil || t.Root.Kind != fstree.Dir {
		return nil, fmt.Errorf("planning: tree has no root directory")
	}
	pl := &plan{p: p}
	for i := range pl.seed {
		pl.seed[i] = binary.LittleEndian.Uint32(p.HashSeed[4*i:])
	}
	pl.nodes = make([]*node, firstIno)
	byInode := map[*fstree.Inode]*node{}
	add := func(in *fstree.Inode, name string, up *node, ino uint32) *node {
		n := &node{ino: ino, in: in, name: name, up: up}
		for uint32(len(pl.nodes)) <= ino {
			pl.nodes = append(pl.nodes, nil)
		}
		pl.nodes[ino] = n
		byInode[in] = n
		return n
	}
	add(t.Root, "", nil, rootIno)

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
	add(lpf, "lost+found", pl.nodes[rootIno], lpfIno)

	next := uint32(firstIno + 1)
	var walk func(d *fstree.Inode, dn *node, entries []*fstree.Entry) error
	walk = func(d *fstree.Inode, dn *node, entries []*fstree.Entry) error {
		ents := make([]dirent, 0, len(entries))
		subdirs := uint32(0)
		for i, e := range entries {
			if err := checkName(e.Name); err != nil {
				return fmt.Errorf("planning %s/%s: %w", dn.path(), e.Name, err)
			}
			if i > 0 && entries[i-1].Name >= e.Name {
				return fmt.Errorf("planning %s: entries not sorted or duplicate at %q", dn.path(), e.Name)
			}
			n, seen := byInode[e.Inode]
			if seen && e.Inode.Kind == fstree.Dir && n.links > 0 {
				return fmt.Errorf("planning %s/%s: directory hardlink", dn.path(), e.Name)
			}
			if !seen {
				n = add(e.Inode, e.Name, dn, next)
				next++
			}
			n.links++
			ents = append(ents, dirent{name: e.Name, ino: n.ino, ft: fileType(e.Inode.Kind)})
			if e.Inode.Kind == fstree.Dir {
				subdirs++
				n.parent = dn.ino
				if err := walk(e.Inode, n, e.Inode.Entries); err != nil {
					return err
				}
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
			return fmt.Errorf("planning %s: %w", dn.path(), err)
		}
		return nil
	}
	root := pl.nodes[rootIno]
	root.parent = rootIno
	if err := walk(t.Root, root, rootEntries); err != nil {
		return nil, err
	}
	pl.maxIno = uint32(len(pl.nodes) - 1)

	for _, n := range pl.nodes {
		if n == nil {
			continue
		}
		if err := pl.prepare(n); err != nil {
			return nil, err
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
			return fmt.Errorf("mapping data of %s: %w", n.path(), err)
		}
		n.segs = segs
		if in.Size > maxFileSize {
			return fmt.Errorf("planning %s: %d bytes is larger than ext4's 16 TiB file limit", n.path(), in.Size)
		}
	case fstree.CharDevice, fstree.BlockDevice:
		if in.Major >= 1<<12 || in.Minor >= 1<<20 {
			return fmt.Errorf("planning %s: device %d:%d does not fit ext4's encoding", n.path(), in.Major, in.Minor)
		}
	case fstree.Symlink:
		if len(in.Target) == 0 || len(in.Target) > maxSymlink {
			return fmt.Errorf("planning %s: symlink target of %d bytes", n.path(), len(in.Target))
		}
	}
	if n.links > linkMax && in.Kind != fstree.Dir {
		return fmt.Errorf("planning %s: %d hardlinks, ext4 allows %d", n.path(), n.links, linkMax)
	}
	if sec := in.Mtime.Unix(); sec < minTime || sec > maxTime {
		pl.p.warn("%s: time %s outside ext4's range, clamped", n.path(), in.Mtime.UTC().Format("2006-01-02"))
	}
	xin, xblk, err := layoutXattrs(in.Xattrs)
	if len(xin)+len(xblk) > 0 {
		n.x = &xattrSplit{in: xin, blk: xblk}
	}
	if err != nil {
		return fmt.Errorf("planning xattrs of %s: %w", n.path(), err)
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
