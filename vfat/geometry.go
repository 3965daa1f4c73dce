package vfat

import (
	"errors"
	"fmt"
)

// geometry is the layout of a FAT file system, chosen exactly as mkfs.fat
// 4.2 chooses it for a regular file of the same size with
// "-S sectorSize [-F bits]" (establish_params and setup_tables in
// src/mkfs.fat.c, alignment of data structures on).
type geometry struct {
	sectorSize    int
	totalSectors  uint32 // num_sectors (rounded down to whole tracks)
	secPerTrack   uint16
	heads         uint16
	secPerCluster int
	reserved      uint32 // reserved sectors before the first FAT
	fatBits       int
	fatLength     uint32 // sectors per FAT
	clusters      uint32 // data clusters (numbered 2 .. clusters+1)
	rootEntries   uint32 // FAT12/16 root directory slots; 0 on FAT32
}

// errTooSmall reports a size below what mkfs.fat accepts.
var errTooSmall = errors.New("too small for a FAT file system")

func cdiv(a, b int64) int64 { return (a + b - 1) / b }

// newGeometry computes the layout of a size-byte file system.
func newGeometry(size int64, sectorSize, fatBits int) (geometry, error) {
	ss := int64(sectorSize)
	g := geometry{sectorSize: sectorSize}

	// establish_params: CHS values (used for the track alignment below).
	total := size / ss
	if total <= 524288 {
		switch {
		case total <= 32768:
			g.heads = 2
		case total <= 65536:
			g.heads = 4
		case total <= 262144:
			g.heads = 8
		default:
			g.heads = 16
		}
		g.secPerTrack = 32
		if total <= 4096 {
			g.secPerTrack = 16
		}
	} else {
		switch {
		case total <= 16*63*1024:
			g.heads = 16
		case total <= 32*63*1024:
			g.heads = 32
		case total <= 64*63*1024:
			g.heads = 64
		case total <= 128*63*1024:
			g.heads = 128
		default:
			g.heads = 255
		}
		g.secPerTrack = 63
	}
	if fatBits == 0 && size >= 512<<20 {
		fatBits = 32
	}
	clusterSize := int64(4)
	if fatBits == 32 {
		switch {
		case total > 32*1024*1024*2:
			clusterSize = 64
		case total > 16*1024*1024*2:
			clusterSize = 32
		case total > 8*1024*1024*2:
			clusterSize = 16
		case total > 260*1024*2:
			clusterSize = 8
		default:
			clusterSize = 1
		}
	}
	rootEntries := int64(rootEntries1216)
	reserved := int64(reserved1216)
	if fatBits == 32 {
		rootEntries = 0
		reserved = reserved32
	}

	// setup_tables.
	blocks := size / 1024
	numSectors := blocks * 1024 / ss
	if numSectors > 0xFFFFFFFF {
		numSectors = 0xFFFFFFFF
		blocks = numSectors * ss / 1024
	}
	align := true
	numSectors = numSectors / int64(g.secPerTrack) * int64(g.secPerTrack)
	if numSectors <= 8192 {
		align = false
	}
	alignObj := func(sectors, cs int64) int64 {
		if align {
			return (sectors + cs - 1) &^ (cs - 1)
		}
		return sectors
	}
	rootDirSectors := cdiv(rootEntries*32, ss)

	var clust12, clust16, clust32, fatlen12, fatlen16, fatlen32 int64
	for ; clusterSize <= 128; clusterSize <<= 1 {
		fatdata32 := numSectors - alignObj(reserved, clusterSize)
		fatdata1216 := fatdata32 - alignObj(rootDirSectors, clusterSize)

		clust12 = 2 * (fatdata1216*ss + numFATs*3) / (2*clusterSize*ss + numFATs*3)
		fatlen12 = alignObj(cdiv(((clust12+2)*3+1)>>1, ss), clusterSize)
		clust12 = (fatdata1216 - numFATs*fatlen12) / clusterSize
		maxclust12 := min(fatlen12*2*ss/3, maxClust12)
		if clust12 > maxclust12 {
			clust12 = 0
		}

		clust16 = (fatdata1216*ss + numFATs*4) / (clusterSize*ss + numFATs*2)
		fatlen16 = alignObj(cdiv((clust16+2)*2, ss), clusterSize)
		clust16 = (fatdata1216 - numFATs*fatlen16) / clusterSize
		maxclust16 := min(fatlen16*ss/2, maxClust16)
		if clust16 > maxclust16 {
			clust16 = 0
		}
		if clust16 > 0 && clust16 < minClust16 {
			clust16 = 0
		}

		clust32 = (fatdata32*ss + numFATs*8) / (clusterSize*ss + numFATs*4)
		fatlen32 = alignObj(cdiv((clust32+2)*4, ss), clusterSize)
		clust32 = (fatdata32 - numFATs*fatlen32) / clusterSize
		maxclust32 := min(fatlen32*ss/4, maxClust32)
		if clust32 > maxclust32 {
			clust32 = 0
		}
		// With -F 32 mkfs.fat accepts fewer than minClust32 clusters.
		if clust32 > 0 && clust32 < minClust32 && fatBits != 32 {
			clust32 = 0
		}
		if (clust12 > 0 && (fatBits == 0 || fatBits == 12)) ||
			(clust16 > 0 && (fatBits == 0 || fatBits == 16)) ||
			(clust32 > 0 && fatBits == 32) {
			break
		}
	}
	if clusterSize > 128 {
		return g, fmt.Errorf("%d bytes: no cluster size gives a valid FAT%d: %w", size, fatBits, errTooSmall)
	}
	if fatBits == 0 {
		fatBits = 12
		if clust16 > clust12 {
			fatBits = 16
		}
	}
	var clusters, fatLength int64
	switch fatBits {
	case 12:
		clusters, fatLength = clust12, fatlen12
	case 16:
		clusters, fatLength = clust16, fatlen16
	case 32:
		clusters, fatLength = clust32, fatlen32
	}
	reserved = alignObj(reserved, clusterSize)
	if fatBits != 32 && align {
		rootEntries = alignObj(rootDirSectors, clusterSize) * (ss >> 5)
	}
	if clusters <= 0 {
		return g, fmt.Errorf("%d bytes: %w", size, errTooSmall)
	}
	g.totalSectors = uint32(numSectors)
	g.secPerCluster = int(clusterSize)
	g.reserved = uint32(reserved)
	g.fatBits = fatBits
	g.fatLength = uint32(fatLength)
	g.clusters = uint32(clusters)
	g.rootEntries = uint32(rootEntries)

	// "Too few blocks for viable filesystem" (counted in 1 KiB blocks).
	startData := int64(g.dataStart()) * ss
	if blocks < cdiv(startData, 1024)+32 {
		return g, fmt.Errorf("%d bytes: %w", size, errTooSmall)
	}
	return g, nil
}

// clusterBytes is the size of one cluster.
func (g *geometry) clusterBytes() int64 { return int64(g.secPerCluster) * int64(g.sectorSize) }

// rootDirSectors is the size of the fixed FAT12/16 root directory.
func (g *geometry) rootDirSectors() uint32 {
	return uint32(cdiv(int64(g.rootEntries)*dirEntrySize, int64(g.sectorSize)))
}

// dataStart is the first sector of cluster 2.
func (g *geometry) dataStart() uint32 {
	return g.reserved + numFATs*g.fatLength + g.rootDirSectors()
}

// clusterOffset is the byte offset of cluster c.
func (g *geometry) clusterOffset(c uint32) int64 {
	return int64(g.dataStart())*int64(g.sectorSize) + int64(c-2)*g.clusterBytes()
}
