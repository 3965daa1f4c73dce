package squashfs

import (
	"fmt"
	"math"
	"path"

	"github.com/gorepart/gorepart/fstree"
)

// check walks the tree once before anything is written: it refuses what
// squashfs cannot hold, counts the inodes (the root's number is the
// count) and the names of every inode named more than once (hardlinks,
// told by LinkKey; only those stay in links), and reports the xattrs
// squashfs has no namespace for.
type check struct {
	p       *Params
	count   uint32
	links   map[fstree.LinkKey]uint32
	seen    map[fstree.LinkKey]bool
	ids     map[uint32]bool
	skipped map[string]bool
}

// checkTree returns the number of inodes and the link counts of the
// inodes with more than one name.
func checkTree(t *fstree.Tree, p *Params) (uint32, map[fstree.LinkKey]uint32, error) {
	if t == nil || t.Root == nil {
		return 0, nil, fmt.Errorf("empty tree")
	}
	if t.Root.Kind != fstree.Dir {
		return 0, nil, fmt.Errorf("root is a %v, not a directory", t.Root.Kind)
	}
	c := &check{p: p, links: make(map[fstree.LinkKey]uint32), seen: make(map[fstree.LinkKey]bool),
		ids: make(map[uint32]bool), skipped: make(map[string]bool)}
	if err := c.inode(t.Root, "/"); err != nil {
		return 0, nil, err
	}
	if err := c.dir(t.Root, "/"); err != nil {
		return 0, nil, err
	}
	c.count++ // the root
	return c.count, c.links, nil
}

func (c *check) dir(d *fstree.Inode, dpath string) error {
	list, err := d.List()
	if err != nil {
		return fmt.Errorf("listing %s: %w", dpath, err)
	}
	for _, e := range list {
		p := path.Join(dpath, e.Name)
		if err := fstree.CheckName(e.Name, maxNameLen); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		in := e.Inode
		if in == nil {
			return fmt.Errorf("%s: entry without inode", p)
		}
		if k := in.LinkKey(); !k.IsZero() {
			if c.seen[k] {
				if in.Kind == fstree.Dir {
					return fmt.Errorf("%s: directory with more than one name", p)
				}
				c.links[k] = max(c.links[k], 1) + 1
				continue
			}
			c.seen[k] = true
		}
		if c.count == math.MaxUint32-1 {
			return fmt.Errorf("more than %d inodes", math.MaxUint32-1)
		}
		c.count++
		if err := c.inode(in, p); err != nil {
			return err
		}
		if in.Kind == fstree.Dir {
			if err := c.dir(in, p); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *check) inode(in *fstree.Inode, p string) error {
	switch in.Kind {
	case fstree.File:
		if in.Size < 0 {
			return fmt.Errorf("%s: negative size", p)
		}
	case fstree.Symlink:
		if in.Target == "" || len(in.Target) > maxSymlink {
			return fmt.Errorf("%s: symlink target of %d bytes (want 1 to %d)", p, len(in.Target), maxSymlink)
		}
	case fstree.CharDevice, fstree.BlockDevice:
		if in.Major > 0xfff || in.Minor > 0xfffff {
			return fmt.Errorf("%s: device %d:%d beyond squashfs's 12-bit major and 20-bit minor", p, in.Major, in.Minor)
		}
	case fstree.Dir, fstree.FIFO, fstree.Socket:
	default:
		return fmt.Errorf("%s: unsupported inode kind %v", p, in.Kind)
	}
	for _, id := range [2]uint32{in.UID, in.GID} {
		if !c.ids[id] {
			if len(c.ids) == maxIDs {
				return fmt.Errorf("%s: more than %d distinct uids and gids", p, maxIDs)
			}
			c.ids[id] = true
		}
	}
	for _, a := range in.Xattrs {
		t := xattrPrefix(a.Name)
		if t < 0 {
			if !c.skipped[a.Name] {
				c.skipped[a.Name] = true
				c.p.warn("%s: xattr %s skipped: squashfs stores only user., trusted. and security. attributes", p, a.Name)
			}
			continue
		}
		if len(a.Name)-len(xattrPrefixes[t]) > math.MaxUint16 {
			return fmt.Errorf("%s: xattr name %.40s... too long", p, a.Name)
		}
		if int64(len(a.Value)) > math.MaxUint32/2 {
			return fmt.Errorf("%s: xattr %s value too long", p, a.Name)
		}
	}
	return nil
}
