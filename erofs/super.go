package erofs

import (
	"encoding/binary"
	"hash/crc32"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// superInfo is what the superblock records besides Params.
type superInfo struct {
	rootNid    uint16
	inos       uint64
	blocks     uint32
	metaBlk    uint32
	compressed bool
}

// encodeHead returns blocks [0, dataStart): the superblock at 1024, the
// zstd configuration after it, then the shared xattrs, with the superblock
// checksum (crc32c of bytes 1024..4096, seed ~0, no final inversion, the
// checksum field zero) set last.
func (pl *plan) encodeHead(si superInfo) []byte {
	b := make([]byte, int(pl.dataStart)*blockSize)
	sb := b[superOffset : superOffset+superSize]
	le := binary.LittleEndian
	le.PutUint32(sb[0:], superMagic)
	le.PutUint32(sb[8:], featureCompatSBChecksum|featureCompatMtime)
	sb[12] = blockBits
	le.PutUint16(sb[14:], si.rootNid)
	le.PutUint64(sb[16:], si.inos)
	le.PutUint64(sb[24:], uint64(pl.p.BuildTime.Unix()))
	le.PutUint32(sb[32:], uint32(pl.p.BuildTime.Nanosecond()))
	le.PutUint32(sb[36:], si.blocks)
	le.PutUint32(sb[40:], si.metaBlk)
	le.PutUint32(sb[44:], 0) // xattr_blkaddr: shared ids count from byte 0
	copy(sb[48:64], pl.p.UUID[:])
	copy(sb[64:80], pl.p.Label)
	var incompat uint32
	switch {
	case pl.p.Compression == "zstd":
		incompat = featureIncompatZeroPadding | featureIncompatComprCfgs
		le.PutUint16(sb[84:], 1<<algZstd)
		cfg := b[superOffset+superSize:]
		le.PutUint16(cfg[0:], zstdCfgsSize)
		cfg[2] = 0 // format
		cfg[3] = zstdWindowLog
	case pl.p.Compression != "":
		incompat = featureIncompatZeroPadding
		le.PutUint16(sb[84:], lz4MaxDistance)
	}
	le.PutUint32(sb[80:], incompat)
	for _, s := range pl.shared {
		copy(b[int64(s.id)*4:], s.entry)
	}
	crc := ^crc32.Checksum(b[superOffset:blockSize], castagnoli)
	le.PutUint32(sb[4:], crc)
	return b
}
