package verity

import (
	"math"
	"math/bits"
)

// Params are the inputs of a verity format that repart derives per hash
// partition (repart.md §4.3, §5).
type Params struct {
	DataBlockSize, HashBlockSize int      // 512..4096, powers of two
	Salt                         []byte   // repart: HMAC-SHA256(seed, "verity-salt"), 32 bytes
	UUID                         [16]byte // superblock UUID in textual byte order
}

// geometry is the shape of a hash tree: how many blocks each level has and
// where it lives in the hash area.
type geometry struct {
	dataBlocks int64
	perBlock   int64   // digests per hash block
	levelSize  []int64 // hash blocks per level; index 0 hashes the data blocks
	levelBlock []int64 // first hash block of each level, counted from the superblock
	totalBytes int64   // superblock block + all levels
}

// newGeometry lays out the tree the way cryptsetup's hash_levels() does:
// the number of levels is the smallest L with (n-1) >> (L·log2(perBlock)) == 0,
// level i has ceil(n / perBlock^(i+1)) blocks, and the levels follow the
// superblock block top level first.
func newGeometry(dataSize int64, p Params) geometry {
	g := geometry{
		dataBlocks: dataSize / int64(p.DataBlockSize),
		perBlock:   int64(p.HashBlockSize / digestSize),
	}
	shift := uint(bits.TrailingZeros64(uint64(g.perBlock)))
	for l := uint(0); shift*l < 64 && uint64(g.dataBlocks-1)>>(shift*l) != 0; l++ {
		g.levelSize = append(g.levelSize, 0)
	}
	n := g.dataBlocks
	for i := range g.levelSize {
		n = (n + g.perBlock - 1) / g.perBlock
		g.levelSize[i] = n
	}
	g.levelBlock = make([]int64, len(g.levelSize))
	pos := int64(1) // the superblock takes the first hash block (512 bytes ≤ block size)
	for i := len(g.levelSize) - 1; i >= 0; i-- {
		g.levelBlock[i] = pos
		pos += g.levelSize[i]
	}
	g.totalBytes = pos * int64(p.HashBlockSize)
	return g
}

// HashSize is the exact number of bytes Build writes for dataSize bytes of
// data: the superblock block and all levels. It is what Minimize=best gives
// the hash partition. It returns 0 for parameters Build refuses (bad block
// sizes or salt, or less than one data block).
func HashSize(dataSize int64, p Params) int64 {
	if p.check() != nil || dataSize < int64(p.DataBlockSize) {
		return 0
	}
	return newGeometry(dataSize, p).totalBytes
}

// RepartMinHashSize is repart's calculate_verity_hash_size(): the SizeMinBytes
// it gives a hash partition from the data partition's SizeMaxBytes when the
// hash partition is not minimized (repart.md §3.7): two blocks (superblock
// and top level) plus every lower level, with the data size rounded up to
// whole blocks. It equals HashSize for data that is a whole number of at
// least two blocks and is never smaller. It returns math.MaxUint64 where
// repart fails with EOVERFLOW, and 0 for block sizes it cannot use.
func RepartMinHashSize(dataMax uint64, dataBlockSize, hashBlockSize int) uint64 {
	if dataBlockSize <= 0 || hashBlockSize < digestSize {
		return 0
	}
	dbs, hbs := uint64(dataBlockSize), uint64(hashBlockSize)
	dataBlocks := dataMax/dbs + min(dataMax%dbs, 1)
	if dataBlocks > math.MaxUint64/dbs {
		return math.MaxUint64
	}
	perBlock := hbs / digestSize
	hashBlocks := uint64(2)
	for remaining := dataBlocks; remaining > perBlock; {
		level := remaining/perBlock + min(remaining%perBlock, 1)
		if hashBlocks > math.MaxUint64-level {
			return math.MaxUint64
		}
		hashBlocks += level
		remaining = level
	}
	if hashBlocks > math.MaxUint64/hbs {
		return math.MaxUint64
	}
	return hashBlocks * hbs
}
