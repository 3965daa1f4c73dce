package erofs

import (
	"encoding/binary"

	"github.com/gorepart/gorepart/fstree"
)

func modeBits(in *fstree.Inode) uint16 {
	var t uint16
	switch in.Kind {
	case fstree.File:
		t = sIFREG
	case fstree.Dir:
		t = sIFDIR
	case fstree.Symlink:
		t = sIFLNK
	case fstree.CharDevice:
		t = sIFCHR
	case fstree.BlockDevice:
		t = sIFBLK
	case fstree.FIFO:
		t = sIFIFO
	case fstree.Socket:
		t = sIFSOCK
	}
	return t | uint16(in.Mode&07777)
}

// encodeDev is the kernel's new_encode_dev.
func encodeDev(major, minor uint32) uint32 {
	return minor&0xff | major<<8 | (minor&^0xff)<<12
}

// iU is the i_u union: start block, compressed block count or device.
func (n *node) iU() uint32 {
	switch n.in.Kind {
	case fstree.CharDevice, fstree.BlockDevice:
		return encodeDev(n.in.Major, n.in.Minor)
	case fstree.FIFO, fstree.Socket:
		return 0
	}
	if n.compressed() {
		return n.dataBlocks
	}
	return n.startBlk
}

// encodeInode appends the on-disk inode, its xattrs and (compressed)
// indexes: metaSize bytes.
func (pl *plan) encodeInode(b []byte, n *node) []byte {
	start := len(b)
	xattrs := n.xattr
	in := n.in
	format := uint16(n.layout) << 1
	if n.extended {
		var r [inodeSizeExtended]byte
		binary.LittleEndian.PutUint16(r[0:], format|1)
		binary.LittleEndian.PutUint16(r[2:], xattrICount(len(xattrs)))
		binary.LittleEndian.PutUint16(r[4:], modeBits(in))
		binary.LittleEndian.PutUint64(r[8:], n.size)
		binary.LittleEndian.PutUint32(r[16:], n.iU())
		binary.LittleEndian.PutUint32(r[20:], n.ino)
		binary.LittleEndian.PutUint32(r[24:], in.UID)
		binary.LittleEndian.PutUint32(r[28:], in.GID)
		binary.LittleEndian.PutUint64(r[32:], uint64(in.Mtime.Unix()))
		binary.LittleEndian.PutUint32(r[40:], uint32(in.Mtime.Nanosecond()))
		binary.LittleEndian.PutUint32(r[44:], n.nlink)
		b = append(b, r[:]...)
	} else {
		var r [inodeSizeCompact]byte
		binary.LittleEndian.PutUint16(r[0:], format)
		binary.LittleEndian.PutUint16(r[2:], xattrICount(len(xattrs)))
		binary.LittleEndian.PutUint16(r[4:], modeBits(in))
		binary.LittleEndian.PutUint16(r[6:], uint16(n.nlink))
		binary.LittleEndian.PutUint32(r[8:], uint32(n.size))
		binary.LittleEndian.PutUint32(r[16:], n.iU())
		binary.LittleEndian.PutUint32(r[20:], n.ino)
		binary.LittleEndian.PutUint16(r[24:], uint16(in.UID))
		binary.LittleEndian.PutUint16(r[26:], uint16(in.GID))
		b = append(b, r[:]...)
	}
	b = append(b, xattrs...)
	if n.compressed() {
		for (len(b)-start)%8 != 0 {
			b = append(b, 0)
		}
		b = append(b, pl.index(n)...)
	}
	return b
}
