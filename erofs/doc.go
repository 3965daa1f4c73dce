// Package erofs writes an EROFS image (the Linux read-only filesystem) from
// an fstree.Tree, natively and byte-reproducibly: no mkfs.erofs, no root.
//
// What it writes: block size 4096; a superblock at byte 1024 with the crc32c
// checksum feature, the given UUID, build time and optional volume name;
// compact 32-byte inodes where size, uid, gid, nlink fit and the mtime equals
// the build time, 64-byte extended inodes otherwise; flat-plain and
// flat-inline (tail-packed) data; directories with "." and ".." and entries in
// strcmp order split over blocks; symlinks, hardlinks (one inode, nlink),
// character and block devices, FIFOs and sockets; extended attributes inline
// with the short name-prefix indexes, and shared (stored once, referenced by
// id) when that saves space. With Params.Compression "lz4", "lz4hc" or "zstd"
// regular files larger than one block are compressed into fixed 4096-byte
// physical clusters (compact lcluster indexes with COMPACTED_2B as
// mkfs.erofs writes them, the 0padding feature); clusters
// that do not save a block are stored plain, and a file whose compressed form
// is not smaller is stored uncompressed, as mkfs.erofs does. lz4 images are
// read by Linux 6.1 and erofs-utils 1.5; zstd needs Linux 6.10 and
// erofs-utils 1.8.
//
// Image layout: block 0 holds the superblock, the zstd configuration and
// the shared xattrs (xattr_blkaddr 0; they spill into the next blocks if
// needed); then the data blocks of directories, symlinks and uncompressed
// files, in inode order; then the compressed data, written in inode order by
// one goroutine while workers compress 4 MiB segments in parallel (a
// segment's result depends only on its bytes, so the output does not depend
// on scheduling); then the metadata area (meta_blkaddr): inodes, xattrs,
// lcluster indexes and inline tails, each 32-byte aligned, packed first-fit
// into the last 64 partly used blocks so that no inline tail crosses a
// block. nids count 32-byte slots from meta_blkaddr; the root is nid 0.
// Inodes are numbered per directory (a directory's new entries, then its
// subdirectories, depth first). The output is a pure function of the tree
// and Params: identical trees give identical images (whether duplicates are
// hardlinks is the tree builder's decision).
//
// Memory: the tree is walked, not held (walk.go). Every pass (numbering,
// data layout, compression, metadata layout, writing) lists the
// directories again with List, so a spilled tree
// (fstree.BuildOptions.SpillDir) is never decoded whole. What stays per inode is its nid (4
// bytes), and per directory the number of its first entry's inode (4
// bytes); besides, the hardlink groups (by LinkKey), the distinct xattrs,
// and per compressed file its index and a 16-byte decision. The metadata
// area is written in inode order through its 64 open blocks, the writer
// holding only those and the batches of inodes in flight (TestMemoryFlat).
//
// Compatibility details: a file's compressed form is kept only if its blocks
// plus indexes are smaller than the file, as in mkfs.erofs. 12 bytes past
// the last inode stay inside the image because fsck.erofs 1.5 reads an xattr
// header after every inode. An xattr (name and value) is shared when that is
// smaller: used by c inodes with an entry of E bytes, when c·E > E + 4·c.
//
// Tests: fsck.erofs --extract (erofs-utils 1.5) on 200 generated trees
// uncompressed, lz4 and lz4hc; dump.erofs for hardlinks (nid, link count);
// go-erofs for modes, xattrs and nlink of uncompressed images; an own small
// reader in the tests for every algorithm including zstd (and, when
// $EROFS_FSCK or PATH has erofs-utils >= 1.8, its fsck.erofs on zstd
// images; CI with Debian 12's 1.5 runs the reader only); byte-identical
// output across worker counts and source creation orders; -erofs.big runs
// 150k files and a 50k-entry directory; TestKernelCheck runs
// internal/vmcheck (Linux 6.1 mounts an uncompressed, an lz4 and an lz4hc
// image). BenchmarkVsMkfs compares with mkfs.erofs.
//
// What it refuses: directories that are hardlinked, names longer than 255
// bytes or containing '/' or NUL, xattr names over 255 bytes after the prefix
// or values over 64 KiB, a source file shorter than its Size, an image larger
// than Params.MaxSize, a metadata area (inodes, xattrs, indexes, inline tails)
// over 128 GiB: nids are kept in 32 bits. xattrs whose name has no EROFS prefix index (for
// example "system.foo") are skipped with a warning, as mkfs.erofs skips them.
package erofs
