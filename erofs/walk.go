package erofs

import (
	"errors"
	"fmt"
	"math"

	"github.com/gorepart/gorepart/fstree"
)

// The tree is walked, not held. Every pass over it (numbering, data
// layout, compression, metadata layout, writing) runs the walk below, which
// meets the inodes in inode number order: the root is 1; a directory's
// entries get the next numbers in name order when the directory is
// reached (an entry naming an inode numbered before is a hardlink), then
// its subdirectories are walked in the same order, depth first.
//
// A directory is listed when it is numbered (its size and link count come
// from its entries) and walked later: the walk holds the directories on
// the path from the root and, for each, its subdirectories still to walk,
// whose listings are kept while they total at most pendingEntries entries
// and listed again (List) when walked otherwise. What the plan keeps per inode is its nid (4 bytes), and per
// directory the number of its first entry's inode (4 bytes): a directory
// is met before its entries are numbered, and its data names their nids.
// Inodes with a zero LinkKey (a spilled tree's, hardlinks aside) are not
// remembered at all.

// pendingEntries bounds the entries of listings a walk keeps for
// subdirectories it will walk later.
const pendingEntries = 4096

// errStopped ends a walk whose consumer gave up.
var errStopped = errors.New("stopped")

// walker is the state of one walk.
type walker struct {
	pl    *plan
	first bool // the numbering walk: records links and dirFirst
	visit func(n *node) error
	next  uint32 // next inode number
	dirs  int    // directories numbered so far
	seen  map[fstree.LinkKey]uint32
	kept  int // entries of the pending listings kept
}

// walk calls visit for every inode in inode number order. The node is
// valid during the call only (a directory's list too).
func (pl *plan) walk(first bool, visit func(n *node) error) error {
	t := pl.t
	w := &walker{pl: pl, first: first, visit: visit, next: 2}
	if first {
		w.seen = make(map[fstree.LinkKey]uint32)
	}
	root := &node{in: t.Root, ino: 1, parent: 1}
	list, err := t.Root.List()
	if err != nil {
		return fmt.Errorf("listing /: %w", err)
	}
	root.list = list
	w.numberDir(root)
	if first {
		if k := t.Root.LinkKey(); !k.IsZero() {
			w.seen[k] = 1
		}
	}
	if err := visit(root); err != nil {
		return err
	}
	return w.walkDir(root)
}

// numberDir gives directory n its rank among the directories and, on
// later walks, the number of its first entry's inode.
func (w *walker) numberDir(n *node) {
	n.rank = w.dirs
	w.dirs++
	if w.first {
		w.pl.dirFirst = append(w.pl.dirFirst, 0)
	} else {
		n.first = w.pl.dirFirst[n.rank]
	}
}

// known returns the inode number an earlier entry gave the inode with key
// k.
func (w *walker) known(k fstree.LinkKey) (uint32, bool) {
	if k.IsZero() {
		return 0, false
	}
	if w.first {
		ino, ok := w.seen[k]
		return ino, ok
	}
	l, ok := w.pl.links[k]
	return l.ino, ok && l.ino < w.next
}

// walkDir numbers and visits the entries of d (listed in d.list), then
// walks its subdirectories.
func (w *walker) walkDir(d *node) error {
	pl := w.pl
	if w.first {
		pl.dirFirst[d.rank] = w.next
	} else if d.first != w.next {
		return fmt.Errorf("%s: tree changed while it was written", pl.displayPath(d))
	}
	var subdirs []*node
	for _, e := range d.list {
		if err := fstree.CheckName(e.Name, maxNameLen); err != nil {
			return fmt.Errorf("%s: %w", pl.childPath(d, e.Name), err)
		}
		if e.Inode == nil {
			return fmt.Errorf("%s: entry without inode", pl.childPath(d, e.Name))
		}
		k := e.Inode.LinkKey()
		if ino, ok := w.known(k); ok {
			if e.Inode.Kind == fstree.Dir {
				return fmt.Errorf("%s: directory hardlinked (also %q)", pl.childPath(d, e.Name), pl.pathOf(ino))
			}
			if w.first {
				l, ok := pl.links[k]
				if !ok {
					l = link{ino: ino, nlink: 1}
				}
				l.nlink++
				pl.links[k] = l
			}
			continue
		}
		if w.next == 0 {
			return fmt.Errorf("more than %d inodes", uint32(math.MaxUint32))
		}
		n := &node{in: e.Inode, name: e.Name, up: d, ino: w.next, parent: d.ino}
		w.next++
		if w.first && !k.IsZero() {
			w.seen[k] = n.ino
		}
		if e.Inode.Kind == fstree.Dir {
			list, err := e.Inode.List()
			if err != nil {
				return fmt.Errorf("listing %s: %w", pl.displayPath(n), err)
			}
			n.list = list
			w.numberDir(n)
		}
		if err := w.visit(n); err != nil {
			return err
		}
		if n.in.Kind == fstree.Dir {
			if w.kept+len(n.list) <= pendingEntries {
				w.kept += len(n.list)
			} else {
				n.list = nil
			}
			subdirs = append(subdirs, n)
		}
	}
	d.list = nil
	for i, s := range subdirs {
		subdirs[i] = nil
		if s.list != nil {
			w.kept -= len(s.list)
		} else {
			list, err := s.in.List()
			if err != nil {
				return fmt.Errorf("listing %s: %w", pl.displayPath(s), err)
			}
			s.list = list
		}
		if err := w.walkDir(s); err != nil {
			return err
		}
	}
	return nil
}

// displayPath is the path of the entry n was numbered under, for errors.
func (pl *plan) displayPath(n *node) string {
	if n.up == nil {
		return "/"
	}
	return pl.childPath(n.up, n.name)
}

// childPath is the path of name in directory d.
func (pl *plan) childPath(d *node, name string) string {
	if d.up == nil {
		return name
	}
	return pl.childPath(d.up, d.name) + "/" + name
}

// pathOf is the path of inode number ino, found by numbering the tree
// again (for an error message).
func (pl *plan) pathOf(ino uint32) string {
	path := "?"
	scratch := &plan{p: pl.p, t: pl.t, links: make(map[fstree.LinkKey]link)}
	scratch.walk(true, func(n *node) error {
		if n.ino != ino {
			return nil
		}
		path = scratch.displayPath(n)
		return errStopped
	})
	return path
}
