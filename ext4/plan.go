package ext4

import (
	"encoding/binary"
	"fmt"

	"github.com/gorepart/gorepart/fstree"
)

// plan is what the planning pass learns about a tree before any size is
// chosen: the inode count, what every inode allocates (a few bytes each,
// see demand.go) and the names of hardlinked inodes. It holds nothing
// else per inode: the write pass walks the tree again.
type plan struct {
	p    Params
	t    *fstree.Tree
	seed [4]uint32
	// lpf is the lost+found made for a tree that has none.
	lpf *fstree.Inode
	// demand holds, in inode number order, what each inode allocates.
	demand []byte
	maxIno uint32
	// names counts the names of the inodes that have more than one.
	names map[fstree.LinkKey]uint32
}

func fileBlocks(in *fstree.Inode) uint64 { return ceilDiv(uint64(in.Size), blockSize) }

func newPlan(t *fstree.Tree, p Params) (*plan, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	pl := &plan{p: p, t: t, names: map[fstree.LinkKey]uint32{},
		lpf: &fstree.Inode{Kind: fstree.Dir, Mode: 0700, Mtime: p.Time}}
	for i := range pl.seed {
		pl.seed[i] = binary.LittleEndian.Uint32(p.HashSeed[4*i:])
	}
	pv := &planner{pl: pl}
	if err := pl.walk(pv); err != nil {
		return nil, err
	}
	return pl, nil
}

// walk runs one pass over the plan's tree.
func (pl *plan) walk(v visitor) error {
	return walkTree(pl.t, pl.seed, pl.lpf, v)
}

// links returns the link count of a non-directory.
func (pl *plan) links(in *fstree.Inode) uint32 {
	if k := in.LinkKey(); !k.IsZero() {
		if n, ok := pl.names[k]; ok {
			return n
		}
	}
	return 1
}

// planner is the planning pass: it checks every inode and records what
// it allocates.
type planner struct {
	pl *plan
	d  demand // reused
}

func (v *planner) visit(n *tnode) error {
	pl := v.pl
	in := n.in
	pl.maxIno = max(pl.maxIno, n.ino)
	d := &v.d
	d.reset()
	switch in.Kind {
	case fstree.Dir:
		d.dense(uint64(n.dir.blocks))
	case fstree.File:
		if in.Size > maxFileSize {
			return fmt.Errorf("planning %s: %d bytes is larger than ext4's 16 TiB file limit", nodePath(n), in.Size)
		}
		segs, err := dataSegments(in)
		if err != nil {
			return fmt.Errorf("mapping data of %s: %w", nodePath(n), err)
		}
		if len(segs) == 1 && segs[0] == (seg{0, fileBlocks(in)}) {
			d.dense(segs[0].n)
		} else {
			d.segs = append(d.segs, segs...)
		}
	case fstree.CharDevice, fstree.BlockDevice:
		if in.Major >= 1<<12 || in.Minor >= 1<<20 {
			return fmt.Errorf("planning %s: device %d:%d does not fit ext4's encoding", nodePath(n), in.Major, in.Minor)
		}
	case fstree.Symlink:
		if len(in.Target) == 0 || len(in.Target) > maxSymlink {
			return fmt.Errorf("planning %s: symlink target of %d bytes", nodePath(n), len(in.Target))
		}
		if len(in.Target) >= fastSymlink {
			d.dense(1)
		}
	}
	if sec := in.Mtime.Unix(); sec < minTime || sec > maxTime {
		pl.p.warn("%s: time %s outside ext4's range, clamped", nodePath(n), in.Mtime.UTC().Format("2006-01-02"))
	}
	x, err := splitXattrs(in)
	if err != nil {
		return fmt.Errorf("planning xattrs of %s: %w", nodePath(n), err)
	}
	d.xattrBlock = x != nil && len(x.blk) > 0
	pl.demand = d.append(pl.demand)
	return nil
}

func (v *planner) link(d *openDir, e *fstree.Entry, ino uint32) error {
	k := e.Inode.LinkKey()
	c := v.pl.names[k]
	if c == 0 {
		c = 1
	}
	c++
	if c > linkMax {
		return fmt.Errorf("planning %s: more than %d hardlinks, ext4's limit", childPath(d.node, e.Name), linkMax)
	}
	v.pl.names[k] = c
	return nil
}

func (v *planner) done(*openDir) error { return nil }

// splitXattrs is the xattr placement of an inode (nil without xattrs).
func splitXattrs(in *fstree.Inode) (*xattrSplit, error) {
	xin, xblk, err := layoutXattrs(in.Xattrs)
	if err != nil {
		return nil, err
	}
	if len(xin)+len(xblk) == 0 {
		return nil, nil
	}
	return &xattrSplit{in: xin, blk: xblk}, nil
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
