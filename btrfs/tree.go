package btrfs

import (
	"fmt"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/mkfs"
)

// checkTree refuses what mkfs.btrfs --rootdir of release v would not
// copy faithfully, instead of letting it be lost.
func checkTree(t *fstree.Tree, v mkfs.Version) error {
	if t == nil {
		return nil
	}
	r := t.Root
	if v.Release() < releaseRootMeta {
		if r.Mode&0o7777 != 0o755 || r.UID != 0 || r.GID != 0 {
			return fmt.Errorf("the top directory has mode %04o and owner %d:%d, but mkfs.btrfs before btrfs-progs 6.11 (this is %s) always makes it 0755 0:0",
				r.Mode&0o7777, r.UID, r.GID, v)
		}
		if len(r.Xattrs) > 0 {
			return fmt.Errorf("the top directory has xattrs (%s...), but mkfs.btrfs before btrfs-progs 6.11 (this is %s) does not copy them; AddValidateFS=no leaves out repart's user.validatefs.* ones",
				r.Xattrs[0].Name, v)
		}
	}
	if v.Release() == releaseSplitsHardlinks {
		s, err := fstree.Summarize(t)
		if err != nil {
			return err
		}
		if s.HardlinkGroups > 0 {
			return fmt.Errorf("the tree has %d hardlinked files, but mkfs.btrfs of btrfs-progs 6.11 copies every name as a new inode (6.10 and 6.12 do not)", s.HardlinkGroups)
		}
	}
	return fstree.Walk(r, func(p string, e *fstree.Entry) error {
		in := e.Inode
		if (in.Kind == fstree.CharDevice || in.Kind == fstree.BlockDevice) && (in.Major != 0 || in.Minor != 0) {
			return fmt.Errorf("/%s: device %d:%d: mkfs.btrfs --rootdir records every device number as 0:0 (btrfs-progs up to 6.19 at least), so device nodes are refused", p, in.Major, in.Minor)
		}
		return nil
	})
}
