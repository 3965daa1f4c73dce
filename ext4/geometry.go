package ext4

import "fmt"

// geometry is the group layout mke2fs computes for a block count
// (lib/ext2fs/initialize.c), plus where our allocator puts each group's
// bitmaps and inode table (flex_bg: all in the flex group's first group).
type geometry struct {
	blocks        uint64 // s_blocks_count after dropping a too-small last group
	groups        uint32
	ipg           uint32 // inodes per group
	itb           uint32 // inode table blocks per group
	inodes        uint32
	descBlocks    uint32
	rsvGDT        uint32
	journalBlocks uint32

	blockBitmap, inodeBitmap, inodeTable []uint64
	// meta lists every block range holding superblocks, descriptors,
	// bitmaps and inode tables, sorted.
	meta []run
}

// run is a range of blocks.
type run struct{ start, n uint64 }

func ceilDiv(a, b uint64) uint64 { return (a + b - 1) / b }

// newGeometry mirrors ext2fs_initialize for mke2fs -b 4096 -I 256 -T default
// (inode_ratio 16384) with flex_bg, resize_inode and sparse_super.
func newGeometry(size int64) (*geometry, error) {
	orig := uint64(size) / blockSize
	if orig > maxBlocks {
		return nil, fmt.Errorf("%d bytes: larger than the 16 TiB this writer supports", size)
	}
	inodesWanted := orig * blockSize / inodeRatio
	g := &geometry{blocks: orig}
	for {
		if g.blocks == 0 {
			return nil, fmt.Errorf("%d bytes: %w", size, ErrTooSmall)
		}
		g.groups = uint32(ceilDiv(g.blocks, blocksPerGrp))
		g.descBlocks = uint32(ceilDiv(uint64(g.groups), descsPerBlock))
		ipg := uint32(ceilDiv(inodesWanted, uint64(g.groups)))
		if ipg > blockSize*8 {
			return nil, fmt.Errorf("%d inodes per group: too many", ipg)
		}
		for {
			g.itb = uint32(ceilDiv(uint64(ipg)*inodeSize, blockSize))
			g.ipg = g.itb * blockSize / inodeSize
			if g.ipg < 8 {
				g.ipg = 8
			}
			g.ipg &^= 7
			g.itb = uint32(ceilDiv(uint64(g.ipg)*inodeSize, blockSize))
			g.inodes = g.ipg * g.groups
			if g.inodes >= firstIno+1 {
				break
			}
			ipg += 8
		}
		g.rsvGDT = g.calcReservedGDT()
		if g.rsvGDT+g.descBlocks > blocksPerGrp*3/4 {
			return nil, fmt.Errorf("%d bytes: too large for resize_inode", size)
		}
		overhead := uint64(2 + g.itb)
		if g.hasSuper(g.groups - 1) {
			overhead += uint64(1 + g.descBlocks + g.rsvGDT)
		}
		rem := g.blocks % blocksPerGrp
		if g.groups == 1 && rem != 0 && rem < overhead {
			return nil, fmt.Errorf("%d bytes: %w", size, ErrTooSmall)
		}
		if rem != 0 && rem < overhead+50 {
			g.blocks -= rem
			continue
		}
		break
	}
	j := defaultJournalSize(g.blocks)
	if j < 0 {
		return nil, fmt.Errorf("%d bytes: %w", size, ErrTooSmall)
	}
	g.journalBlocks = uint32(j)
	if err := g.placeTables(); err != nil {
		return nil, err
	}
	return g, nil
}

// calcReservedGDT is mke2fs' calc_reserved_gdt_blocks: room to grow to
// 1024 times the size (capped at 2^32 blocks).
func (g *geometry) calcReservedGDT() uint32 {
	maxBlocks := uint64(0xffffffff)
	if g.blocks < maxBlocks/1024 {
		maxBlocks = g.blocks * 1024
	}
	rsvGroups := ceilDiv(maxBlocks, blocksPerGrp)
	rsv := int64(ceilDiv(rsvGroups, descsPerBlock)) - int64(g.descBlocks)
	if rsv > addrPerBlock {
		rsv = addrPerBlock
	}
	if rsv < 0 {
		rsv = 0
	}
	return uint32(rsv)
}

