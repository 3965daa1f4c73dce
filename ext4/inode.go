package ext4

import (
	"encoding/binary"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// Inode field offsets (inodes.rst).
const (
	iMode       = 0x00
	iUID        = 0x02
	iSizeLo     = 0x04
	iAtime      = 0x08
	iCtime      = 0x0C
	iMtime      = 0x10
	iGID        = 0x18
	iLinks      = 0x1A
	iBlocksLo   = 0x1C
	iFlags      = 0x20
	iBlock      = 0x28
	iFileACL    = 0x68
	iSizeHigh   = 0x6C
	iBlocksHigh = 0x74
	iACLHigh    = 0x76
	iUIDHigh    = 0x78
	iGIDHigh    = 0x7A
	iCsumLo     = 0x7C
	iExtraIsize = 0x80
	iCsumHi     = 0x82
	iCtimeExtra = 0x84
	iMtimeExtra = 0x88
	iAtimeExtra = 0x8C
	iCrtime     = 0x90
	iCrtimeExtr = 0x94
	iXattr      = 0x80 + extraIsize
)

// The range of ext4 timestamps with extra fields: 1901-12-13 to 2446-05-10.
const (
	minTime = -1 << 31
	maxTime = 1<<34 - 1<<31 - 1
)

// encodeTime clamps t to ext4's range and splits t into the 32-bit seconds field and the extra field
// (two epoch bits and nanoseconds).
func encodeTime(t time.Time) (uint32, uint32) {
	sec := min(max(t.Unix(), minTime), maxTime)
	epoch := uint32((sec-int64(int32(sec)))>>32) & 3
	return uint32(sec), epoch | uint32(t.Nanosecond())<<2
}

func putTimes(b []byte, t time.Time) {
	lo, extra := encodeTime(t)
	le := binary.LittleEndian
	for _, o := range []int{iAtime, iCtime, iMtime} {
		le.PutUint32(b[o:], lo)
	}
	le.PutUint32(b[iCrtime:], lo)
	if le.Uint16(b[iExtraIsize:]) >= extraIsize {
		for _, o := range []int{iAtimeExtra, iCtimeExtra, iMtimeExtra, iCrtimeExtr} {
			le.PutUint32(b[o:], extra)
		}
	}
}

// setInodeCsum computes the metadata_csum inode checksum.
func setInodeCsum(b []byte, ino, fsSeed uint32) {
	le := binary.LittleEndian
	le.PutUint16(b[iCsumLo:], 0)
	hasHi := le.Uint16(b[iExtraIsize:]) >= 4
	if hasHi {
		le.PutUint16(b[iCsumHi:], 0)
	}
	c := crc32c(inodeSeed(fsSeed, ino, 0), b[:inodeSize])
	le.PutUint16(b[iCsumLo:], uint16(c))
	if hasHi {
		le.PutUint16(b[iCsumHi:], uint16(c>>16))
	}
}

func putSizeBlocks(b []byte, size uint64, blocks uint64) {
	le := binary.LittleEndian
	le.PutUint32(b[iSizeLo:], uint32(size))
	le.PutUint32(b[iSizeHigh:], uint32(size>>32))
	sectors := blocks * (blockSize / 512)
	le.PutUint32(b[iBlocksLo:], uint32(sectors))
	le.PutUint16(b[iBlocksHigh:], uint16(sectors>>32))
}

// encodeNode fills b (one inode) for a tree inode placed at p, with links
// names, xattrs x and data blocks of content, and returns the extent tree
// blocks to write.
func (w *writer) encodeNode(b []byte, n *tnode, links uint32, x *xattrSplit, p *placement, data uint64) [][]byte {
	le := binary.LittleEndian
	clear(b)
	in := n.in
	le.PutUint16(b[iExtraIsize:], extraIsize)
	mode := in.Mode & 07777
	var size uint64
	var flags uint32
	var tree [][]byte
	seed := inodeSeed(w.fsSeed, n.ino, 0)
	extents := func() {
		flags |= inodeFlagExtents
		tree = buildExtentTree(b[iBlock:iBlock+60], p.ext, p.tree, seed)
	}
	switch in.Kind {
	case fstree.File:
		mode |= sIFREG
		size = uint64(in.Size)
		extents()
	case fstree.Dir:
		mode |= sIFDIR
		size = uint64(n.dir.blocks) * blockSize
		if n.dir.htree {
			flags |= inodeFlagIndex
		}
		extents()
	case fstree.Symlink:
		mode |= sIFLNK
		size = uint64(len(in.Target))
		if len(in.Target) < fastSymlink {
			copy(b[iBlock:], in.Target)
		} else {
			extents()
		}
	case fstree.CharDevice, fstree.BlockDevice:
		mode |= sIFCHR
		if in.Kind == fstree.BlockDevice {
			mode = mode&^sIFCHR | sIFBLK
		}
		if in.Major < 256 && in.Minor < 256 {
			le.PutUint32(b[iBlock:], in.Major<<8|in.Minor)
		} else {
			le.PutUint32(b[iBlock+4:], in.Minor&0xff|in.Major<<8|(in.Minor&^0xff)<<12)
		}
	case fstree.FIFO:
		mode |= sIFIFO
	case fstree.Socket:
		mode |= sIFSOCK
	}
	le.PutUint16(b[iMode:], uint16(mode))
	le.PutUint16(b[iUID:], uint16(in.UID))
	le.PutUint16(b[iUIDHigh:], uint16(in.UID>>16))
	le.PutUint16(b[iGID:], uint16(in.GID))
	le.PutUint16(b[iGIDHigh:], uint16(in.GID>>16))
	le.PutUint16(b[iLinks:], uint16(links))
	le.PutUint32(b[iFlags:], flags)
	blocks := data + uint64(len(p.tree))
	if x := p.xblk; x != 0 {
		blocks++
		le.PutUint32(b[iFileACL:], uint32(x))
		le.PutUint16(b[iACLHigh:], uint16(x>>32))
	}
	putSizeBlocks(b, size, blocks)
	putTimes(b, in.Mtime)
	if x != nil && len(x.in) > 0 {
		le.PutUint32(b[iXattr:], xattrMagic)
		putXattrs(b[iXattr+4:inodeSize], x.in, 0)
	}
	setInodeCsum(b, n.ino, w.fsSeed)
	return tree
}

// encodeJournalInode fills inode 8 and returns its extent tree blocks.
func (w *writer) encodeJournalInode(b []byte) [][]byte {
	le := binary.LittleEndian
	clear(b)
	le.PutUint16(b[iExtraIsize:], extraIsize)
	le.PutUint16(b[iMode:], sIFREG|0600)
	le.PutUint16(b[iLinks:], 1)
	le.PutUint32(b[iFlags:], inodeFlagExtents)
	j := uint64(w.l.g.journalBlocks)
	putSizeBlocks(b, j*blockSize, j+uint64(len(w.l.journalTree)))
	tree := buildExtentTree(b[iBlock:iBlock+60], w.l.journal, w.l.journalTree, inodeSeed(w.fsSeed, journalIno, 0))
	putTimes(b, w.p.Time)
	setInodeCsum(b, journalIno, w.fsSeed)
	return tree
}

// encodeResizeInode fills inode 7 as ext2fs_create_resize_inode does.
func (w *writer) encodeResizeInode(b []byte) {
	le := binary.LittleEndian
	g := w.l.g
	clear(b)
	le.PutUint16(b[iExtraIsize:], extraIsize)
	le.PutUint16(b[iMode:], sIFREG|0600)
	le.PutUint16(b[iLinks:], 1)
	le.PutUint32(b[iBlock+13*4:], uint32(w.l.dind))
	backups := uint64(0)
	for grp := uint32(1); grp < g.groups; grp++ {
		if g.hasSuper(grp) {
			backups++
		}
	}
	size := uint64(addrPerBlock*addrPerBlock+addrPerBlock+12) * blockSize
	putSizeBlocks(b, size, 1+uint64(g.rsvGDT)*(1+backups))
	putTimes(b, w.p.Time)
	setInodeCsum(b, resizeIno, w.fsSeed)
}

// encodeReservedInode fills inodes 1, 3-6, 9 and 10 as mke2fs writes them:
// zero with a checksum, the bad blocks inode with its times.
func (w *writer) encodeReservedInode(b []byte, ino uint32) {
	clear(b)
	if ino == 1 {
		lo, _ := encodeTime(w.p.Time)
		for _, o := range []int{iAtime, iCtime, iMtime} {
			binary.LittleEndian.PutUint32(b[o:], lo)
		}
	}
	setInodeCsum(b, ino, w.fsSeed)
}
