package vfat

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/gorepart/gorepart/fstree"
)

// node is one file or directory as it will be stored. Every directory
// entry gets its own node: FAT has no hard links, so a hard-linked file is
// stored once per name (as a copy does it).
type node struct {
	path  string
	inode *fstree.Inode
	dir   bool
	kids  []child // directories: entries in tree order
	slots int     // directories: 32-byte slots, incl. "." and ".." or label
	up    *node   // parent directory
	first uint32  // first cluster, 0 when none
	count uint32  // clusters
}

// child is a directory entry.
type child struct {
	short [11]byte
	lfn   []uint16 // long name in UTF-16; nil when the short name is exact
	node  *node
}

// content is the analysed tree: names, entry counts, nothing that depends
// on the cluster size.
type content struct {
	root    *node
	needs   map[needKey]int64 // memo of need
	nodes   int
	skipped int
	skipOne string // first skipped path, for the warning
}

// analyze checks t and builds the nodes, names and directory sizes.
// hasLabel adds the volume label slot to the root directory.
func analyze(t *fstree.Tree, hasLabel bool) (*content, error) {
	if t == nil || t.Root == nil || t.Root.Kind != fstree.Dir {
		return nil, fmt.Errorf("vfat: tree has no root directory")
	}
	c := &content{}
	c.root = &node{path: "/", inode: t.Root, dir: true}
	if hasLabel {
		c.root.slots = 1
	}
	if err := c.analyzeDir(c.root, true); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *content) analyzeDir(d *node, isRoot bool) error {
	if !isRoot {
		d.slots = 2 // "." and ".."
	}
	namer := shortNamer{used: map[[11]byte]bool{}, next: map[string]int{}}
	folded := map[string]string{}
	type pending struct {
		idx       int
		base, ext []byte
	}
	var gen []pending
	// fstree keeps entries sorted by name; sorting a copy keeps the output
	// independent of the order a tree was built in even if one is not.
	// List (rather than Entries) reads a spilled tree's directories too.
	ents, err := d.inode.List()
	if err != nil {
		return fmt.Errorf("vfat: listing %s: %w", d.path, err)
	}
	ents = slices.Clone(ents)
	slices.SortStableFunc(ents, func(a, b *fstree.Entry) int { return strings.Compare(a.Name, b.Name) })
	for _, e := range ents {
		p := e.Name
		if !isRoot {
			p = d.path + "/" + e.Name
		} else {
			p = "/" + e.Name
		}
		switch e.Inode.Kind {
		case fstree.File, fstree.Dir:
		default:
			if c.skipped == 0 {
				c.skipOne = p
			}
			c.skipped++
			continue
		}
		if err := checkLongName(e.Name); err != nil {
			return fmt.Errorf("vfat: %s: %w", p, err)
		}
		key := foldKey(e.Name)
		if other, ok := folded[key]; ok {
			return fmt.Errorf("vfat: %s and %s differ only in case; FAT names are case-insensitive", other, p)
		}
		folded[key] = p
		if e.Inode.Kind == fstree.File && e.Inode.Size > maxFileSize {
			return fmt.Errorf("vfat: %s: %d bytes is larger than FAT's limit of 4 GiB - 1", p, e.Inode.Size)
		}
		n := &node{path: p, inode: e.Inode, dir: e.Inode.Kind == fstree.Dir, up: d}
		base, ext, exact := shortBasis(e.Name)
		if len(base) == 0 {
			return fmt.Errorf("vfat: %s: name has no characters usable for a short name", p)
		}
		ch := child{node: n}
		if exact {
			ch.short = packShort(base, ext)
		} else {
			ch.lfn = utf16.Encode([]rune(e.Name))
			gen = append(gen, pending{len(d.kids), base, ext})
		}
		// Keep aliases away from every name an entry answers to.
		namer.reserve(packShort(base, ext))
		d.kids = append(d.kids, ch)
		c.nodes++
	}
	for _, g := range gen {
		s, err := namer.generate(g.base, g.ext)
		if err != nil {
			return fmt.Errorf("vfat: %s: %w", d.kids[g.idx].node.path, err)
		}
		d.kids[g.idx].short = s
	}
	for _, k := range d.kids {
		d.slots += 1 + lfnSlots(len(k.lfn))
	}
	if d.slots > maxDirSlots {
		return fmt.Errorf("vfat: directory %s needs %d slots, FAT allows %d", d.path, d.slots, maxDirSlots)
	}
	for _, k := range d.kids {
		if k.node.dir {
			if err := c.analyzeDir(k.node, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// clustersOf is the number of clusters n occupies.
func clustersOf(n *node, cb int64) int64 {
	if n.dir {
		return max(1, cdiv(int64(n.slots)*dirEntrySize, cb))
	}
	return cdiv(n.inode.Size, cb)
}

type needKey struct {
	cb        int64
	fixedRoot bool
}

// need counts the clusters the content takes with clusters of cb bytes;
// fixedRoot leaves out the root directory (FAT12/16).
func (c *content) need(cb int64, fixedRoot bool) int64 {
	k := needKey{cb, fixedRoot}
	if n, ok := c.needs[k]; ok {
		return n
	}
	var sum int64
	var walk func(d *node)
	walk = func(d *node) {
		for _, k := range d.kids {
			sum += clustersOf(k.node, cb)
			if k.node.dir {
				walk(k.node)
			}
		}
	}
	if !fixedRoot {
		sum += clustersOf(c.root, cb)
	}
	walk(c.root)
	if c.needs == nil {
		c.needs = map[needKey]int64{}
	}
	c.needs[k] = sum
	return sum
}

// allocate assigns clusters: the root directory first (cluster 2 on
// FAT32), then for each directory, its entries in order, then its
// subdirectories' contents. It returns the nodes holding clusters in
// ascending cluster order and the last cluster used (1 if none).
func (c *content) allocate(g *geometry) ([]*node, uint32, error) {
	fixedRoot := g.fatBits != 32
	if fixedRoot && uint32(c.root.slots) > g.rootEntries {
		return nil, 0, fmt.Errorf("vfat: root directory needs %d slots, FAT%d has %d", c.root.slots, g.fatBits, g.rootEntries)
	}
	if n := c.need(g.clusterBytes(), fixedRoot); n > int64(g.clusters) {
		return nil, 0, fmt.Errorf("vfat: %w: content needs %d clusters of %d bytes, the file system has %d",
			ErrNoSpace, n, g.clusterBytes(), g.clusters)
	}
	cb := g.clusterBytes()
	next := uint32(2)
	var order []*node
	take := func(n *node) {
		k := clustersOf(n, cb)
		if k == 0 {
			return
		}
		n.first, n.count = next, uint32(k)
		next += uint32(k)
		order = append(order, n)
	}
	if !fixedRoot {
		take(c.root)
	}
	var walk func(d *node)
	walk = func(d *node) {
		for _, k := range d.kids {
			take(k.node)
		}
		for _, k := range d.kids {
			if k.node.dir {
				walk(k.node)
			}
		}
	}
	walk(c.root)
	return order, next - 1, nil
}

// parentCluster is the ".." cluster of directory n: 0 for the root.
func (n *node) parentCluster() uint32 {
	if n.up == nil || n.up.path == "/" {
		return 0
	}
	return n.up.first
}

// mtime is the time stamped on n's entry.
func (n *node) mtime() time.Time { return n.inode.Mtime }