// defaultJournalSize is ext2fs_default_journal_size (lib/ext2fs/mkjournal.c).
func defaultJournalSize(blocks uint64) int {
	switch {
	case blocks < 2048:
		return -1
	case blocks < 32768:
		return 1024
	case blocks < 256*1024:
		return 4096
	case blocks < 512*1024:
		return 8192
	case blocks < 4096*1024:
		return 16384
	case blocks < 8192*1024:
		return 32768
	case blocks < 16384*1024:
		return 65536
	case blocks < 32768*1024:
		return 131072
	}
	return 262144
}

// hasSuper reports whether group grp holds a superblock backup
// (sparse_super: 0, 1 and powers of 3, 5 and 7).
func (g *geometry) hasSuper(grp uint32) bool {
	if grp <= 1 {
		return true
	}
	if grp&1 == 0 {
		return false
	}
	for _, b := range []uint32{3, 5, 7} {
		n := b
		for n < grp {
			n *= b
		}
		if n == grp {
			return true
		}
	}
	return false
}

func (g *geometry) groupStart(grp uint32) uint64 { return uint64(grp) * blocksPerGrp }

func (g *geometry) groupLen(grp uint32) uint64 {
	if grp == g.groups-1 {
		return g.blocks - g.groupStart(grp)
	}
	return blocksPerGrp
}

// superBlocks is the number of blocks at the start of grp taken by the
// superblock, descriptors and reserved descriptor blocks (0 without a backup).
func (g *geometry) superBlocks(grp uint32) uint64 {
	if !g.hasSuper(grp) {
		return 0
	}
	return uint64(1 + g.descBlocks + g.rsvGDT)
}

// placeTables puts the bitmaps and inode tables of each flex group, in that
// order, contiguously after the superblock area of its first group, skipping
// the superblock backups of following groups.
func (g *geometry) placeTables() error {
	g.blockBitmap = make([]uint64, g.groups)
	g.inodeBitmap = make([]uint64, g.groups)
	g.inodeTable = make([]uint64, g.groups)
	for grp := uint32(0); grp < g.groups; grp++ {
		if sb := g.superBlocks(grp); sb > 0 {
			g.meta = append(g.meta, run{g.groupStart(grp), sb})
		}
	}
	supers := g.meta
	var tables []run
	for f := uint32(0); f < g.groups; f += flexSize {
		last := min(f+flexSize, g.groups)
		cur := g.groupStart(f) + g.superBlocks(f)
		take := func(n uint64) (uint64, error) {
			for {
				grp := uint32(cur / blocksPerGrp)
				end := g.groupStart(grp) + blocksPerGrp
				if cur+n <= end || grp+1 >= g.groups || g.superBlocks(grp+1) == 0 {
					break
				}
				cur = end + g.superBlocks(grp+1)
			}
			if cur+n > g.blocks {
				return 0, ErrTooSmall
			}
			s := cur
			cur += n
			return s, nil
		}
		var err error
		for grp := f; grp < last && err == nil; grp++ {
			g.blockBitmap[grp], err = take(1)
		}
		for grp := f; grp < last && err == nil; grp++ {
			g.inodeBitmap[grp], err = take(1)
		}
		for grp := f; grp < last && err == nil; grp++ {
			g.inodeTable[grp], err = take(uint64(g.itb))
		}
		if err != nil {
			return fmt.Errorf("placing group tables: %w", err)
		}
		for grp := f; grp < last; grp++ {
			tables = append(tables, run{g.blockBitmap[grp], 1}, run{g.inodeBitmap[grp], 1}, run{g.inodeTable[grp], uint64(g.itb)})
		}
	}
	g.meta = mergeRuns(append(append([]run(nil), supers...), tables...))
	return nil
}
