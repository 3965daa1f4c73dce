package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// walkTree stats every inode below mnt, lists its extended attributes,
// reads every regular file and every symlink's target, without crossing
// into other filesystems.
func walkTree(r *reporter, pre, mnt string) {
	w := &walker{buf: make([]byte, 1<<20)}
	root, err := lstat(mnt)
	if err != nil {
		r.fail("%stree walk: %v", pre, err)
		return
	}
	w.dev = root.Dev
	w.dir(mnt)
	if len(w.errs) == 0 {
		r.pass("%swalked %d entries, read %d files (%d bytes) and %d symlinks, listed %d xattrs without errors",
			pre, w.entries, w.files, w.bytes, w.links, w.xattrs)
		return
	}
	for i, e := range w.errs {
		if i == 10 {
			r.fail("%stree walk: %d more errors", pre, len(w.errs)-10)
			break
		}
		r.fail("%stree walk: %s", pre, e)
	}
}

type walker struct {
	dev                                  uint64
	entries, files, links, xattrs, bytes int64
	buf                                  []byte
	errs                                 []string
}

func (w *walker) errf(format string, args ...any) {
	w.errs = append(w.errs, fmt.Sprintf(format, args...))
}

func (w *walker) dir(path string) {
	f, err := os.Open(path)
	if err != nil {
		w.errf("%q: %v", path, err)
		return
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		w.errf("listing %q: %v", path, err)
	}
	for _, n := range names {
		w.entry(filepath.Join(path, n))
	}
}

func (w *walker) entry(path string) {
	w.entries++
	st, err := lstat(path)
	if err != nil {
		w.errf("%q: %v", path, err)
		return
	}
	w.listXattrs(path)
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		if st.Dev == w.dev {
			w.dir(path)
		}
	case unix.S_IFLNK:
		if _, err := os.Readlink(path); err != nil {
			w.errf("readlink %q: %v", path, err)
		}
		w.links++
	case unix.S_IFREG:
		f, err := os.Open(path)
		if err != nil {
			w.errf("%q: %v", path, err)
			return
		}
		n, err := io.CopyBuffer(io.Discard, f, w.buf)
		f.Close()
		w.bytes += n
		if err != nil {
			w.errf("reading %q: %v", path, err)
		} else if n != st.Size {
			w.errf("reading %q: %d bytes, stat says %d", path, n, st.Size)
		}
		w.files++
	}
}

func (w *walker) listXattrs(path string) {
	n, err := unix.Llistxattr(path, nil)
	if errors.Is(err, unix.ENOTSUP) || n == 0 {
		return
	}
	if err != nil {
		w.errf("listxattr %q: %v", path, err)
		return
	}
	b := make([]byte, n)
	n, err = unix.Llistxattr(path, b)
	if err != nil {
		w.errf("listxattr %q: %v", path, err)
		return
	}
	for _, name := range splitNul(b[:n]) {
		n, err := unix.Lgetxattr(path, name, nil)
		if err == nil && n > 0 {
			_, err = unix.Lgetxattr(path, name, make([]byte, n))
		}
		if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EOPNOTSUPP) {
			// The kernel refuses some values by what they are, not by
			// how they were read: a capability that is not a
			// vfs_cap_data, an ACL on a symlink. A damaged xattr block
			// reads as EIO or EUCLEAN, and the filesystem logs it.
			err = nil
		}
		if err != nil && !errors.Is(err, unix.ENODATA) {
			w.errf("getxattr %q %s: %v", path, name, err)
		}
		w.xattrs++
	}
}

func splitNul(b []byte) []string {
	var out []string
	start := 0
	for i, c := range b {
		if c == 0 {
			if i > start {
				out = append(out, string(b[start:i]))
			}
			start = i + 1
		}
	}
	return out
}
