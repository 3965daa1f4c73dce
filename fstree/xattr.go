package fstree

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// xattrReader reads extended attributes without following symlinks. It
// keeps a buffer, so one reader serves one goroutine.
type xattrReader struct {
	buf []byte
}

// read returns the attributes of path sorted by name, nil when it has
// none or the filesystem does not support them.
func (r *xattrReader) read(path string) ([]Xattr, error) {
	return r.readAt(-1, path, "")
}

// readAt is read for the entry name of directory fd, whose path is
// dir+name. Listing goes through listxattrat(2) (Linux 6.13) when fd is
// valid, sparing a path walk per file; older kernels fall back to
// llistxattr(2). Values, which few files have, are read by path.
func (r *xattrReader) readAt(fd int, dir, name string) ([]Xattr, error) {
	path := func() string { return dir + name }
	if r.buf == nil {
		r.buf = make([]byte, 4096)
	}
	var n int
	for {
		var err error
		if fd >= 0 && !noListxattrat.Load() {
			n, err = listxattrat(fd, name, r.buf)
			if errors.Is(err, unix.ENOSYS) {
				noListxattrat.Store(true)
				continue
			}
		} else {
			n, err = unix.Llistxattr(path(), r.buf)
		}
		if err == nil {
			break
		}
		if noXattrs(err) {
			return nil, nil
		}
		if !errors.Is(err, unix.ERANGE) {
			return nil, fmt.Errorf("listing xattrs of %s: %w", path(), err)
		}
		size, err := unix.Llistxattr(path(), nil)
		if err != nil {
			return nil, fmt.Errorf("listing xattrs of %s: %w", path(), err)
		}
		r.buf = make([]byte, size+1024)
		fd = -1 // list by path from now on
	}
	if n == 0 {
		return nil, nil
	}
	var names []string
	for _, x := range bytes.Split(r.buf[:n], []byte{0}) {
		if len(x) > 0 {
			names = append(names, string(x))
		}
	}
	sort.Strings(names)
	p := path()
	out := make([]Xattr, 0, len(names))
	for _, x := range names {
		v, err := r.get(p, x)
		if errors.Is(err, unix.ENODATA) {
			continue // removed since it was listed
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Xattr{Name: x, Value: v})
	}
	return out, nil
}

func (r *xattrReader) get(path, name string) ([]byte, error) {
	for {
		n, err := unix.Lgetxattr(path, name, r.buf)
		if err == nil {
			return bytes.Clone(r.buf[:n]), nil
		}
		if !errors.Is(err, unix.ERANGE) {
			return nil, fmt.Errorf("reading xattr %s of %s: %w", name, path, err)
		}
		size, err := unix.Lgetxattr(path, name, nil)
		if err != nil {
			return nil, fmt.Errorf("reading xattr %s of %s: %w", name, path, err)
		}
		r.buf = make([]byte, size+1024)
	}
}

// noListxattrat is set once the kernel said it has no listxattrat(2).
var noListxattrat atomic.Bool

// listxattrat lists the xattrs of name in directory fd without following
// a symlink. x/sys has the syscall number but no wrapper.
func listxattrat(fd int, name string, buf []byte) (int, error) {
	p, err := unix.BytePtrFromString(name)
	if err != nil {
		return 0, err
	}
	var b unsafe.Pointer
	if len(buf) > 0 {
		b = unsafe.Pointer(&buf[0])
	}
	n, _, e := unix.Syscall6(unix.SYS_LISTXATTRAT, uintptr(fd), uintptr(unsafe.Pointer(p)),
		unix.AT_SYMLINK_NOFOLLOW, uintptr(b), uintptr(len(buf)), 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// noXattrs reports errors that mean "this filesystem or file type has no
// extended attributes".
func noXattrs(err error) bool {
	return errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EOPNOTSUPP)
}

// setXattr sets (or replaces) one attribute in a sorted list.
func setXattr(list []Xattr, x Xattr) []Xattr {
	i := sort.Search(len(list), func(i int) bool { return list[i].Name >= x.Name })
	if i < len(list) && list[i].Name == x.Name {
		out := append([]Xattr(nil), list...)
		out[i] = x
		return out
	}
	out := make([]Xattr, 0, len(list)+1)
	out = append(out, list[:i]...)
	out = append(out, x)
	return append(out, list[i:]...)
}
