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
// physical clusters (full lcluster indexes, the 0padding feature); clusters
// that do not save a block are stored plain, and a file whose compressed form
// is not smaller is stored uncompressed, as mkfs.erofs does. lz4 images are
// read by Linux 6.1 and erofs-utils 1.5; zstd needs Linux 6.10 and
// erofs-utils 1.8.
//
// Image layout: block 0 holds the superblock, the zstd configuration and
// shared xattrs (spilling into the next blocks if needed); then the data
// blocks of directories and uncompressed files, then compressed data; then the
// metadata area (inodes, xattrs, indexes, inline tails). nids are offsets in
// the metadata area in 32-byte units; the root is nid 0. Inodes are numbered
// breadth-first per directory (a directory's entries, then its
// subdirectories), so the output is a pure function of the tree and Params.
//
// What it refuses: directories that are hardlinked, names longer than 255
// bytes or containing '/' or NUL, xattr names over 255 bytes after the prefix
// or values over 64 KiB, a source file shorter than its Size, an image larger
// than Params.MaxSize. xattrs whose name has no EROFS prefix index (for
// example "system.foo") are skipped with a warning, as mkfs.erofs skips them.
package erofs
