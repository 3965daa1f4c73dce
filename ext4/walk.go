package ext4

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gorepart/gorepart/fstree"
)

// The tree is walked, not held. Both passes over it (planning, writing)
// run the one walk below, which numbers inodes the same way every time:
// the root is 2, lost+found 11, and from 12 on every inode gets the next
// number when its first name is met, depth first, names in byte order (a
// directory's entries are numbered after the whole subtree of an earlier
// sibling directory). Allocation follows inode order, so each pass also
// meets the inodes in the order their blocks are handed out.
//
// What the walk keeps: the directories being walked (their entries and
// names, from the root down to the current one) and the inode number of
// every inode that has a second name still to come. Inodes whose LinkKey
// is zero (the whole of a spilled tree, hardlinks aside) are not
// remembered at all, so memory does not grow with the size of the tree.

// tnode is an inode as the walk meets it, valid during the visit only.
type tnode struct {
	in    *fstree.Inode
	ino   uint32
	name  string   // the name it was met under ("" for the root)
	up    *openDir // the directory holding that name (nil for the root)
	dir   *openDir // directories: their entries
	links uint32   // directories only (non-directories: the visitor knows)
}

// openDir is a directory whose entries are being walked.
type openDir struct {
	node   *tnode
	ino    uint32
	parent uint32 // inode of ".."
	// list is what List returned; ents the same entries in name order
	// with the inode numbers the walk gave them so far.
	list   []*fstree.Entry
	ents   []dirent
	blocks int  // directory blocks, from the names alone
	htree  bool // indexed (dir_index)
	// ext is where the write pass put the directory's blocks.
	ext []extent
}

// visitor is one pass over the tree.
type visitor interface {
	// visit is called once per inode, in inode number order, when the
	// walk gives it its number. A directory's entries are listed but
	// not yet numbered.
	visit(n *tnode) error
	// link is called for every further name of an inode already visited.
	link(d *openDir, e *fstree.Entry, ino uint32) error
	// done is called when every entry of d has its inode number.
	done(d *openDir) error
}

// walker is the state of one walk.
type walker struct {
	seed  [4]uint32
	v     visitor
	next  uint32
	seen  map[fstree.LinkKey]uint32 // inode numbers by non-zero LinkKey
	lpf   *openDir
	lpfIn *fstree.Inode
}

// walkTree visits every inode of t in inode number order. madeLPF is the
// lost+found the walk adds when t has none.
func walkTree(t *fstree.Tree, seed [4]uint32, madeLPF *fstree.Inode, v visitor) error {
	if t == nil || t.Root == nil || t.Root.Kind != fstree.Dir {
		return fmt.Errorf("planning: tree has no root directory")
	}
	w := &walker{seed: seed, v: v, next: firstIno + 1, seen: map[fstree.LinkKey]uint32{}}
	rootList, err := t.Root.List()
	if err != nil {
		return fmt.Errorf("listing /: %w", err)
	}
	// lost+found is inode 11 as with mke2fs; a lost+found directory in
	// the tree takes its place.
	w.lpfIn = madeLPF
	if e := lookup(rootList, "lost+found"); e != nil {
		if e.Inode.Kind != fstree.Dir {
			return fmt.Errorf("planning: /lost+found is a %s, not a directory", e.Inode.Kind)
		}
		w.lpfIn = e.Inode
	} else {
		rootList = append(append([]*fstree.Entry(nil), rootList...), &fstree.Entry{Name: "lost+found", Inode: madeLPF})
		sort.Slice(rootList, func(i, j int) bool { return rootList[i].Name < rootList[j].Name })
	}
	root := &tnode{in: t.Root, ino: rootIno}
	w.remember(t.Root, rootIno)
	rd, err := w.open(root, rootList, rootIno, 1)
	if err != nil {
		return err
	}
	if err := v.visit(root); err != nil {
		return err
	}
	lpf := &tnode{in: w.lpfIn, ino: lpfIno, name: "lost+found", up: rd}
	w.remember(w.lpfIn, lpfIno)
	lpfList, err := w.lpfIn.List()
	if err != nil {
		return fmt.Errorf("listing /lost+found: %w", err)
	}
	// mke2fs makes lost+found 16 KiB.
	if w.lpf, err = w.open(lpf, lpfList, rootIno, 4); err != nil {
		return err
	}
	if err := v.visit(lpf); err != nil {
		return err
	}
	return w.walkDir(rd)
}

