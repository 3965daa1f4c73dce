package verity

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// On-disk constants of the dm-verity superblock (cryptsetup lib/verity/verity.c,
// struct verity_sb; repart.md §5).
const (
	superblockSize  = 512
	formatVersion   = 1 // hash_type 1: salt first, then the block
	hashType        = 1
	digestSize      = 32 // sha256
	maxSaltSize     = 256
	minBlockSize    = 512
	maxBlockSize    = 4096
	algorithmName   = "sha256"
	signatureString = "verity\x00\x00"

	// Field offsets inside the superblock.
	offSignature     = 0  // [8]byte
	offVersion       = 8  // u32
	offHashType      = 12 // u32
	offUUID          = 16 // [16]byte
	offAlgorithm     = 32 // [32]byte, NUL padded
	offDataBlockSize = 64 // u32
	offHashBlockSize = 68 // u32
	offDataBlocks    = 72 // u64
	offSaltSize      = 80 // u16, then 6 bytes padding
	offSalt          = 88 // [256]byte, then 168 bytes padding
)

// superblock encodes the 512-byte verity superblock (little-endian).
func superblock(p Params, dataBlocks uint64) [superblockSize]byte {
	var b [superblockSize]byte
	copy(b[offSignature:], signatureString)
	binary.LittleEndian.PutUint32(b[offVersion:], formatVersion)
	binary.LittleEndian.PutUint32(b[offHashType:], hashType)
	copy(b[offUUID:offUUID+16], p.UUID[:])
	copy(b[offAlgorithm:offAlgorithm+32], algorithmName)
	binary.LittleEndian.PutUint32(b[offDataBlockSize:], uint32(p.DataBlockSize))
	binary.LittleEndian.PutUint32(b[offHashBlockSize:], uint32(p.HashBlockSize))
	binary.LittleEndian.PutUint64(b[offDataBlocks:], dataBlocks)
	binary.LittleEndian.PutUint16(b[offSaltSize:], uint16(len(p.Salt)))
	copy(b[offSalt:offSalt+maxSaltSize], p.Salt)
	return b
}

// check validates the parameters the way cryptsetup does for a format call.
func (p Params) check() error {
	for _, s := range []struct {
		name string
		v    int
	}{{"data block size", p.DataBlockSize}, {"hash block size", p.HashBlockSize}} {
		if s.v < minBlockSize || s.v > maxBlockSize || s.v&(s.v-1) != 0 {
			return fmt.Errorf("verity %s %d: want a power of two in %d..%d", s.name, s.v, minBlockSize, maxBlockSize)
		}
	}
	if len(p.Salt) > maxSaltSize {
		return fmt.Errorf("verity salt of %d bytes: at most %d allowed", len(p.Salt), maxSaltSize)
	}
	return nil
}

// ParseSuperblock reads a verity superblock (the first 512 bytes of a hash
// area written by Build or veritysetup) and returns its parameters and the
// number of data blocks it covers. It accepts only what Build writes:
// version 1, hash type 1, sha256.
func ParseSuperblock(b []byte) (Params, int64, error) {
	if len(b) < superblockSize {
		return Params{}, 0, fmt.Errorf("reading verity superblock: %d bytes, need %d", len(b), superblockSize)
	}
	if string(b[offSignature:offSignature+8]) != signatureString {
		return Params{}, 0, errors.New("reading verity superblock: no verity signature")
	}
	if v := binary.LittleEndian.Uint32(b[offVersion:]); v != formatVersion {
		return Params{}, 0, fmt.Errorf("reading verity superblock: version %d", v)
	}
	if ht := binary.LittleEndian.Uint32(b[offHashType:]); ht != hashType {
		return Params{}, 0, fmt.Errorf("reading verity superblock: hash type %d", ht)
	}
	if alg := string(bytes.TrimRight(b[offAlgorithm:offAlgorithm+32], "\x00")); alg != algorithmName {
		return Params{}, 0, fmt.Errorf("reading verity superblock: hash algorithm %q", alg)
	}
	p := Params{
		DataBlockSize: int(binary.LittleEndian.Uint32(b[offDataBlockSize:])),
		HashBlockSize: int(binary.LittleEndian.Uint32(b[offHashBlockSize:])),
	}
	copy(p.UUID[:], b[offUUID:offUUID+16])
	saltSize := int(binary.LittleEndian.Uint16(b[offSaltSize:]))
	if saltSize > maxSaltSize {
		return Params{}, 0, fmt.Errorf("reading verity superblock: salt size %d", saltSize)
	}
	p.Salt = bytes.Clone(b[offSalt : offSalt+saltSize])
	if err := p.check(); err != nil {
		return Params{}, 0, fmt.Errorf("reading verity superblock: %w", err)
	}
	blocks := binary.LittleEndian.Uint64(b[offDataBlocks:])
	if blocks == 0 || blocks > 1<<62 {
		return Params{}, 0, fmt.Errorf("reading verity superblock: %d data blocks", blocks)
	}
	return p, int64(blocks), nil
}
