package fstree

import (
	"errors"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"
)

// place puts what was read for line l into the tree.
func (b *builder) place(l *line) error {
	if l.node.Kind == Dir {
		return b.placeDir(l)
	}
	return b.placeLeaf(l)
}

// placeDir merges a directory source into its target: a missing target
// becomes the source directory itself (with its metadata); an existing
// directory keeps its metadata and gains the source's entries.
func (b *builder) placeDir(l *line) error {
	if l.target == "/" {
		return b.mergeDir(b.root, l.node, "/", l)
	}
	parent, name := splitTarget(l.target)
	pd, err := b.mkdirAll(parent)
	if err != nil {
		return err
	}
	e := pd.Lookup(name)
	if e == nil {
		insertEntry(pd, &Entry{Name: name, Inode: l.node})
		return nil
	}
	d := e.Inode
	if d.Kind == Symlink {
		// Like chase(): a symlink to a directory is merged into.
		if r, err := resolve(b.root, l.target, nil); err == nil {
			d = r
		}
	}
	if d.Kind != Dir {
		return fmt.Errorf("cannot copy directory %s onto %s %s%s", l.host, d.Kind, l.target, b.madeBy(l.target, l.idx))
	}
	return b.mergeDir(d, l.node, l.target, l)
}

// placeLeaf puts a file or symlink source at its target, replacing a
// non-directory an earlier line put there.
func (b *builder) placeLeaf(l *line) error {
	if l.target == "/" || strings.HasSuffix(l.c.Target, "/") {
		return fmt.Errorf("target %s is a directory but source %s is a %s", l.c.Target, l.host, l.node.Kind)
	}
	parent, name := splitTarget(l.target)
	pd, err := b.mkdirAll(parent)
	if err != nil {
		return err
	}
	if e := pd.Lookup(name); e == nil {
		insertEntry(pd, &Entry{Name: name, Inode: l.node})
	} else if e.Inode.Kind == Dir {
		return fmt.Errorf("cannot copy %s %s onto directory %s%s", l.node.Kind, l.host, l.target, b.madeBy(l.target, l.idx))
	} else {
		e.Inode = l.node
	}
	if b.pol.epoch != nil {
		// repart sets the parent's mtime after copying a file source.
		pd.Mtime = *b.pol.epoch
	}
	return nil
}

// mergeDir merges the entries of src (read from a source) into dst, in
// one pass over both sorted lists. Collisions: directories merge
// (keeping dst's metadata), a non-directory replaces a non-directory, a
// non-directory does not replace a directory (warning, as repart skips
// it), and a directory onto a non-directory is an error.
//
// Spilled directories are decoded only where both sides have entries: a
// spilled src merged into an empty dst lends dst its listing.
func (b *builder) mergeDir(dst, src *Inode, at string, l *line) error {
	if err := materialize(dst); err != nil {
		return err
	}
	if len(dst.Entries) == 0 {
		dst.Entries = src.Entries
		if src.spilled() {
			dst.spill = src.spill
		}
		return nil
	}
	if err := materialize(src); err != nil {
		return err
	}
	if len(src.Entries) == 0 {
		return nil
	}
	out := make([]*Entry, 0, len(dst.Entries)+len(src.Entries))
	i, j := 0, 0
	for i < len(dst.Entries) && j < len(src.Entries) {
		de, se := dst.Entries[i], src.Entries[j]
		switch {
		case de.Name < se.Name:
			out = append(out, de)
			i++
			continue
		case de.Name > se.Name:
			out = append(out, se)
			j++
			continue
		}
		i++
		j++
		p := joinTarget(at, de.Name)
		d, s := de.Inode, se.Inode
		switch {
		case d.Kind == Dir && s.Kind == Dir:
			if err := b.mergeDir(d, s, p, l); err != nil {
				return err
			}
			out = append(out, de)
		case s.Kind == Dir:
			rel, _ := pathRest(p, l.target)
			return fmt.Errorf("cannot copy directory %s onto %s %s%s", path.Join(l.host, rel), d.Kind, p, b.madeBy(p, l.idx))
		case d.Kind == Dir:
			l.warn = append(l.warn, Warning{Path: p, Msg: fmt.Sprintf("%s from %s not copied over an existing directory", s.Kind, l.name())})
			out = append(out, de)
		default:
			out = append(out, se)
		}
	}
	out = append(out, dst.Entries[i:]...)
	out = append(out, src.Entries[j:]...)
	dst.Entries = out
	return nil
}

// mkdirAll resolves a directory target, creating what is missing (0755,
// owned by 0:0, mtime SOURCE_DATE_EPOCH or the default time).
func (b *builder) mkdirAll(p string) (*Inode, error) {
	d, err := resolve(b.root, p, b.pol.newDir)
	if err != nil {
		return nil, fmt.Errorf("creating directory %s: %w", p, err)
	}
	if d.Kind != Dir {
		return nil, fmt.Errorf("creating directory %s: a %s is in the way", p, d.Kind)
	}
	return d, nil
}

// madeBy names the earliest copy line before idx that put something at
// or above p, or that needed p as a parent, for error messages.
func (b *builder) madeBy(p string, idx int) string {
	for _, l := range b.lines[:idx] {
		if l.skip {
			continue
		}
		if pathHasPrefix(p, l.target) || pathHasPrefix(l.target, p) {
			return " (from " + l.name() + ")"
		}
	}
	return ""
}

// makeDirs applies MakeDirectories=.
func (b *builder) makeDirs() error {
	for _, d := range b.o.MakeDirs {
		t, err := cleanTarget(d)
		if err != nil {
			return fmt.Errorf("MakeDirectories=%s: %w", d, err)
		}
		if _, err := b.mkdirAll(t); err != nil {
			return fmt.Errorf("MakeDirectories=%s: %w", d, err)
		}
	}
	return nil
}

// makeSymlinks applies MakeSymlinks=: the parent must exist and the
// path must not.
func (b *builder) makeSymlinks() error {
	for _, s := range b.o.MakeSymlinks {
		if err := b.makeSymlink(s); err != nil {
			return fmt.Errorf("MakeSymlinks=%s:%s: %w", s.Path, s.Target, err)
		}
	}
	return nil
}

func (b *builder) makeSymlink(s SymlinkSpec) error {
	t, err := cleanTarget(s.Path)
	if err != nil {
		return err
	}
	if t == "/" {
		return errors.New("cannot replace the root directory")
	}
	if s.Target == "" {
		return errors.New("empty symlink target")
	}
	parent, name := splitTarget(t)
	pd, err := resolve(b.root, parent, nil)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("parent directory %s does not exist", parent)
	}
	if err != nil {
		return err
	}
	if pd.Kind != Dir {
		return fmt.Errorf("parent %s is a %s", parent, pd.Kind)
	}
	if pd.Lookup(name) != nil {
		return fmt.Errorf("%s already exists", t)
	}
	insertEntry(pd, &Entry{Name: name, Inode: &Inode{Kind: Symlink, Mode: 0o777, Target: s.Target, Mtime: b.pol.created}})
	return nil
}

func sortWarnings(w []Warning) {
	sort.SliceStable(w, func(i, j int) bool { return w[i].Path < w[j].Path })
}
