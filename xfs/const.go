package xfs

import "github.com/gorepart/gorepart/internal/mkfs"

// The programs, both from xfsprogs.
func mkfsTool() mkfs.Tool { return mkfs.Tool{Name: "mkfs.xfs", Debian: "xfsprogs", Nix: "xfsprogs"} }
func dbTool() mkfs.Tool   { return mkfs.Tool{Name: "xfs_db", Debian: "xfsprogs", Nix: "xfsprogs"} }

// Releases of xfsprogs that changed how a protofile is read, as
// mkfs.Version.Release numbers (xfsprogs doc/CHANGES).
const (
	// releaseProtoCopy: 6.13 copies large and sparse files properly and
	// copies the source files' xattrs ("mkfs: support copying in large or
	// sparse files", "mkfs: support copying in xattrs"). Before, a file
	// is read whole into an int-sized buffer and written as one extent.
	releaseProtoCopy = 6_013
)

const (
	// minSize is the smallest filesystem mkfs.xfs 5.19 and later makes:
	// "Filesystem must be larger than 300MB" (300 MiB of data blocks).
	minSize = 300 << 20
	// maxLabel is the size of sb_fname.
	maxLabel = 12
	// maxSymlink is XFS_SYMLINK_MAXLEN.
	maxSymlink = 1024
	// maxOldFile: before 6.13 mkfs.xfs keeps a protofile's file size in
	// an int.
	maxOldFile = 1<<31 - 1
	// maxMajor and maxMinor: device numbers are stored as IRIX_MKDEV
	// (18 bits of minor) and Linux reads 9 bits of major.
	maxMajor = 0x1ff
	maxMinor = 0x3ffff
	// maxSFValue: a shortform xattr's value length is one byte.
	maxSFValue = 255
)

// Superblock fields (struct xfs_dsb, big-endian), byte offsets.
const (
	sbMagic         = 0
	sbBlocksize     = 4
	sbDblocks       = 8
	sbLogstart      = 48
	sbRootino       = 56
	sbRbmino        = 64
	sbRsumino       = 72
	sbAgblocks      = 84
	sbAgcount       = 88
	sbLogblocks     = 96
	sbVersionnum    = 100
	sbSectsize      = 102
	sbInodesize     = 104
	sbInopblock     = 106
	sbInopblog      = 123
	sbAgblklog      = 124
	sbFdblocks      = 144
	sbUquotino      = 160
	sbGquotino      = 168
	sbIncompat      = 216
	sbPquotino      = 232
	sbSize          = 512
	sbMagicValue    = 0x58465342 // "XFSB"
	agfMagicValue   = 0x58414746 // "XAGF"
	agiMagicValue   = 0x58414749 // "XAGI"
	incompatBigtime = 1 << 3
	nullIno         = ^uint64(0) // NULLFSINO
)

// Inode core fields (struct xfs_dinode), byte offsets.
const (
	diMagic      = 0
	diMode       = 2
	diVersion    = 4
	diFormat     = 5
	diUID        = 8
	diGID        = 12
	diNlink      = 16
	diBigNext    = 24
	diAtime      = 32
	diMtime      = 40
	diCtime      = 48
	diSize       = 56
	diNblocks    = 64
	diNextents   = 76
	diAnextents  = 80
	diForkoff    = 82
	diAformat    = 83
	diCRC        = 100
	diFlags2     = 120
	diCrtime     = 144
	diCoreV2     = 100    // size of a version 2 inode core
	diCoreV3     = 176    // size of a version 3 inode core
	diMagicValue = 0x494e // "IN"

	flags2Bigtime = 1 << 3
	flags2Nrext64 = 1 << 4
	// fmtLocal is XFS_DINODE_FMT_LOCAL: a fork held in the inode.
	fmtLocal   = 1
	fmtExtents = 2
	// bigtimeOffset: bigtime timestamps count nanoseconds from 1901-12-13
	// (-2^31 s).
	bigtimeOffset = 1 << 31
)

// Shortform xattr entry flags (XFS_ATTR_ROOT, XFS_ATTR_SECURE).
const (
	attrRoot   = 1 << 1
	attrSecure = 1 << 2
)
