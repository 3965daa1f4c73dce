package fstree

import (
	"errors"
	"fmt"
	"os"
	"path"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// Build turns a partition's copy list into a Tree (repart.md §8.1), in
// repart's order: CopyFiles= lines and manifest entries, then
// MakeDirectories=, then MakeSymlinks=, then RootXattrs.
//
// Sources are read but never copied: regular files point at their source
// path. Directory sources are read in parallel; the result does not depend
// on readdir order, scheduling, umask, TZ or locale. Missing sources and
// skipped file types are returned as warnings; configuration that cannot
// be honoured (a file onto a directory, ".." in a target, a symlink whose
// parent is missing) is an error.
func Build(o BuildOptions) (*Tree, []Warning, error) {
	b := &builder{o: &o, pol: newPolicy(&o)}
	if o.SpillDir != "" {
		sp, err := newSpill(o.SpillDir)
		if err != nil {
			return nil, nil, err
		}
		b.spill = sp
	}
	t, w, err := b.build()
	if err != nil && b.spill != nil {
		_ = b.spill.close()
	}
	return t, w, err
}

type builder struct {
	o     *BuildOptions
	pol   policy
	spill *spill // nil: the tree is held in memory
	root  *Inode
	// lines are the copy lines in order, with what was read for each.
	lines []*line
}

// line is one copy line being built.
type line struct {
	idx    int
	c      Copy
	target string // clean
	root   string // what Source is resolved in: CopySource, or "/" for host paths
	// skip is set when the line is excluded or its source is missing.
	skip bool
	// host is the resolved source path; node what was read from it (a
	// directory with its tree, or a leaf).
	host string
	node *Inode
	scan *scanLine
	warn []Warning
}

// name is how errors refer to the line: its origin ("file:line") when
// known.
func (l *line) name() string {
	if l.c.Origin != "" {
		return l.c.Origin
	}
	return "copy line " + strconv.Itoa(l.idx+1)
}

func (b *builder) build() (*Tree, []Warning, error) {
	for i, c := range b.o.Copies {
		t, err := cleanTarget(c.Target)
		if err == nil && c.Source == "" {
			err = errors.New("empty source")
		}
		if err != nil {
			l := &line{idx: i, c: c}
			return nil, nil, fmt.Errorf("%s: %w", l.name(), err)
		}
		root := b.o.CopySource
		if c.HostPath {
			root = "/"
		}
		b.lines = append(b.lines, &line{idx: i, c: c, target: t, root: cleanRoot(root)})
	}
	b.root = b.pol.newDir()
	if err := b.rootMetadata(); err != nil {
		return nil, nil, err
	}
	base, builtin, err := baseDenylist(b.o)
	if err != nil {
		return nil, nil, err
	}
	pool := newScanPool(&b.pol, b.o.KeepHardlinks, b.spill)
	xr := &xattrReader{}
	for _, l := range b.lines {
		if err := b.prepare(l, base, builtin, pool, xr); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", l.name(), err)
		}
	}
	workers := b.o.Parallelism
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if err := pool.run(workers); err != nil {
		return nil, nil, err
	}
	if b.spill != nil {
		b.spill.finishScan()
	}
	var warns []Warning
	for _, l := range b.lines {
		if l.scan != nil {
			sortWarnings(l.scan.warnings)
			l.warn = append(l.warn, l.scan.warnings...)
			if b.o.KeepHardlinks && b.spill == nil {
				unifyHardlinks(l.node, l.scan.links)
			}
		}
		if !l.skip {
			if err := b.place(l); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", l.name(), err)
			}
		}
		warns = append(warns, l.warn...)
	}
	if err := b.makeDirs(); err != nil {
		return nil, nil, err
	}
	if err := b.makeSymlinks(); err != nil {
		return nil, nil, err
	}
	for _, x := range b.o.RootXattrs {
		b.root.Xattrs = setXattr(b.root.Xattrs, x)
	}
	if err := materialize(b.root); err != nil {
		return nil, nil, err
	}
	return &Tree{Root: b.root, spill: b.spill}, warns, nil
}

