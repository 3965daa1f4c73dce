package erofs

// On-disk constants of EROFS, from the kernel's fs/erofs/erofs_fs.h and
// erofs-utils include/erofs_fs.h (the v1.5 layout, which Linux 6.1 reads).

const (
	blockBits = 12
	blockSize = 1 << blockBits

	superOffset = 1024
	superSize   = 128
	superMagic  = 0xE0F5E1E2

	featureCompatSBChecksum = 0x1
	featureCompatMtime      = 0x2

	featureIncompatZeroPadding = 0x1 // LZ4_0PADDING: compressed data ends at its block's end
	featureIncompatComprCfgs   = 0x2 // per-algorithm configuration after the superblock

	inodeSizeCompact  = 32
	inodeSizeExtended = 64
	inodeSlot         = 32 // nid = offset / inodeSlot

	layoutFlatPlain         = 0
	layoutCompressedFull    = 1
	layoutFlatInline        = 2
	layoutCompressedCompact = 3

	nullAddr = 0xFFFFFFFF

	direntSize = 12
	maxNameLen = 255

	xattrHeaderSize = 12
	xattrEntrySize  = 4
	maxSharedXattrs = 255 // h_shared_count is one byte

	// Compressed files: lcluster indexes, one per 4 KiB of file (built in
	// the full 8-byte form, stored compact).
	mapHeaderSize       = 8
	legacyHeaderPadding = 8
	indexSize           = 8
	clusterTypePlain    = 0
	clusterTypeHead     = 1
	clusterTypeNonHead  = 2
	d0CblkCnt           = 1 << 11
	zAdviseCompacted2B  = 0x1
	algLZ4              = 0
	algZstd             = 3
	lz4MaxDistance      = 65535
	zstdCfgsSize        = 6
	zstdWindowLog       = 10 // stored minus 10: a 1 MiB window, the kernel's maximum
	maxExtentInput      = 1 << 20
	segmentSize         = 4 << 20 // files are compressed in independent 4 MiB segments
)

// Directory entry file types (EROFS_FT_*).
const (
	ftUnknown = iota
	ftRegFile
	ftDir
	ftChrdev
	ftBlkdev
	ftFifo
	ftSock
	ftSymlink
)

// POSIX file type bits of i_mode.
const (
	sIFSOCK = 0140000
	sIFLNK  = 0120000
	sIFREG  = 0100000
	sIFBLK  = 0060000
	sIFDIR  = 0040000
	sIFCHR  = 0020000
	sIFIFO  = 0010000
)

// xattrPrefixes are the short name-prefix indexes (EROFS_XATTR_INDEX_*).
// The two POSIX ACL names are whole names with an empty suffix.
var xattrPrefixes = []struct {
	index  uint8
	prefix string
}{
	{1, "user."},
	{2, "system.posix_acl_access"},
	{3, "system.posix_acl_default"},
	{4, "trusted."},
	{5, "lustre."},
	{6, "security."},
}
