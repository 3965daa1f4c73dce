package ext4

import "encoding/binary"

// extent maps n logical blocks from lblk to physical blocks from start.
type extent struct {
	lblk  uint32
	start uint64
	n     uint32
}

// appendExtents maps logical blocks from lblk onto runs, splitting at the
// longest extent length.
func appendExtents(ext []extent, lblk uint64, runs []run) []extent {
	for _, r := range runs {
		for r.n > 0 {
			k := min(r.n, extentMaxLen)
			ext = append(ext, extent{uint32(lblk), r.start, uint32(k)})
			lblk += k
			r.start += k
			r.n -= k
		}
	}
	return ext
}

// treeBlocks is the number of extent tree blocks n extents need beyond the
// four entries i_block holds.
func treeBlocks(n int) uint64 {
	var t uint64
	for n > extentsInode {
		n = (n + extentsBlock - 1) / extentsBlock
		t += uint64(n)
	}
	return t
}

func putExtentHeader(b []byte, entries, max, depth int) {
	binary.LittleEndian.PutUint16(b[0:], extentMagic)
	binary.LittleEndian.PutUint16(b[2:], uint16(entries))
	binary.LittleEndian.PutUint16(b[4:], uint16(max))
	binary.LittleEndian.PutUint16(b[6:], uint16(depth))
}

func putLeafExtent(b []byte, e extent) {
	binary.LittleEndian.PutUint32(b[0:], e.lblk)
	binary.LittleEndian.PutUint16(b[4:], uint16(e.n))
	binary.LittleEndian.PutUint16(b[6:], uint16(e.start>>32))
	binary.LittleEndian.PutUint32(b[8:], uint32(e.start))
}

func putIndexExtent(b []byte, lblk uint32, leaf uint64) {
	binary.LittleEndian.PutUint32(b[0:], lblk)
	binary.LittleEndian.PutUint32(b[4:], uint32(leaf))
	binary.LittleEndian.PutUint16(b[8:], uint16(leaf>>32))
}

// buildExtentTree fills iblock (the 60 bytes of i_block) and returns the
// tree blocks to write at the physical blocks in tree (len(tree) ==
// treeBlocks(len(ext))), bottom level first.
func buildExtentTree(iblock []byte, ext []extent, tree []uint64, seed uint32) [][]byte {
	if len(ext) <= extentsInode {
		putExtentHeader(iblock, len(ext), extentsInode, 0)
		for i, e := range ext {
			putLeafExtent(iblock[12+12*i:], e)
		}
		return nil
	}
	var blocks [][]byte
	// Current level as (first logical block, physical block) pairs.
	type ref struct {
		lblk uint32
		blk  uint64
	}
	var level []ref
	depth := 1
	for i := 0; i < len(ext); i += extentsBlock {
		part := ext[i:min(len(ext), i+extentsBlock)]
		b := make([]byte, blockSize)
		putExtentHeader(b, len(part), extentsBlock, 0)
		for j, e := range part {
			putLeafExtent(b[12+12*j:], e)
		}
		level = append(level, ref{part[0].lblk, tree[0]})
		tree = tree[1:]
		blocks = append(blocks, b)
	}
	for len(level) > extentsInode {
		var up []ref
		for i := 0; i < len(level); i += extentsBlock {
			part := level[i:min(len(level), i+extentsBlock)]
			b := make([]byte, blockSize)
			putExtentHeader(b, len(part), extentsBlock, depth)
			for j, r := range part {
				putIndexExtent(b[12+12*j:], r.lblk, r.blk)
			}
			up = append(up, ref{part[0].lblk, tree[0]})
			tree = tree[1:]
			blocks = append(blocks, b)
		}
		level = up
		depth++
	}
	putExtentHeader(iblock, len(level), extentsInode, depth)
	for i, r := range level {
		putIndexExtent(iblock[12+12*i:], r.lblk, r.blk)
	}
	for _, b := range blocks {
		tail := 12 + 12*extentsBlock
		binary.LittleEndian.PutUint32(b[tail:], crc32c(seed, b[:tail]))
	}
	return blocks
}
