package ext4

import (
	"encoding/binary"
)

// groupStats are the per-group counters of the descriptors.
type groupStats struct {
	freeBlocks  uint32
	freeInodes  uint32
	usedDirs    uint32
	unused      uint32 // bg_itable_unused
	flags       uint16
	blockCsum   uint32
	inodeCsum   uint32
	blockBitmap []byte // nil when BLOCK_UNINIT
	inodeBitmap []byte // nil when INODE_UNINIT
}

// superblock encodes the superblock as stored in group grp (s_block_group_nr).
func (w *writer) superblock(grp uint32, freeBlocks uint64, freeInodes uint32) []byte {
	g := w.l.g
	b := make([]byte, 1024)
	le := binary.LittleEndian
	now, _ := encodeTime(w.p.Time)
	nowHi := uint8(w.p.Time.Unix() >> 32)
	le.PutUint32(b[0x0:], g.inodes)
	le.PutUint32(b[0x4:], uint32(g.blocks))
	le.PutUint32(b[0xC:], uint32(freeBlocks))
	le.PutUint32(b[0x10:], freeInodes)
	le.PutUint32(b[0x14:], 0)             // s_first_data_block
	le.PutUint32(b[0x18:], blockShift-10) // s_log_block_size
	le.PutUint32(b[0x1C:], blockShift-10) // s_log_cluster_size
	le.PutUint32(b[0x20:], blocksPerGrp)  // s_blocks_per_group
	le.PutUint32(b[0x24:], blocksPerGrp)  // s_clusters_per_group
	le.PutUint32(b[0x28:], g.ipg)         // s_inodes_per_group
	le.PutUint32(b[0x30:], now)           // s_wtime
	le.PutUint16(b[0x36:], 0xFFFF)        // s_max_mnt_count
	le.PutUint16(b[0x38:], superMagic)    //
	le.PutUint16(b[0x3A:], 1)             // s_state: clean
	le.PutUint16(b[0x3C:], 1)             // s_errors: continue
	le.PutUint32(b[0x40:], now)           // s_lastcheck
	le.PutUint32(b[0x4C:], 1)             // s_rev_level: dynamic
	le.PutUint32(b[0x54:], firstIno)      // s_first_ino
	le.PutUint16(b[0x58:], inodeSize)     // s_inode_size
	le.PutUint16(b[0x5A:], uint16(grp))   // s_block_group_nr
	le.PutUint32(b[0x5C:], compatHasJournal|compatExtAttr|compatResizeInode|compatDirIndex)
	le.PutUint32(b[0x60:], incompatFiletype|incompatExtents|incompat64bit|incompatFlexBG)
	le.PutUint32(b[0x64:], roCompatSparseSuper|roCompatLargeFile|roCompatHugeFile|roCompatDirNlink|roCompatExtraIsize|roCompatMetadataCsum)
	copy(b[0x68:0x78], w.p.UUID[:])
	copy(b[0x78:0x88], w.p.Label)
	le.PutUint16(b[0xCE:], uint16(g.rsvGDT))
	le.PutUint32(b[0xE0:], journalIno)
	copy(b[0xEC:0xFC], w.p.HashSeed[:])
	b[0xFC] = hashHalfMD4
	b[0xFD] = jnlBackupBlocks
	le.PutUint16(b[0xFE:], descSize)
	le.PutUint32(b[0x100:], defmXattrUser|defmACL)
	le.PutUint32(b[0x108:], now) // s_mkfs_time
	copy(b[0x10C:0x10C+60], w.journalIBlock[:])
	j := uint64(g.journalBlocks) * blockSize
	le.PutUint32(b[0x10C+60:], uint32(j>>32))
	le.PutUint32(b[0x10C+64:], uint32(j))
	le.PutUint32(b[0x150:], uint32(g.blocks>>32))
	le.PutUint32(b[0x158:], uint32(freeBlocks>>32))
	le.PutUint16(b[0x15C:], extraIsize) // s_min_extra_isize
	le.PutUint16(b[0x15E:], extraIsize) // s_want_extra_isize
	le.PutUint32(b[0x160:], flagsSignedHash)
	b[0x174] = logFlex
	b[0x175] = csumTypeCrc32c
	b[0x274] = nowHi // s_wtime_hi
	b[0x276] = nowHi // s_mkfs_time_hi
	b[0x277] = nowHi // s_lastcheck_hi
	le.PutUint32(b[0x3FC:], crc32c(^uint32(0), b[:0x3FC]))
	return b
}

// groupDescs encodes the group descriptor table.
func (w *writer) groupDescs(st []groupStats) []byte {
	g := w.l.g
	le := binary.LittleEndian
	out := make([]byte, int(g.descBlocks)*blockSize)
	for i := range st {
		d := out[i*descSize : (i+1)*descSize]
		s := &st[i]
		put32 := func(lo, hi int, v uint64) {
			le.PutUint32(d[lo:], uint32(v))
			le.PutUint32(d[hi:], uint32(v>>32))
		}
		put16 := func(lo, hi int, v uint32) {
			le.PutUint16(d[lo:], uint16(v))
			le.PutUint16(d[hi:], uint16(v>>16))
		}
		put32(0x0, 0x20, g.blockBitmap[i])
		put32(0x4, 0x24, g.inodeBitmap[i])
		put32(0x8, 0x28, g.inodeTable[i])
		put16(0xC, 0x2C, s.freeBlocks)
		put16(0xE, 0x2E, s.freeInodes)
		put16(0x10, 0x30, s.usedDirs)
		le.PutUint16(d[0x12:], s.flags)
		put16(0x18, 0x38, s.blockCsum)
		put16(0x1A, 0x3A, s.inodeCsum)
		put16(0x1C, 0x32, s.unused)
		c := crc32c(crc32cU32(w.fsSeed, uint32(i)), d)
		le.PutUint16(d[0x1E:], uint16(c))
	}
	return out
}
