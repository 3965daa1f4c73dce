package xfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/gorepart/gorepart/fstree"
)

// xattr is an extended attribute as xfs stores it: a namespace flag (0 for
// user.*, attrRoot for trusted.*, attrSecure for security.*), the name
// without its prefix, and the value.
type xattr struct {
	flags uint8
	name  string
	value []byte
}

// POSIX ACL tags with an id (ACL_USER, ACL_GROUP); the others carry
// ACL_UNDEFINED_ID.
const (
	aclUser        = 0x02
	aclGroup       = 0x08
	aclUndefinedID = 0xffffffff
)

// toXFS converts an attribute of the tree. POSIX ACLs become xfs's own
// SGI_ACL_FILE and SGI_ACL_DEFAULT in the root namespace, as the kernel
// stores them (fs/xfs/xfs_acl.c).
func toXFS(x fstree.Xattr) (xattr, error) {
	var a xattr
	switch {
	case x.Name == "system.posix_acl_access" || x.Name == "system.posix_acl_default":
		v, err := aclToXFS(x.Value)
		if err != nil {
			return a, fmt.Errorf("xattr %s: %w", x.Name, err)
		}
		a = xattr{flags: attrRoot, name: "SGI_ACL_FILE", value: v}
		if x.Name == "system.posix_acl_default" {
			a.name = "SGI_ACL_DEFAULT"
		}
	case strings.HasPrefix(x.Name, "user."):
		a = xattr{name: x.Name[5:], value: x.Value}
	case strings.HasPrefix(x.Name, "trusted."):
		a = xattr{flags: attrRoot, name: x.Name[8:], value: x.Value}
	case strings.HasPrefix(x.Name, "security."):
		a = xattr{flags: attrSecure, name: x.Name[9:], value: x.Value}
	default:
		return a, fmt.Errorf("xattr %s: xfs stores only the user, trusted, security and POSIX ACL namespaces", x.Name)
	}
	// The name is one word of an xfs_db command line.
	if a.name == "" || len(a.name) > 255 || strings.ContainsAny(a.name, " \t\n\x00") || a.name[0] == '-' {
		return a, fmt.Errorf("xattr %q: xfs_db cannot set a name that is empty, longer than 255 bytes, holds white space or starts with '-'", x.Name)
	}
	if len(a.value) > maxSFValue {
		return a, fmt.Errorf("xattr %s: %d bytes; xattrs are set with xfs_db in the inode, which holds values of at most %d bytes", x.Name, len(a.value), maxSFValue)
	}
	return a, nil
}

// aclToXFS converts a POSIX ACL xattr value (le32 version 2, then 8-byte
// entries: le16 tag, le16 perm, le32 id) to xfs's (be32 count, then
// 12-byte entries: be32 tag, be32 id, be16 perm, be16 pad).
func aclToXFS(v []byte) ([]byte, error) {
	if len(v) < 4 || (len(v)-4)%8 != 0 || binary.LittleEndian.Uint32(v) != 2 {
		return nil, errors.New("not a version 2 POSIX ACL")
	}
	n := (len(v) - 4) / 8
	out := make([]byte, 4+12*n)
	binary.BigEndian.PutUint32(out, uint32(n))
	for i := range n {
		e := v[4+8*i:]
		tag, perm, id := binary.LittleEndian.Uint16(e), binary.LittleEndian.Uint16(e[2:]), binary.LittleEndian.Uint32(e[4:])
		if tag != aclUser && tag != aclGroup {
			id = aclUndefinedID
		}
		o := out[4+12*i:]
		binary.BigEndian.PutUint32(o, uint32(tag))
		binary.BigEndian.PutUint32(o[4:], id)
		binary.BigEndian.PutUint16(o[8:], perm)
	}
	return out, nil
}

// xattrsOf converts the xattrs of an inode of the tree.
func xattrsOf(in *fstree.Inode) ([]xattr, error) {
	if len(in.Xattrs) == 0 {
		return nil, nil
	}
	out := make([]xattr, 0, len(in.Xattrs))
	for _, x := range in.Xattrs {
		a, err := toXFS(x)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// dbFlag is the xfs_db attr_set option of a namespace.
func dbFlag(flags uint8) string {
	switch flags {
	case attrRoot:
		return "-r "
	case attrSecure:
		return "-s "
	}
	return ""
}

// parseShortform reads the xattrs of an inode's attribute fork held in the
// inode (struct xfs_attr_sf_hdr, then entries: namelen, valuelen, flags,
// name, value).
func parseShortform(fork []byte) ([]xattr, error) {
	if len(fork) < 4 {
		return nil, errors.New("attribute fork too short")
	}
	total, count := int(binary.BigEndian.Uint16(fork)), int(fork[2])
	if total > len(fork) {
		return nil, fmt.Errorf("attribute fork of %d bytes claims %d", len(fork), total)
	}
	var out []xattr
	p := fork[4:total]
	for range count {
		if len(p) < 3 || len(p) < 3+int(p[0])+int(p[1]) {
			return nil, errors.New("attribute entry past the fork")
		}
		nl, vl := int(p[0]), int(p[1])
		out = append(out, xattr{flags: p[2] &^ 1, name: string(p[3 : 3+nl]), value: p[3+nl : 3+nl+vl]})
		p = p[3+nl+vl:]
	}
	return out, nil
}

// writeShortform lays xs out in an attribute fork held in the inode,
// replacing what was there; they must not need more room than before.
func writeShortform(fork []byte, xs []xattr) error {
	n := 4
	for _, x := range xs {
		n += 3 + len(x.name) + len(x.value)
	}
	if n > int(binary.BigEndian.Uint16(fork)) || len(xs) > 255 {
		return fmt.Errorf("%d bytes of xattrs do not fit the %d-byte attribute fork", n, binary.BigEndian.Uint16(fork))
	}
	clear(fork)
	binary.BigEndian.PutUint16(fork, uint16(n))
	fork[2] = byte(len(xs))
	p := fork[4:]
	for _, x := range xs {
		p[0], p[1], p[2] = byte(len(x.name)), byte(len(x.value)), x.flags
		copy(p[3:], x.name)
		copy(p[3+len(x.name):], x.value)
		p = p[3+len(x.name)+len(x.value):]
	}
	return nil
}
