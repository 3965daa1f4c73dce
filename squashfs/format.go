package squashfs

import "encoding/binary"

// On-disk constants of squashfs 4.0, as squashfs-tools 4.5
// (squashfs-tools/squashfs_fs.h) and Linux (fs/squashfs/squashfs_fs.h)
// define them. Everything is little-endian.
const (
	magic        = 0x73717368
	versionMajor = 4
	versionMinor = 0

	superblockSize = 96

	// metaSize is the uncompressed size of a metadata block (inodes,
	// directories, tables); each is stored behind a 2-byte header.
	metaSize = 8192
	// metaUncompressed marks a metadata block stored as is.
	metaUncompressed = 1 << 15
	// dataUncompressed marks a data or fragment block stored as is.
	dataUncompressed = 1 << 24

	// DefaultBlockSize is mksquashfs's data block size (-b).
	DefaultBlockSize = 128 << 10
	minBlockSize     = 4 << 10
	maxBlockSize     = 1 << 20

	// maxNameLen is SQUASHFS_NAME_LEN: a directory entry stores the
	// length minus one in 8 bits.
	maxNameLen = 256
	// maxSymlink is SQUASHFS_SYMLINK_MAX.
	maxSymlink = 65535
	// maxIDs is the size of the uid/gid table: inodes index it with 16
	// bits.
	maxIDs = 65536
	// dirHeaderMax is SQUASHFS_DIR_COUNT, the entries one directory
	// header may cover.
	dirHeaderMax = 256

	// alignment is what mksquashfs pads the image to (unless -nopad).
	alignment = 4096

	noFragment = 0xffffffff
	noXattr    = 0xffffffff
	// noTable is the start of a table the image does not have
	// (SQUASHFS_INVALID_BLK).
	noTable = 0xffffffffffffffff
)

// Superblock flags (SQUASHFS_MKFLAGS).
const (
	flagNoFragments    = 1 << 4
	flagAlwaysFragment = 1 << 5
	flagDuplicates     = 1 << 6
	flagExportable     = 1 << 7
	flagCompOptions    = 1 << 10
)

// Compressor ids.
const (
	compGzip = 1
	compLZO  = 3
	compXZ   = 4
	compLZ4  = 5
	compZstd = 6
)

// Inode types; the extended ("long") forms are the basic ones plus 7.
const (
	typeDir      = 1
	typeFile     = 2
	typeSymlink  = 3
	typeBlockDev = 4
	typeCharDev  = 5
	typeFIFO     = 6
	typeSocket   = 7
	typeExtended = 7
)

// Xattr name prefixes (SQUASHFS_XATTR_*); an out-of-line value sets
// xattrOutOfLine in the entry type.
const (
	xattrUser      = 0
	xattrTrusted   = 1
	xattrSecurity  = 2
	xattrOutOfLine = 0x100
)

// Sizes of the fixed parts of the records.
const (
	inodeBaseSize   = 16
	dirHeaderSize   = 12
	dirEntrySize    = 8
	dirIndexSize    = 12
	fragEntrySize   = 16
	xattrIDSize     = 16
	xattrTableHdr   = 16
	xattrEntrySize  = 4
	xattrValSize    = 4
	xattrOOLValSize = 8
)

// superblock is struct squashfs_super_block.
type superblock struct {
	inodes      uint32
	mkfsTime    uint32
	blockSize   uint32
	fragments   uint32
	compression uint16
	blockLog    uint16
	flags       uint16
	ids         uint16
	rootInode   uint64
	bytesUsed   uint64
	idTable     uint64
	xattrTable  uint64
	inodeTable  uint64
	dirTable    uint64
	fragTable   uint64
	lookupTable uint64
}

func (s *superblock) encode() []byte {
	b := make([]byte, 0, superblockSize)
	le := binary.LittleEndian
	b = le.AppendUint32(b, magic)
	b = le.AppendUint32(b, s.inodes)
	b = le.AppendUint32(b, s.mkfsTime)
	b = le.AppendUint32(b, s.blockSize)
	b = le.AppendUint32(b, s.fragments)
	b = le.AppendUint16(b, s.compression)
	b = le.AppendUint16(b, s.blockLog)
	b = le.AppendUint16(b, s.flags)
	b = le.AppendUint16(b, s.ids)
	b = le.AppendUint16(b, versionMajor)
	b = le.AppendUint16(b, versionMinor)
	for _, v := range []uint64{s.rootInode, s.bytesUsed, s.idTable, s.xattrTable, s.inodeTable, s.dirTable, s.fragTable, s.lookupTable} {
		b = le.AppendUint64(b, v)
	}
	return b
}

// inodeRef is a reference to an inode: the start of its metadata block
// relative to the inode table, shifted by 16, plus its offset in the
// uncompressed block.
type inodeRef uint64

func makeRef(block int64, offset int) inodeRef {
	return inodeRef(uint64(block)<<16 | uint64(offset))
}

func (r inodeRef) block() uint32  { return uint32(r >> 16) }
func (r inodeRef) offset() uint16 { return uint16(r & 0xffff) }

// encodeDev packs a device number as the kernel's old_encode_dev does
// for squashfs (12-bit major, 20-bit minor).
func encodeDev(major, minor uint32) uint32 {
	return major<<8 | minor&0xff | (minor&^0xff)<<12
}
