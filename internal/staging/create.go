package staging

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorepart/gorepart/fstree"
	"golang.org/x/sys/unix"
)

// stager creates one staging tree.
type stager struct {
	o    Options
	egid int
	// links maps the inodes of hardlink groups to their first path.
	links map[fstree.LinkKey]string
}

// prepareRoot makes the staging directory's group the caller's: a
// set-group-ID parent would otherwise give every node its group, which a
// user namespace does not map.
func (s *stager) prepareRoot(dir string) error {
	if !s.o.Unprivileged {
		return nil
	}
	if err := os.Lchown(dir, -1, s.egid); err != nil {
		return fmt.Errorf("staging /: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("staging /: %w", err)
	}
	return nil
}

// dir fills the existing directory path with the entries of in, then
// gives it in's metadata (last, so a read-only mode does not stop us).
func (s *stager) dir(path string, in *fstree.Inode) error {
	entries, err := in.List()
	if err != nil {
		return fmt.Errorf("listing %s: %w", path, err)
	}
	for _, e := range entries {
		p := filepath.Join(path, e.Name)
		if err := s.node(p, e.Inode); err != nil {
			return err
		}
	}
	return s.meta(path, in)
}

// node creates one entry.
func (s *stager) node(p string, in *fstree.Inode) error {
	if in.Kind != fstree.Dir {
		k := in.LinkKey()
		if first, ok := s.links[k]; ok && !k.IsZero() {
			if err := os.Link(first, p); err != nil {
				return fmt.Errorf("staging hardlink: %w", err)
			}
			return nil
		}
		if !k.IsZero() {
			if s.links == nil {
				s.links = map[fstree.LinkKey]string{}
			}
			s.links[k] = p
		}
	}
	var err error
	switch in.Kind {
	case fstree.Dir:
		if err = unix.Mkdir(p, 0o700); err == nil {
			return s.dir(p, in)
		}
	case fstree.File:
		err = writeFile(p, in)
	case fstree.Symlink:
		err = unix.Symlink(in.Target, p)
	case fstree.CharDevice:
		err = unix.Mknod(p, unix.S_IFCHR|0o600, int(unix.Mkdev(in.Major, in.Minor)))
	case fstree.BlockDevice:
		err = unix.Mknod(p, unix.S_IFBLK|0o600, int(unix.Mkdev(in.Major, in.Minor)))
	case fstree.FIFO:
		err = unix.Mkfifo(p, 0o600)
	case fstree.Socket:
		// mknod makes socket nodes without privileges and without the
		// 108-byte path limit of bind.
		err = unix.Mknod(p, unix.S_IFSOCK|0o600, 0)
	default:
		err = fmt.Errorf("unknown file type %v", in.Kind)
	}
	if err != nil {
		return fmt.Errorf("staging %s: %w", p, err)
	}
	return s.meta(p, in)
}

// meta gives p the owner, xattrs, mode and times of in, in that order:
// chown clears set-ID bits and security.capability, and an unprivileged
// owner may set user.* xattrs only while the mode lets them write.
func (s *stager) meta(p string, in *fstree.Inode) error {
	if !s.o.Unprivileged {
		if err := os.Lchown(p, int(in.UID), int(in.GID)); err != nil {
			return fmt.Errorf("staging: %w", err)
		}
	}
	for _, x := range in.Xattrs {
		if err := unix.Lsetxattr(p, x.Name, x.Value, 0); err != nil {
			return fmt.Errorf("staging: setting xattr %s of %s: %w", x.Name, p, err)
		}
	}
	if in.Kind != fstree.Symlink {
		if err := unix.Fchmodat(unix.AT_FDCWD, p, in.Mode&0o7777, 0); err != nil {
			return fmt.Errorf("staging: chmod %s: %w", p, err)
		}
	}
	ts := unix.NsecToTimespec(in.Mtime.UnixNano())
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, p, []unix.Timespec{ts, ts}, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("staging: setting times of %s: %w", p, err)
	}
	return nil
}
