package ext4

import (
	"encoding/binary"
	"fmt"
)

// writeMetadata writes, after the tree (which writes the inode tables),
// the journal superblock, the resize inode's blocks, bitmaps, descriptors and
// superblocks.
func (w *writer) writeMetadata() error {
	l, g := w.l, w.l.g
	le := binary.LittleEndian

	// Journal superblock (jbd2, big endian).
	jsb := make([]byte, blockSize)
	be := binary.BigEndian
	be.PutUint32(jsb[0:], jbd2Magic)
	be.PutUint32(jsb[4:], jbd2SuperblockV2)
	be.PutUint32(jsb[12:], blockSize)
	be.PutUint32(jsb[16:], g.journalBlocks) // s_maxlen
	be.PutUint32(jsb[20:], 1)               // s_first
	be.PutUint32(jsb[24:], 1)               // s_sequence
	copy(jsb[48:64], w.p.UUID[:])           // s_uuid
	be.PutUint32(jsb[64:], 1)               // s_nr_users
	if _, err := w.dst.WriteAt(jsb, int64(l.journal[0].start)*blockSize); err != nil {
		return fmt.Errorf("writing journal: %w", err)
	}

	// Resize inode: the double-indirect block lists the primary reserved
	// descriptor blocks, each of which lists its backups.
	dind := make([]byte, blockSize)
	ind := make([]byte, blockSize)
	for k := uint32(0); k < g.rsvGDT; k++ {
		pblk := uint64(1 + g.descBlocks + k)
		le.PutUint32(dind[4*((g.descBlocks+k)%addrPerBlock):], uint32(pblk))
		clear(ind)
		i := 0
		for grp := uint32(1); grp < g.groups; grp++ {
			if g.hasSuper(grp) {
				le.PutUint32(ind[4*i:], uint32(pblk+g.groupStart(grp)))
				i++
			}
		}
		if _, err := w.dst.WriteAt(ind, int64(pblk)*blockSize); err != nil {
			return fmt.Errorf("writing reserved descriptor blocks: %w", err)
		}
	}
	if _, err := w.dst.WriteAt(dind, int64(l.dind)*blockSize); err != nil {
		return fmt.Errorf("writing resize inode: %w", err)
	}

	st, err := w.writeBitmaps()
	if err != nil {
		return err
	}
	var freeBlocks uint64
	var freeInodes uint32
	for _, s := range st {
		freeBlocks += uint64(s.freeBlocks)
		freeInodes += s.freeInodes
	}
	gdt := w.groupDescs(st)
	for grp := uint32(0); grp < g.groups; grp++ {
		if !g.hasSuper(grp) {
			continue
		}
		sb := w.superblock(grp, freeBlocks, freeInodes)
		off := int64(g.groupStart(grp)) * blockSize
		if grp == 0 {
			off = 1024
		}
		if _, err := w.dst.WriteAt(sb, off); err != nil {
			return fmt.Errorf("writing superblock: %w", err)
		}
		if _, err := w.dst.WriteAt(gdt, int64(g.groupStart(grp)+1)*blockSize); err != nil {
			return fmt.Errorf("writing group descriptors: %w", err)
		}
	}
	return nil
}

// writeBitmaps computes the group counters and writes the bitmaps of the
// groups that are initialized.
func (w *writer) writeBitmaps() ([]groupStats, error) {
	g, pl := w.l.g, w.pl
	st := make([]groupStats, g.groups)
	runs := w.l.used()
	bm := make([]byte, blockSize)
	ui := 0 // index into runs
	for grp := uint32(0); grp < g.groups; grp++ {
		s := &st[grp]
		start, glen := g.groupStart(grp), g.groupLen(grp)
		end := start + glen
		clear(bm)
		var used uint64
		for ; ui < len(runs); ui++ {
			r := runs[ui]
			a, b := max(r.start, start), min(r.start+r.n, end)
			if a >= end {
				break
			}
			if a < b {
				used += b - a
				for x := a - start; x < b-start; x++ {
					bm[x>>3] |= 1 << (x & 7)
				}
			}
			if r.start+r.n > end {
				break // continues into the next group
			}
		}
		s.freeBlocks = uint32(glen - used)
		if grp != g.groups-1 && used == g.superBlocks(grp) {
			s.flags |= bgBlockUninit
		} else {
			for x := glen; x < blocksPerGrp; x++ {
				bm[x>>3] |= 1 << (x & 7)
			}
			s.blockCsum = crc32c(w.fsSeed, bm)
			if _, err := w.dst.WriteAt(bm, int64(g.blockBitmap[grp])*blockSize); err != nil {
				return nil, fmt.Errorf("writing block bitmap: %w", err)
			}
		}

		first := grp*g.ipg + 1
		inUse := uint32(0)
		if pl.maxIno >= first {
			inUse = min(g.ipg, pl.maxIno-first+1)
		}
		s.freeInodes = g.ipg - inUse
		s.unused = g.ipg - inUse
		s.usedDirs = w.dirs[grp]
		if inUse == 0 {
			s.flags |= bgInodeUninit
			continue
		}
		clear(bm)
		for x := uint32(0); x < inUse; x++ {
			bm[x>>3] |= 1 << (x & 7)
		}
		for x := g.ipg; x < blockSize*8; x++ {
			bm[x>>3] |= 1 << (x & 7)
		}
		s.inodeCsum = crc32c(w.fsSeed, bm[:g.ipg/8])
		if _, err := w.dst.WriteAt(bm, int64(g.inodeBitmap[grp])*blockSize); err != nil {
			return nil, fmt.Errorf("writing inode bitmap: %w", err)
		}
	}
	return st, nil
}
