package ext4

import (
	"encoding/binary"
	"hash/crc32"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crc32c is e2fsprogs' ext2fs_crc32c_le: CRC32C without the final
// inversion, continuing from seed.
func crc32c(seed uint32, p []byte) uint32 {
	return ^crc32.Update(^seed, castagnoli, p)
}

func crc32cU32(seed, v uint32) uint32 {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	return crc32c(seed, b[:])
}

// inodeSeed is the per-inode checksum seed used by inodes, extent blocks
// and directory blocks (metadata_csum).
func inodeSeed(fsSeed, ino, gen uint32) uint32 {
	return crc32cU32(crc32cU32(fsSeed, ino), gen)
}
