package squashfs

import (
	"encoding/binary"
	"math"
)

// inode is what an inode record holds besides its type-specific part.
type inode struct {
	typ      uint16 // basic type; extended adds 7
	extended bool
	mode     uint16
	uid, gid uint16 // indexes in the id table
	mtime    uint32
	ino      uint32
	nlink    uint32
	xattr    uint32 // xattr id or noXattr
}

func (n *inode) header(b []byte) []byte {
	le := binary.LittleEndian
	typ := n.typ
	if n.extended {
		typ += typeExtended
	}
	b = le.AppendUint16(b, typ)
	b = le.AppendUint16(b, n.mode)
	b = le.AppendUint16(b, n.uid)
	b = le.AppendUint16(b, n.gid)
	b = le.AppendUint32(b, n.mtime)
	return le.AppendUint32(b, n.ino)
}

// fileData is where a regular file's data is.
type fileData struct {
	size    int64
	start   int64    // position of the first block (0 when none)
	blocks  []uint32 // size words of the blocks (0: a hole)
	frag    uint32   // fragment index or noFragment
	fragOff uint32
	sparse  int64 // bytes in holes
}

// encodeFile appends a regular file inode: the basic form unless the
// file has more than one name, holes, xattrs or needs 64 bits.
func encodeFile(b []byte, n *inode, d *fileData) []byte {
	le := binary.LittleEndian
	n.typ = typeFile
	n.extended = n.extended || n.nlink > 1 || d.sparse > 0 || n.xattr != noXattr ||
		d.size > math.MaxUint32 || d.start > math.MaxUint32
	b = n.header(b)
	if n.extended {
		sparse := d.sparse
		if sparse > 0 && sparse >= d.size {
			sparse = d.size - 1
		}
		b = le.AppendUint64(b, uint64(d.start))
		b = le.AppendUint64(b, uint64(d.size))
		b = le.AppendUint64(b, uint64(sparse))
		b = le.AppendUint32(b, n.nlink)
		b = le.AppendUint32(b, d.frag)
		b = le.AppendUint32(b, d.fragOff)
		b = le.AppendUint32(b, n.xattr)
	} else {
		b = le.AppendUint32(b, uint32(d.start))
		b = le.AppendUint32(b, d.frag)
		b = le.AppendUint32(b, d.fragOff)
		b = le.AppendUint32(b, uint32(d.size))
	}
	for _, s := range d.blocks {
		b = le.AppendUint32(b, s)
	}
	return b
}

// dirInode is a directory inode's type-specific part.
type dirInode struct {
	start  int64 // block of the listing in the directory table
	offset int   // offset of the listing in that block
	size   int   // listing bytes plus 3 (the kernel's "." and "..")
	parent uint32
	index  []dirIndex
	marks  []int64 // block starts of the listing (metaWriter.writeMarked)
}

// encodeDir appends a directory inode, extended when it has xattrs or
// is large (then with its index).
func encodeDir(b []byte, n *inode, d *dirInode) []byte {
	le := binary.LittleEndian
	n.typ = typeDir
	n.extended = n.extended || n.xattr != noXattr
	b = n.header(b)
	if !n.extended {
		b = le.AppendUint32(b, uint32(d.start))
		b = le.AppendUint32(b, n.nlink)
		b = le.AppendUint16(b, uint16(d.size))
		b = le.AppendUint16(b, uint16(d.offset))
		return le.AppendUint32(b, d.parent)
	}
	b = le.AppendUint32(b, n.nlink)
	b = le.AppendUint32(b, uint32(d.size))
	b = le.AppendUint32(b, uint32(d.start))
	b = le.AppendUint32(b, d.parent)
	b = le.AppendUint16(b, uint16(len(d.index)))
	b = le.AppendUint16(b, uint16(d.offset))
	b = le.AppendUint32(b, n.xattr)
	for _, x := range d.index {
		b = le.AppendUint32(b, uint32(x.offset))
		b = le.AppendUint32(b, uint32(d.marks[(d.offset+x.offset)/metaSize]))
		b = le.AppendUint32(b, uint32(len(x.name)-1))
		b = append(b, x.name...)
	}
	return b
}

// encodeSymlink appends a symlink inode.
func encodeSymlink(b []byte, n *inode, target string) []byte {
	le := binary.LittleEndian
	n.typ = typeSymlink
	n.extended = n.xattr != noXattr
	b = n.header(b)
	b = le.AppendUint32(b, n.nlink)
	b = le.AppendUint32(b, uint32(len(target)))
	b = append(b, target...)
	if n.extended {
		b = le.AppendUint32(b, n.xattr)
	}
	return b
}

// encodeSpecial appends a device, FIFO or socket inode (n.typ set).
func encodeSpecial(b []byte, n *inode, rdev uint32) []byte {
	le := binary.LittleEndian
	n.extended = n.xattr != noXattr
	b = n.header(b)
	b = le.AppendUint32(b, n.nlink)
	if n.typ == typeBlockDev || n.typ == typeCharDev {
		b = le.AppendUint32(b, rdev)
	}
	if n.extended {
		b = le.AppendUint32(b, n.xattr)
	}
	return b
}