// rootMetadata gives the root directory the metadata (mode, ownership,
// mtime, xattrs) of the first directory source copied to "/", as repart
// does. Lines skipped later by excludes still count, as in repart.
func (b *builder) rootMetadata() error {
	for _, l := range b.lines {
		if l.target != "/" {
			continue
		}
		hp, err := chase(l.root, l.c.Source, true)
		if err != nil {
			if isNotExist(err) {
				continue // warned about when the line is read
			}
			return fmt.Errorf("%s: resolving source %q: %w", l.name(), l.c.Source, err)
		}
		var st unix.Stat_t
		if err := unix.Stat(hp, &st); err != nil {
			return fmt.Errorf("%s: reading source %s: %w", l.name(), hp, err)
		}
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			continue
		}
		xr := &xattrReader{}
		x, err := xr.read(hp)
		if err != nil {
			return fmt.Errorf("%s: %w", l.name(), err)
		}
		b.pol.fill(b.root, &st)
		b.root.Xattrs = x
		return nil
	}
	return nil
}

// prepare resolves a line's source, applies the exclude rules that skip
// whole lines, reads a leaf source, and queues a directory source.
func (b *builder) prepare(l *line, base denylist, builtin map[devIno]bool, pool *scanPool, xr *xattrReader) error {
	extra, skip, err := lineDenylist(b.o, l.root, l.c.Source, l.target)
	if err != nil {
		return err
	}
	if skip {
		l.skip = true
		return nil
	}
	deny := lineDeny{base: base, extra: extra, builtin: builtin}

	host, err := chase(l.root, l.c.Source, false)
	if err != nil {
		if isNotExist(err) {
			l.skip = true
			l.warn = append(l.warn, Warning{Path: path.Join(l.root, l.c.Source),
				Msg: fmt.Sprintf("source does not exist, %s skipped", l.name())})
			return nil
		}
		return fmt.Errorf("resolving source %q: %w", l.c.Source, err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(host, &st); err != nil {
		return fmt.Errorf("reading source %s: %w", host, err)
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		// A symlink source is copied as a symlink, unless it leads to a
		// directory: that is resolved once, here, as cp -r would.
		if dir, err := chase(l.root, l.c.Source, true); err == nil {
			var dst unix.Stat_t
			if unix.Stat(dir, &dst) == nil && dst.Mode&unix.S_IFMT == unix.S_IFDIR {
				host, st = dir, dst
			}
		}
	}
	l.host = host
	n := &Inode{}
	b.pol.fill(n, &st)
	switch n.Kind {
	case Dir:
		if n.Xattrs, err = xr.read(host); err != nil {
			return err
		}
		l.node = n
		l.scan = &scanLine{idx: l.idx, deny: deny}
		if deny.named(devIno{uint64(st.Dev), st.Ino}) != denyContents {
			j := scanJob{line: l.scan, dir: n, path: host}
			if b.spill != nil {
				j.dir, j.id = nil, b.spill.newDir()
				n.spill = &spillRef{s: b.spill, dir: j.id, name: host}
			}
			pool.add(j)
		}
		return nil
	case File, Symlink:
	default:
		return fmt.Errorf("source %s is a %s, not a regular file, symlink or directory", host, n.Kind)
	}
	excluded, err := leafExcluded(deny, l.root, host, &st)
	if err != nil {
		return err
	}
	if excluded {
		l.skip = true
		return nil
	}
	if n.Kind == File {
		n.SetSource(host)
	} else {
		if n.Target, err = os.Readlink(host); err != nil {
			return fmt.Errorf("reading symlink %s: %w", host, err)
		}
	}
	if n.Xattrs, err = xr.read(host); err != nil {
		return err
	}
	l.node = n
	return nil
}

// leafExcluded is repart's file_is_denylisted: a file source is skipped
// when its inode is excluded, or when any directory above it (up to the
// root it is resolved in) has any exclude rule — a configured one: the
// built-in rules do not drop a file a line names (lineDeny.named).
func leafExcluded(deny lineDeny, root, host string, st *unix.Stat_t) (bool, error) {
	if deny.empty() {
		return false, nil
	}
	if deny.named(devIno{uint64(st.Dev), st.Ino}) == denyInode {
		return true, nil
	}
	for d := path.Dir(host); ; d = path.Dir(d) {
		var ds unix.Stat_t
		if err := unix.Stat(d, &ds); err != nil {
			return false, fmt.Errorf("reading %s: %w", d, err)
		}
		if deny.named(devIno{uint64(ds.Dev), ds.Ino}) != denyNone {
			return true, nil
		}
		if d == root || d == "/" {
			return false, nil
		}
	}
}
