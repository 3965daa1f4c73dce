// Package staging materialises an fstree.Tree as a directory, for the one
// tool that can only copy a directory (mkfs.btrfs --rootdir): directories,
// regular files (data copied in the kernel, reflinked where the
// filesystem can, holes kept), symlinks, hardlinks, devices, FIFOs and
// sockets, with the tree's modes, owners, xattrs and times (atime = mtime
// = the tree's Mtime; ctime is the staging time and cannot be set).
//
// Unprivileged callers cannot chown or mknod devices. They get every node
// owned by themselves, which a user namespace mapping their uid and gid
// to 0 presents as root-owned (mkfs.Cmd.UserNS); a tree that gives a node
// another owner, or holds a device, is refused before anything is copied.
package staging

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorepart/gorepart/fstree"
)

// Options are the caller's privileges.
type Options struct {
	// Unprivileged is set when the caller cannot chown or mknod (not
	// root); the caller decides, as for fstree.BuildOptions.
	Unprivileged bool
}

// Check refuses a tree that Create cannot materialise with o: nodes not
// owned by 0:0 or device nodes when unprivileged.
func Check(t *fstree.Tree, o Options) error {
	if !o.Unprivileged {
		return nil
	}
	if err := checkNode("/", t.Root); err != nil {
		return err
	}
	return fstree.Walk(t.Root, func(p string, e *fstree.Entry) error {
		return checkNode("/"+p, e.Inode)
	})
}

func checkNode(p string, in *fstree.Inode) error {
	if in.UID != 0 || in.GID != 0 {
		return fmt.Errorf("%s is owned by %d:%d: an unprivileged build can only stage files owned by 0:0 (build as root, or with root ownership)", p, in.UID, in.GID)
	}
	if in.Kind == fstree.CharDevice || in.Kind == fstree.BlockDevice {
		return fmt.Errorf("%s is a device node: an unprivileged build cannot create one to stage it (build as root)", p)
	}
	return nil
}

// Create makes a new private directory in parent ("" = the system's
// temporary directory) holding t and returns its path; Remove deletes it.
// On error nothing is left behind.
func Create(t *fstree.Tree, parent string, o Options) (string, error) {
	if err := Check(t, o); err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp(parent, "gorepart-staging-")
	if err != nil {
		return "", fmt.Errorf("creating a staging directory: %w", err)
	}
	s := &stager{o: o, egid: os.Getegid()}
	err = s.prepareRoot(dir)
	if err == nil {
		err = s.dir(dir, t.Root)
	}
	if err != nil {
		Remove(dir)
		return "", err
	}
	return dir, nil
}

// Remove deletes a staging directory, also when the tree made some of its
// directories read-only for its owner.
func Remove(dir string) error {
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o700)
		}
		return nil
	})
	if err := os.Chmod(dir, 0o700); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("removing staging directory: %w", err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing staging directory: %w", err)
	}
	return nil
}
