package vfat

import "encoding/binary"

// fatTable encodes the used part of one FAT: the two reserved entries
// (media byte and end-of-chain) and a contiguous chain per node. It covers
// entries 0 .. last, rounded up to whole sectors; the rest of the FAT is
// zero (free clusters) and left unwritten.
func fatTable(g *geometry, order []*node, last uint32) []byte {
	entries := int64(last) + 1
	var n int64
	switch g.fatBits {
	case 12:
		n = (entries*3 + 1) / 2
	case 16:
		n = entries * 2
	default:
		n = entries * 4
	}
	b := make([]byte, cdiv(n, int64(g.sectorSize))*int64(g.sectorSize))
	var set func(c, v uint32)
	var eoc uint32
	switch g.fatBits {
	case 12:
		eoc = fat12EOC
		set = func(c, v uint32) {
			i := c * 3 / 2
			if c&1 == 0 {
				b[i] = byte(v)
				b[i+1] = b[i+1]&0xF0 | byte(v>>8)&0x0F
			} else {
				b[i] = b[i]&0x0F | byte(v<<4)
				b[i+1] = byte(v >> 4)
			}
		}
	case 16:
		eoc = fat16EOC
		set = func(c, v uint32) { binary.LittleEndian.PutUint16(b[c*2:], uint16(v)) }
	default:
		eoc = fat32EOC
		set = func(c, v uint32) { binary.LittleEndian.PutUint32(b[c*4:], v) }
	}
	// Entry 0 holds the media byte, entry 1 end-of-chain (mkfs.fat).
	set(0, eoc&^0xFF|media)
	set(1, eoc)
	for _, nd := range order {
		end := nd.first + nd.count - 1
		for c := nd.first; c < end; c++ {
			set(c, c+1)
		}
		if nd.path == "/" {
			set(end, eoc&^0xF|0x8) // mkfs.fat ends the root chain with 0x0FFFFFF8
		} else {
			set(end, eoc)
		}
	}
	return b
}
