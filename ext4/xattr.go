package ext4

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"

	"github.com/gorepart/gorepart/fstree"
)

// xattrEntry is an extended attribute in ext4's encoding: a name index
// replacing a known prefix, and the value as stored (POSIX ACLs converted
// to ext4's compact form).
type xattrEntry struct {
	index uint8
	name  string
	value []byte
}

// xattrSplit is an inode's xattrs: those in the inode body, those in its
// xattr block.
type xattrSplit struct{ in, blk []xattrEntry }

// Name prefixes and their indexes (attributes.rst, in matching order).
var xattrPrefixes = []struct {
	prefix string
	index  uint8
}{
	{"system.posix_acl_access", 2},
	{"system.posix_acl_default", 3},
	{"user.", 1},
	{"trusted.", 4},
	{"security.", 6},
	{"system.", 7},
}

func (e *xattrEntry) entrySize() int { return (16 + len(e.name) + 3) &^ 3 }
func (e *xattrEntry) valueSize() int { return (len(e.value) + 3) &^ 3 }

const (
	xattrBlockHeader = 32
	inodeXattrRoom   = inodeXattrSpace - 4 // after the in-inode magic
)

// layoutXattrs converts xattrs and splits them between the inode body
// (first, as long as they fit) and one xattr block.
func layoutXattrs(xs []fstree.Xattr) (in, blk []xattrEntry, err error) {
	if len(xs) == 0 {
		return nil, nil, nil
	}
	ents := make([]xattrEntry, 0, len(xs))
	for _, x := range xs {
		e := xattrEntry{name: x.Name, value: x.Value}
		for _, p := range xattrPrefixes {
			if strings.HasPrefix(x.Name, p.prefix) {
				e.index, e.name = p.index, x.Name[len(p.prefix):]
				break
			}
		}
		if e.index == 0 {
			return nil, nil, fmt.Errorf("%s: unsupported namespace", x.Name)
		}
		if e.index == 2 || e.index == 3 {
			if e.value, err = aclToDisk(x.Value); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", x.Name, err)
			}
		}
		if len(e.name) > 255 {
			return nil, nil, fmt.Errorf("%s: name too long", x.Name)
		}
		ents = append(ents, e)
	}
	// Block entries must be sorted by (index, name length, name) for the
	// kernel's lookup; use that order everywhere.
	sort.SliceStable(ents, func(i, j int) bool {
		a, b := ents[i], ents[j]
		if a.index != b.index {
			return a.index < b.index
		}
		if len(a.name) != len(b.name) {
			return len(a.name) < len(b.name)
		}
		return a.name < b.name
	})
	inUsed, blkUsed := 4, 4 // terminating zero entry
	for _, e := range ents {
		sz := e.entrySize() + e.valueSize()
		if inUsed+sz <= inodeXattrRoom {
			in = append(in, e)
			inUsed += sz
			continue
		}
		if blkUsed+sz > blockSize-xattrBlockHeader {
			return nil, nil, fmt.Errorf("xattrs larger than one block (ea_inode is not supported)")
		}
		blk = append(blk, e)
		blkUsed += sz
	}
	return in, blk, nil
}

// xattrHash is ext2fs_ext_attr_hash_entry (signed char names).
func xattrHash(e *xattrEntry) uint32 {
	var h uint32
	for i := 0; i < len(e.name); i++ {
		h = h<<5 ^ h>>27 ^ uint32(int32(int8(e.name[i])))
	}
	if len(e.value) > 0 {
		v := make([]byte, e.valueSize())
		copy(v, e.value)
		for i := 0; i < len(v); i += 4 {
			h = h<<16 ^ h>>16 ^ binary.LittleEndian.Uint32(v[i:])
		}
	}
	return h
}

// putXattrs writes entries at buf[0:] and their values downwards from the
// end of buf; value offsets are relative to buf[0] plus base. It returns
// the entry hashes.
func putXattrs(buf []byte, ents []xattrEntry, base int) []uint32 {
	off, vend := 0, len(buf)
	hashes := make([]uint32, len(ents))
	for i := range ents {
		e := &ents[i]
		voff := 0
		if len(e.value) > 0 {
			vend -= e.valueSize()
			copy(buf[vend:], e.value)
			voff = vend + base
		}
		buf[off] = uint8(len(e.name))
		buf[off+1] = e.index
		binary.LittleEndian.PutUint16(buf[off+2:], uint16(voff))
		binary.LittleEndian.PutUint32(buf[off+8:], uint32(len(e.value)))
		hashes[i] = xattrHash(e)
		binary.LittleEndian.PutUint32(buf[off+12:], hashes[i])
		copy(buf[off+16:], e.name)
		off += e.entrySize()
	}
	return hashes
}

// xattrBlock encodes an xattr block with its header hash and checksum.
func xattrBlock(ents []xattrEntry, blk uint64, fsSeed uint32) []byte {
	b := make([]byte, blockSize)
	binary.LittleEndian.PutUint32(b[0:], xattrMagic)
	binary.LittleEndian.PutUint32(b[4:], 1) // h_refcount
	binary.LittleEndian.PutUint32(b[8:], 1) // h_blocks
	hashes := putXattrs(b[xattrBlockHeader:], ents, xattrBlockHeader)
	var h uint32
	for _, eh := range hashes {
		if eh == 0 {
			h = 0
			break
		}
		h = h<<16 ^ h>>16 ^ eh
	}
	binary.LittleEndian.PutUint32(b[12:], h)
	var nb [8]byte
	binary.LittleEndian.PutUint64(nb[:], blk)
	binary.LittleEndian.PutUint32(b[16:], crc32c(crc32c(fsSeed, nb[:]), b))
	return b
}

// aclToDisk converts a POSIX ACL from the VFS xattr format (version 2,
// 8-byte entries) to ext4's on-disk format (version 1, 4-byte entries for
// the owner, group, mask and other tags).
func aclToDisk(v []byte) ([]byte, error) {
	if len(v) < 4 || (len(v)-4)%8 != 0 || binary.LittleEndian.Uint32(v) != 2 {
		return nil, fmt.Errorf("malformed POSIX ACL")
	}
	out := binary.LittleEndian.AppendUint32(nil, 1)
	for p := v[4:]; len(p) > 0; p = p[8:] {
		tag := binary.LittleEndian.Uint16(p)
		out = append(out, p[:4]...)
		switch tag {
		case 0x02, 0x08: // ACL_USER, ACL_GROUP carry an id
			out = append(out, p[4:8]...)
		case 0x01, 0x04, 0x10, 0x20:
		default:
			return nil, fmt.Errorf("POSIX ACL tag %#x", tag)
		}
	}
	return out, nil
}
