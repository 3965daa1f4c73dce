// Package squashfs writes a squashfs 4.0 image from an fstree.Tree,
// natively and byte-reproducibly, as systemd-repart 262 gets it from
//
//	mksquashfs ROOT NODE -noappend [-comp ALG [-Xcompression-level L]]
//
// of squashfs-tools 4.5/4.6 (src/shared/mkfs-util.c at v262; SOURCE_DATE_EPOCH
// is passed on and becomes the creation time).
//
// What it writes, in mksquashfs's defaults and layout: 128 KiB blocks
// (Params.BlockSize), gzip level 9 unless Params.Compression and
// Params.CompressionLevel say otherwise; the superblock (creation time =
// Params.Time; flags "duplicates removed" and "exportable"), the compressor
// options block when the settings are not the defaults (lz4 always has
// one), the data, the inode table, the directory table, the fragment
// table, the export (NFS lookup) table, the uid/gid table and the xattr
// tables, then zeros to a multiple of 4 KiB, as mksquashfs pads its output
// file. Files smaller than a block go into fragment blocks, packed in
// order, a block closed when the next tail does not fit (with
// Params.TailEnds, mksquashfs's -tailends, the tails of larger files too;
// mksquashfs's default is off). All-zero blocks are holes. A file whose
// contents equal an earlier file's (same SHA-256) shares its blocks and
// fragment. Data and metadata blocks whose compressed form is not smaller
// are stored as they are. Inodes are numbered depth first with names in
// byte order, the root last, and written as dir_scan7 writes them (a
// directory after its entries); basic inodes unless the inode needs the
// extended form: xattrs, more than one name, holes, 4 GiB, or for
// directories 257 entries or 8 KiB of names (then with the directory
// index mksquashfs's add_dir builds: a header every 8 KiB of listing,
// named in the inode, so that a lookup reads one block). Directories
// list ".." by the parent's inode number; the root's is the inode count
// plus one, as in mksquashfs. Hardlinks (entries sharing an inode or a
// LinkKey) are one inode with its link count; the tree builder breaks them
// by default, and then duplicate detection gives the same image whether
// the sources were hardlinked or not. Xattrs of the user., trusted. and
// security. namespaces are stored as xattr.c stores them (identical lists
// once, values over 128 bytes out of line, repeated values of 8 bytes or
// more referred to); others are skipped with a warning, as mksquashfs
// does. Each inode has its own mtime (the tree's, already clamped to
// SOURCE_DATE_EPOCH); uids and gids go into the id table in first-use
// order. Devices, FIFOs, sockets and symlinks are stored as such.
//
// Where it differs from mksquashfs: the compressed bytes (klauspost/compress
// zlib and zstd, ulikunitz/xz, pierrec/lz4 instead of the C libraries), so
// images are not byte-identical to mksquashfs's; zstd levels map to
// klauspost's four encoder levels (zstd.EncoderLevelFromZstd: 10-22 are its
// best level, 35 MiB per encoder, one per worker and one for metadata); the
// extended inode's "sparse" count follows the image (bytes in holes) rather
// than the source's st_blocks, so that it does not depend on the host.
// Every compressor used is deterministic: a block's compressed form depends
// on its bytes and the settings only.
//
// What it refuses: compression lzo (no maintained pure-Go LZO compressor:
// none is served by the module proxy) and lzma (Linux cannot read it); a
// compression level for xz or lz4 (mksquashfs 4.5 has no
// -Xcompression-level for them; lz4's -Xhc is not offered) and levels
// outside gzip 1-9 and zstd 1-22; names longer than 256 bytes or holding
// '/' or NUL; symlink targets over 65535 bytes; device numbers beyond 12
// bits major and 20 bits minor (mksquashfs truncates them); more than 65536
// distinct uids and gids; hardlinked directories; inode or directory tables
// over 4 GiB (squashfs references them with 32 bits); a creation time outside
// 1970-2106 (inode mtimes are clamped to that range); a source shorter than
// its size or changed while read; a Write size smaller than MinSize
// (ErrTooSmall).
//
// How it builds: exact sizing needs every block compressed, so the image
// is built once, by the first MinSize or Write, into an anonymous file
// under Params.TempDir (as repart itself has mksquashfs write a temporary
// file), and Write copies it (copy_file_range when the destination is a
// file). Compressing again in Write instead would double the work: on the
// 20,000-file, 300 MB benchmark tree building took 85 CPU-s with gzip and
// copying the 36 MiB image 0.007 s. The build runs three stages at once: a
// reader walks the files in inode order, finds duplicates before sending
// anything and packs fragments; workers (Params.Workers, default 2)
// compress blocks; a writer stores them in sequence order, so the output
// does not depend on scheduling. Meanwhile the metadata walk writes the
// inode, directory and xattr tables into temporary files of their own,
// appended when the data is done. Memory: no file data is held beyond the
// blocks in flight; per distinct regular file its SHA-256 key and location
// (about 150 bytes measured, TestMemoryFlat), per inode 8 bytes of export
// table, plus the hardlink groups and distinct xattr lists.
//
// Why not go-diskfs (v1.9.4, filesystem/squashfs), measured on the same
// 20,000-file tree (populated through its workspace directory, gzip level
// 9): two runs differ (Finalize stamps time.Now() as creation time, with
// no option); Finalize resolves paths against the working directory, so
// symlinks, devices and xattrs fail unless the process chdirs into the
// workspace; with xattrs it panics (slice bounds out of range in
// writeXattrs); the image is 197 MB against mksquashfs's 35.5 MB
// (duplicates kept) and unsquashfs cannot list it ("failed to read
// directory"); it needs the whole tree copied into a staging directory and
// has no API for symlinks, devices or hardlinks.
//
// Against mksquashfs 4.5 (BenchmarkVsMksquashfs, CPU time of both, on a
// shared 2-core machine): on that generated tree, gzip 35.5 MiB against
// 35.5 (size ratio 1.000) at 85 CPU-s against 53 (klauspost's deflate at
// level 9 is the cost), zstd 42.1 MiB against 33.7 (1.25) at 7 CPU-s
// against 76; on /usr/local/go (Go 1.26, 270 MB, 15k files, text and
// binaries), gzip 63.5 MiB against 62.9 (1.010) at 19 CPU-s against 24,
// zstd 60.6 MiB against 56.7 (1.069) at 16 CPU-s against 33.
//
// Tests: unsquashfs 4.5 extracts random trees (every compression, 4 KiB and
// 128 KiB blocks, tails packed or not) as root and every entry is compared
// with the tree (types, modes, owners, mtimes, contents, targets, devices,
// xattrs, hardlinks); unsquashfs -stat checks the superblock; a reader in
// the tests checks inode numbers, the export table, link counts, every xattr
// and each directory index point; the host kernel loop-mounts an image per
// compression and looks up every path (skipped without root or loop
// devices); images are byte-identical across worker counts, source creation
// orders, hardlinked or copied duplicates, and spilled or in-memory trees;
// refused parameters and trees, a too-small size and the 4 KiB padding are
// checked.
package squashfs
