// Package ext4 writes an ext4 filesystem image from an fstree.Tree in one
// pass, without mke2fs, root or fakeroot, byte-reproducibly.
//
// What it writes is what systemd-repart gets from
//
//	mkfs.ext4 -L LABEL -U UUID -I 256 -m 0 -E lazy_itable_init=1,hash_seed=UUID -b 4096 -T default -d ROOT
//
// of e2fsprogs 1.47 (Debian's mke2fs.conf): 4 KiB blocks, 256-byte inodes
// with i_extra_isize 32, one inode per 16 KiB (the size grows when a tree
// needs more inodes), no reserved blocks, and the features has_journal,
// ext_attr, resize_inode, dir_index, filetype, extent, 64bit, flex_bg (16
// groups), sparse_super, large_file, huge_file, dir_nlink, extra_isize and
// metadata_csum (crc32c over superblock, descriptors, bitmaps, inodes,
// extent blocks, directory blocks, htree nodes and xattr blocks). Group
// geometry, the reserved GDT blocks of the resize inode (growth to 1024
// times the size), the journal size (ext2fs_default_journal_size), the
// dropped too-small last group and the BLOCK_UNINIT/INODE_UNINIT flags with
// bg_itable_unused follow lib/ext2fs/initialize.c and mke2fs. Block
// placement is our own: every flex group's bitmaps and inode tables sit
// contiguously in its first group, then the journal, then each inode's xattr
// block, data and extent tree blocks in inode order.
//
// Content: regular files with extents (index blocks when a file has more
// than four), holes kept (SEEK_DATA/SEEK_HOLE on sources, all-zero blocks of
// in-memory data), hardlinks as one inode, fast (< 60 bytes) and slow
// symlinks, devices, FIFOs and sockets, xattrs in the inode when they fit and
// otherwise in one xattr block (POSIX ACLs converted to ext4's format),
// linear directories when they fit one block and htree (half_md4 with the
// hash seed, signed chars as mke2fs on x86 records) when not, lost+found as
// inode 11 with 16 KiB, then inodes numbered in sorted depth-first order.
// Timestamps: each inode's Mtime is its atime, ctime, mtime and crtime;
// Params.Time is the superblock's mkfs/write/check time and the time of
// lost+found, the journal and the resize inode.
//
// The tree is walked, never held (walk.go): a planning pass checks every
// inode and records what it allocates in a few bytes (demand.go), sizing
// replays that record for any size, and the write pass walks the tree
// again, allocating as it goes, encoding each inode into its group's
// inode table (one group buffered at a time) and writing directories once
// their entries have numbers. File data is streamed from the sources to
// its final place: a few workers each take a job of consecutive blocks,
// gather them into writes of up to 1 MiB, and copy files of 1 MiB or more
// with copy_file_range when the destination is a file (an *os.File, or a
// WriterAt implementing FileAt). Memory is the directories being walked,
// about 3 bytes of allocation record per inode, the inodes that have more
// than one name, and the writers' buffers (8 MiB plus one inode table of
// at most 2 MiB): with a spilled tree (fstree.BuildOptions.SpillDir) it
// does not grow with the tree.
// MinSize replays the allocation (without writing) to find the smallest size
// that holds a tree; with inode_ratio 16384 that is often the inode count,
// not the data, for trees of many small files.
//
// Refused or left out: xattr sets larger than one block (ea_inode), more
// directory entries than an htree of depth 2 indexes (largedir), names
// longer than 255 bytes, symlink targets longer than 4095 bytes, files of
// 16 TiB or more, more than 65000 names for one file, device numbers beyond
// 12-bit major/20-bit minor, and filesystems larger than 16 TiB (2^32
// blocks, the limit of resize_inode).
// orphan_file (new in e2fsprogs 1.47.0 but not in Debian's default
// mke2fs.conf) and metadata_csum_seed are not enabled; inline_data, bigalloc,
// encryption, casefold and verity are not supported. The journal is empty
// (mke2fs zeroes it; we rely on the image being zero where we do not write).
// Timestamps outside 1901..2446 are clamped.
//
// go-diskfs (v1.9) has an ext4 package; we do not use it to write because
// it creates uninit_bg instead of metadata_csum filesystems, has no htree
// writer for large directories, no streaming of file data and no exact
// minimum size, so it can meet neither the e2fsck-clean feature set above
// nor the speed and determinism goals. The tests use e2fsck and debugfs as
// independent checkers and readers.
//
// Opt-in test suites (build tags): ext4_big (150k files, a 50k-entry
// directory, a 5 GiB sparse file, a 2 TiB filesystem; minutes of debugfs),
// ext4_kernel (a generated tree through internal/vmcheck),
// ext4_mount (root: read-write loop mounts modified by the host kernel).
// BenchmarkWriteVsMkfs compares with mkfs.ext4 -d on internal/storegen trees
// (GOREPART_BENCH_SCALE=small|large).
package ext4
