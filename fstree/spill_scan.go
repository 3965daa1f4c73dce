package fstree

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// spillDir is scanDir for a spilling build: it encodes the sorted names
// of directory fd (path prefix) as record j.id instead of filling
// Entries, and returns the subdirectories to read, each with a new id.
// The rules (excludes, skipped types, hardlinks) are scanDir's.
func (w *scanWorker) spillDir(j scanJob, fd int, prefix string, names []string) ([]scanJob, []Warning, []linkRef, error) {
	if cap(w.stats) < len(names) {
		w.stats = make([]unix.Stat_t, len(names))
	}
	stats := w.stats[:len(names)]
	for i, name := range names {
		if err := unix.Fstatat(fd, name, &stats[i], unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return nil, nil, nil, fmt.Errorf("reading %s%s: %w", prefix, name, err)
		}
	}
	sp := w.pool.spill
	rec := w.batch.begin(strings.TrimSuffix(j.path, "/"))
	var (
		children []scanJob
		warns    []Warning
		n        Inode
	)
	for i, name := range names {
		st := &stats[i]
		key := devIno{uint64(st.Dev), st.Ino}
		deny := denyNone
		if !j.line.deny.empty() {
			deny = j.line.deny.get(key)
		}
		if deny == denyInode {
			continue
		}
		n = Inode{}
		if !w.pool.pol.fill(&n, st) {
			warns = append(warns, Warning{Path: prefix + name, Msg: fmt.Sprintf("unsupported file type %#o, skipped", st.Mode&unix.S_IFMT)})
			continue
		}
		var child, group uint32
		switch n.Kind {
		case Symlink:
			t, err := w.readlink(fd, name)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("reading symlink %s%s: %w", prefix, name, err)
			}
			n.Target = t
		case Dir:
			if deny != denyContents {
				child = sp.newDir()
				children = append(children, scanJob{line: j.line, id: child, path: prefix + name, depth: j.depth + 1})
			}
		}
		var err error
		if n.Xattrs, err = w.xattrs.readAt(fd, prefix, name); err != nil {
			return nil, nil, nil, err
		}
		if w.pool.keepLinks && n.Kind != Dir && st.Nlink > 1 {
			group = sp.group(j.line, key, prefix+name)
		}
		rec.add(name, &n, child, group)
	}
	rec.end(j.id)
	if len(w.batch.buf) >= spillBatchSize {
		if err := sp.flush(&w.batch); err != nil {
			return nil, nil, nil, err
		}
	}
	return children, warns, nil, nil
}
