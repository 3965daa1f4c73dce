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
		n = Inode{}
		deny, ok, err := w.readEntry(j, fd, prefix, name, st, &n, &warns)
		if err != nil {
			return nil, nil, nil, err
		}
		if !ok {
			continue
		}
		var child, group uint32
		if n.Kind == Dir && deny != denyContents {
			child = sp.newDir()
			children = append(children, scanJob{line: j.line, id: child, path: prefix + name, depth: j.depth + 1})
		}
		if w.pool.keepLinks && n.Kind != Dir && st.Nlink > 1 {
			group = sp.group(j.line, devIno{uint64(st.Dev), st.Ino}, prefix+name)
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
