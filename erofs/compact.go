package erofs

import (
	"encoding/binary"
	"fmt"
)

// compactIndex re-encodes the full lcluster indexes that buildIndex made
// into EROFS_INODE_COMPRESSED_COMPACT form with COMPACTED_2B, as mkfs.erofs
// writes by default (erofs-utils z_erofs_convert_to_compacted_format): the
// index area starts 8 bytes after the 8-aligned end of inode and xattrs;
// 4-byte packs (2 lclusters in 8 bytes) up to a 32-byte boundary, then
// 2-byte packs (16 lclusters in 32 bytes), then 4-byte packs for the rest.
// A pack holds per lcluster its type in bits 12-13 and in bits 0-11 the
// head's offset or, for NONHEAD, the distance back to the head (forward to
// the next head for a pack's last lcluster), and ends with a block address
// base: a head's block is the base plus one plus the heads before it in the
// pack, so the base is the block of the last head before the pack.
// metaBefore is the inode's size plus its xattrs; firstBlk the block of the
// first pcluster.
func compactIndex(full []byte, ncl, metaBefore int, firstBlk uint32) ([]byte, error) {
	type lcl struct {
		typ, ofs, d0, d1 int
	}
	ls := make([]lcl, ncl)
	for i := range ls {
		di := full[mapHeaderSize+legacyHeaderPadding+i*indexSize:]
		l := lcl{typ: int(binary.LittleEndian.Uint16(di)) & 3, ofs: int(binary.LittleEndian.Uint16(di[2:]))}
		if l.typ == clusterTypeNonHead {
			l.d0, l.d1 = int(binary.LittleEndian.Uint16(di[4:])), int(binary.LittleEndian.Uint16(di[6:]))
			if l.d0 >= blockSize || l.d1 >= blockSize {
				return nil, fmt.Errorf("internal error: lcluster distance %d/%d too large for compact indexes", l.d0, l.d1)
			}
		}
		ls[i] = l
	}
	ebase := roundUp(metaBefore, 8) + mapHeaderSize
	init := (32 - ebase%32) / 4
	if init == 8 {
		init = 0
	}
	var n2b, nEnd int
	if init > ncl {
		init, nEnd = 0, ncl
	} else {
		n2b = (ncl - init) / 16 * 16
		nEnd = ncl - init - n2b
	}
	out := make([]byte, mapHeaderSize, mapHeaderSize+init*4+n2b*2+(nEnd+1)/2*8)
	copy(out, full[:mapHeaderSize])
	binary.LittleEndian.PutUint16(out[4:], zAdviseCompacted2B)
	base := firstBlk - 1 // block of the last head so far
	i := 0
	pack := func(vcnt, unit int) {
		b := make([]byte, vcnt*unit+4) // 4 bytes of slack for the bit writes
		bits := (vcnt*unit*8 - 32) / vcnt
		packBase := base
		for k := 0; k < vcnt; k++ {
			var l lcl // past the end: a zero (PLAIN) entry, as mkfs pads
			if i+k < ncl {
				l = ls[i+k]
			}
			v := l.ofs
			if l.typ == clusterTypeNonHead {
				v = l.d0
				if k == vcnt-1 {
					v = l.d1
				}
			} else {
				base++
			}
			v |= l.typ << blockBits
			pos := bits * k
			w := binary.LittleEndian.Uint32(b[pos/8:])
			binary.LittleEndian.PutUint32(b[pos/8:], w|uint32(v)<<(pos%8))
		}
		b = b[:vcnt*unit]
		binary.LittleEndian.PutUint32(b[len(b)-4:], packBase)
		out = append(out, b...)
		i += vcnt
	}
	for ; init > 0; init -= 2 {
		pack(2, 4)
	}
	for ; n2b > 0; n2b -= 16 {
		pack(16, 2)
	}
	for ; nEnd > 0; nEnd -= 2 {
		pack(2, 4)
	}
	return out, nil
}
