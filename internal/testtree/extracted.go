package testtree

import (
	"bytes"
	"fmt"
	"os"

	"github.com/gorepart/gorepart/fstree"
	"golang.org/x/sys/unix"
)

// fileType is the S_IFMT type of each kind.
var fileType = map[fstree.Kind]uint32{fstree.File: unix.S_IFREG, fstree.Dir: unix.S_IFDIR, fstree.Symlink: unix.S_IFLNK,
	fstree.CharDevice: unix.S_IFCHR, fstree.BlockDevice: unix.S_IFBLK, fstree.FIFO: unix.S_IFIFO, fstree.Socket: unix.S_IFSOCK}

// CheckExtracted checks what any tool that extracts a filesystem (as
// root) must keep of the inode in at path, which name stands for in
// errors: its type, its owner, and a regular file's data (in.Data), a
// symlink's target or a device's numbers. It returns the Lstat of path
// for the checks that depend on the tool: modes, times, xattrs.
func CheckExtracted(in *fstree.Inode, path, name string) (*unix.Stat_t, error) {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if want := fileType[in.Kind]; st.Mode&unix.S_IFMT != want {
		return nil, fmt.Errorf("%s: type %o, want %o", name, st.Mode&unix.S_IFMT, want)
	}
	if st.Uid != in.UID || st.Gid != in.GID {
		return nil, fmt.Errorf("%s: owner %d:%d, want %d:%d", name, st.Uid, st.Gid, in.UID, in.GID)
	}
	switch in.Kind {
	case fstree.File:
		got, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(got, in.Data()) {
			return nil, fmt.Errorf("%s: contents differ (%d bytes, want %d)", name, len(got), len(in.Data()))
		}
	case fstree.Symlink:
		got, err := os.Readlink(path)
		if err != nil {
			return nil, err
		}
		if got != in.Target {
			return nil, fmt.Errorf("%s: target %q, want %q", name, got, in.Target)
		}
	case fstree.CharDevice, fstree.BlockDevice:
		if unix.Major(st.Rdev) != in.Major || unix.Minor(st.Rdev) != in.Minor {
			return nil, fmt.Errorf("%s: device %d:%d, want %d:%d", name, unix.Major(st.Rdev), unix.Minor(st.Rdev), in.Major, in.Minor)
		}
	}
	return &st, nil
}
