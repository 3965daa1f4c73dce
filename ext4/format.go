package ext4

// On-disk constants of ext4 with 4 KiB blocks. References: the kernel's
// Documentation/filesystems/ext4/ (super.rst, group_descr.rst, inodes.rst,
// ifork.rst, directory.rst, attributes.rst, journal.rst) and e2fsprogs
// lib/ext2fs/ext2_fs.h, lib/ext2fs/kernel-jbd.h.
const (
	blockSize     = 4096
	blockShift    = 12
	blocksPerGrp  = 32768 // one block bitmap's worth of bits
	inodeSize     = 256
	inodeRatio    = 16384 // mke2fs.conf [defaults] inode_ratio, used by -T default
	descSize      = 64    // 64bit feature: struct ext4_group_desc
	descsPerBlock = blockSize / descSize
	addrPerBlock  = blockSize / 4
	logFlex       = 4 // 16 groups per flex group, as mke2fs
	flexSize      = 1 << logFlex
	firstIno      = 11
	extraIsize    = 32 // i_extra_isize of every inode we write

	rootIno    = 2
	resizeIno  = 7
	journalIno = 8
	lpfIno     = 11

	superMagic = 0xEF53

	// Feature flags (super.rst).
	compatHasJournal  = 0x4
	compatExtAttr     = 0x8
	compatResizeInode = 0x10
	compatDirIndex    = 0x20

	incompatFiletype = 0x2
	incompatExtents  = 0x40
	incompat64bit    = 0x80
	incompatFlexBG   = 0x200

	roCompatSparseSuper  = 0x1
	roCompatLargeFile    = 0x2
	roCompatHugeFile     = 0x8
	roCompatDirNlink     = 0x20
	roCompatExtraIsize   = 0x40
	roCompatMetadataCsum = 0x400

	flagsSignedHash = 0x1 // s_flags: mke2fs on x86 (signed char) sets this
	defmXattrUser   = 0x4 // s_default_mount_opts from mke2fs.conf acl,user_xattr
	defmACL         = 0x8
	hashHalfMD4     = 1
	csumTypeCrc32c  = 1
	jnlBackupBlocks = 1 // s_jnl_backup_type EXT3_JNL_BACKUP_BLOCKS

	// Block group flags.
	bgInodeUninit = 0x1
	bgBlockUninit = 0x2

	// Inode mode types and flags.
	sIFSOCK = 0xC000
	sIFLNK  = 0xA000
	sIFREG  = 0x8000
	sIFBLK  = 0x6000
	sIFDIR  = 0x4000
	sIFCHR  = 0x2000
	sIFIFO  = 0x1000

	inodeFlagIndex   = 0x1000
	inodeFlagExtents = 0x80000

	maxFileSize = 1<<44 - blockSize // 2^32 logical blocks
	maxBlocks   = 1 << 32           // resize_inode addresses 32-bit blocks

	linkMax = 65000 // EXT4_LINK_MAX; above it dir_nlink stores 1

	// Directory entry file types (directory.rst).
	ftReg  = 1
	ftDir  = 2
	ftChr  = 3
	ftBlk  = 4
	ftFifo = 5
	ftSock = 6
	ftLnk  = 7

	dirTailSize  = 12 // struct ext4_dir_entry_tail
	dirTailType  = 0xDE
	maxNameLen   = 255
	dxRootLimit  = (blockSize - 32 - 8) / 8 // dx_root entries minus the dx_tail slot
	dxNodeLimit  = (blockSize - 8 - 8) / 8
	fastSymlink  = 60 // bytes of i_block; shorter targets live in the inode
	maxSymlink   = blockSize - 1
	extentMagic  = 0xF30A
	extentMaxLen = 32768 // longest initialized extent
	extentsInode = 4     // extent entries in i_block after the header
	extentsBlock = (blockSize - 12) / 12

	xattrMagic      = 0xEA020000
	inodeXattrSpace = inodeSize - 128 - extraIsize // bytes after i_extra_isize

	jbd2Magic        = 0xC03B3998
	jbd2SuperblockV2 = 4
)
