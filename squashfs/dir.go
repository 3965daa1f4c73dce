package squashfs

import "encoding/binary"

// dirListing builds a directory's entries in the directory table's
// format as mksquashfs's add_dir does: runs of at most 256 entries behind
// a header naming the metadata block of their inodes and a base inode
// number (the entries store 16-bit offsets from both). A new header
// starts when the run is full, when an inode lies in another block, when
// an inode number is more than ±32767 from the base, and when the bytes
// since the last index point would exceed 8 KiB: then the new header is
// also an index point (the extended directory inode lists them, so that
// a lookup reads only the block where a name can be).
type dirListing struct {
	buf      []byte
	hdr      int // offset of the current header; -1 before the first
	count    int // entries behind the current header
	block    uint32
	base     uint32
	indexAt  int // offset of the last index point (0: the start)
	index    []dirIndex
	entries  int
	nameSize int // sum of name lengths plus 8 per entry (mksquashfs's byte_count)
	subdirs  int
}

// dirIndex is an index point: the offset of its header in the listing
// and the first name behind it.
type dirIndex struct {
	offset int
	name   string
}

func newDirListing() *dirListing { return &dirListing{hdr: -1} }

func (d *dirListing) add(ref inodeRef, ino uint32, typ uint16, name string) {
	le := binary.LittleEndian
	size := len(name)
	delta := int64(ino) - int64(d.base)
	overflow := d.hdr >= 0 && len(d.buf)+dirEntrySize+size-d.indexAt > metaSize
	if d.hdr < 0 || d.count == dirHeaderMax || ref.block() != d.block || overflow || delta > 32767 || delta < -32768 {
		if d.hdr >= 0 {
			if overflow {
				d.index = append(d.index, dirIndex{offset: len(d.buf), name: name})
				d.indexAt = len(d.buf)
			}
			d.closeHeader()
		}
		d.hdr, d.count, d.block, d.base = len(d.buf), 0, ref.block(), ino
		d.buf = append(d.buf, make([]byte, dirHeaderSize)...)
		delta = 0
	}
	d.buf = le.AppendUint16(d.buf, ref.offset())
	d.buf = le.AppendUint16(d.buf, uint16(int16(delta)))
	d.buf = le.AppendUint16(d.buf, typ)
	d.buf = le.AppendUint16(d.buf, uint16(size-1))
	d.buf = append(d.buf, name...)
	d.count++
	d.entries++
	d.nameSize += size + dirEntrySize
	if typ == typeDir {
		d.subdirs++
	}
}

// closeHeader fills in the current header.
func (d *dirListing) closeHeader() {
	h := d.buf[d.hdr:]
	binary.LittleEndian.PutUint32(h[0:], uint32(d.count-1))
	binary.LittleEndian.PutUint32(h[4:], d.block)
	binary.LittleEndian.PutUint32(h[8:], d.base)
}

// finish completes the listing and returns its bytes.
func (d *dirListing) finish() []byte {
	if d.hdr >= 0 {
		d.closeHeader()
	}
	return d.buf
}

// extended reports whether mksquashfs gives the directory an extended
// inode for its size (dir_scan6): 257 entries or more, or 8 KiB of
// names and entries.
func (d *dirListing) extended() bool {
	return d.entries >= 257 || d.nameSize >= metaSize || len(d.buf)+3 > 0xffff
}