func lookup(list []*fstree.Entry, name string) *fstree.Entry {
	i := sort.Search(len(list), func(i int) bool { return list[i].Name >= name })
	if i < len(list) && list[i].Name == name {
		return list[i]
	}
	return nil
}

// remember records in's inode number if another name may lead to it.
func (w *walker) remember(in *fstree.Inode, ino uint32) {
	if k := in.LinkKey(); !k.IsZero() {
		w.seen[k] = ino
	}
}

// open checks a directory's entries and sizes its blocks.
func (w *walker) open(n *tnode, list []*fstree.Entry, parent uint32, minBlocks int) (*openDir, error) {
	d := &openDir{node: n, ino: n.ino, parent: parent, list: list, ents: make([]dirent, len(list))}
	n.dir = d
	subdirs := uint32(0)
	for i, e := range list {
		if err := checkName(e.Name); err != nil {
			return nil, fmt.Errorf("planning %s: %w", childPath(n, e.Name), err)
		}
		if i > 0 && list[i-1].Name >= e.Name {
			return nil, fmt.Errorf("planning %s: entries not sorted or duplicate at %q", nodePath(n), e.Name)
		}
		d.ents[i].e = e
		if e.Inode.Kind == fstree.Dir {
			subdirs++
		}
	}
	n.links = 2 + subdirs
	if n.links > linkMax {
		n.links = 1
	}
	// The block count depends on the names only; the layout is made
	// again, with inode numbers, when the directory is written.
	l := layoutDir(append([]dirent(nil), d.ents...), minBlocks, w.seed)
	if err := l.check(); err != nil {
		return nil, fmt.Errorf("planning %s: %w", nodePath(n), err)
	}
	d.blocks, d.htree = l.blocks, l.ht != nil
	return d, nil
}

// walkDir numbers and visits the entries of d, depth first.
func (w *walker) walkDir(d *openDir) error {
	for i, e := range d.list {
		if d.ino == rootIno && e.Inode == w.lpfIn {
			// The lost+found numbered and visited up front.
			d.ents[i].ino = lpfIno
			if err := w.walkDir(w.lpf); err != nil {
				return err
			}
			continue
		}
		key := e.Inode.LinkKey()
		if ino, ok := w.seen[key]; ok && !key.IsZero() {
			if e.Inode.Kind == fstree.Dir {
				return fmt.Errorf("planning %s: directory hardlink", childPath(d.node, e.Name))
			}
			d.ents[i].ino = ino
			if err := w.v.link(d, e, ino); err != nil {
				return err
			}
			continue
		}
		ino := w.next
		w.next++
		if !key.IsZero() {
			w.seen[key] = ino
		}
		d.ents[i].ino = ino
		n := &tnode{in: e.Inode, ino: ino, name: e.Name, up: d}
		if e.Inode.Kind != fstree.Dir {
			if err := w.v.visit(n); err != nil {
				return err
			}
			continue
		}
		list, err := e.Inode.List()
		if err != nil {
			return fmt.Errorf("listing %s: %w", nodePath(n), err)
		}
		sub, err := w.open(n, list, d.ino, 1)
		if err != nil {
			return err
		}
		if err := w.v.visit(n); err != nil {
			return err
		}
		if err := w.walkDir(sub); err != nil {
			return err
		}
	}
	return w.v.done(d)
}

// nodePath is n's path, for messages.
func nodePath(n *tnode) string {
	if n.up == nil {
		return "/"
	}
	var names []string
	for x := n; x.up != nil; x = x.up.node {
		names = append(names, x.name)
	}
	var b strings.Builder
	for i := len(names) - 1; i >= 0; i-- {
		b.WriteString("/")
		b.WriteString(names[i])
	}
	return b.String()
}

// childPath is the path of name in directory n.
func childPath(n *tnode, name string) string {
	return strings.TrimSuffix(nodePath(n), "/") + "/" + name
}
