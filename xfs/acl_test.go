package xfs

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/gorepart/gorepart/fstree"
)

// posixACL encodes a POSIX ACL xattr value: version 2, then (tag, perm,
// id) entries.
func posixACL(entries ...[3]uint32) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 2)
	for _, e := range entries {
		b = binary.LittleEndian.AppendUint16(b, uint16(e[0]))
		b = binary.LittleEndian.AppendUint16(b, uint16(e[1]))
		b = binary.LittleEndian.AppendUint32(b, e[2])
	}
	return b
}

// TestACL: POSIX ACLs become xfs's SGI_ACL_FILE and SGI_ACL_DEFAULT
// attributes, which xfs_repair validates.
func TestACL(t *testing.T) {
	acl := posixACL([3]uint32{1, 6, aclUndefinedID}, [3]uint32{2, 4, 1000}, [3]uint32{4, 4, aclUndefinedID},
		[3]uint32{8, 5, 100}, [3]uint32{0x10, 5, aclUndefinedID}, [3]uint32{0x20, 4, aclUndefinedID})
	tr := smallTree()
	tr.Root.Xattrs = []fstree.Xattr{{Name: "system.posix_acl_access", Value: acl}, {Name: "system.posix_acl_default", Value: acl}}
	f := tr.Root.Entries[1].Inode.Entries[0].Inode
	f.Xattrs = []fstree.Xattr{{Name: "system.posix_acl_access", Value: acl}, {Name: "user.x", Value: []byte("y")}}
	img := build(t, tr, params(t), 0)
	repair(t, img)
	got := readFS(t, img)
	want, err := aclToXFS(acl)
	if err != nil {
		t.Fatal(err)
	}
	if binary.BigEndian.Uint32(want) != 6 || binary.BigEndian.Uint32(want[4+12:]) != 2 || binary.BigEndian.Uint32(want[4+12+4:]) != 1000 {
		t.Fatalf("xfs ACL %x", want)
	}
	for p, names := range map[string][]string{"/": {"system.posix_acl_access", "system.posix_acl_default"}, "/home/f": {"system.posix_acl_access"}} {
		for _, n := range names {
			if v := got[p].Xattrs[n]; !bytes.Equal(v, want) {
				t.Errorf("%s: %s = %x, want %x", p, n, v, want)
			}
		}
	}
	if v := got["/home/f"].Xattrs["user.x"]; string(v) != "y" {
		t.Errorf("user.x = %q", v)
	}
}
