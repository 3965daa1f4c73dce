// Package vfat writes FAT12/16/32 file systems (the ESP and XBOOTLDR
// partitions) from an fstree.Tree, byte-reproducibly and without
// mkfs.fat or mtools.
//
// What it writes, matching mkfs.fat 4.2 given "-i VOLID -n LABEL [-F 32]
// -S SECTORSIZE" on a regular file of the same size (systemd-repart always
// passes -F 32): the same geometry (cluster size from mkfs.fat's table,
// the size rounded down to whole tracks, structures aligned to the cluster
// size, 32 reserved sectors on FAT32 and 1 on FAT12/16, two FATs, media
// 0xF8, hidden sectors 0, FSInfo in sector 1, backup boot sector in sector
// 6 and backup FSInfo in 7, a 512-entry root directory on FAT12/16), the
// same boot sector including mkfs.fat's "This is not a bootable disk"
// boot code, and the label both in the boot sector and as the root
// directory's volume label entry. A FAT32 with fewer than 65525 clusters
// is made, as mkfs.fat -F 32 makes it, with a warning.
//
// Then the content: directory entries in the tree's (sorted) order, "."
// and ".." first in subdirectories; a long name (VFAT LFN slots) for every
// name that is not an upper-case 8.3 name, with a short alias made as
// Linux vfat does (shortname=mixed): base and extension cut from the name,
// invalid characters as '_', then "~1" to "~9" on at most six base
// characters; beyond that "~10", "~11", … as mtools counts (Linux would
// switch to time-derived hex digits). Non-ASCII characters become '_' in
// aliases (no code page). Creation, modification and access times of
// every entry, directories included, come from the inode's Mtime in UTC;
// the label entry carries Params.Time (the root directory has no entry of
// its own, so its time is not stored, as on any FAT). Each file and directory occupies
// one contiguous run of clusters, allocated in tree order: the root
// directory at cluster 2, then each directory's entries, then its
// subdirectories' contents. FSInfo holds the exact free count. The image
// is written front to back in large WriteAt calls; free space is never
// written (the destination is expected to be sparse and zero).
//
// What it refuses (errors name the path): names FAT cannot hold (empty,
// invalid UTF-8, control characters or any of * ? < > | " : / \, a
// trailing dot, more than 255 UTF-16 units, nothing usable for an alias),
// two names in one directory that differ only in case (Unicode simple
// folding: FAT compares names case-insensitively), files of 4 GiB or
// more, directories of more than 65536 slots, a source file shorter than
// its recorded size, and a tree that does not fit. Symbolic links,
// devices, FIFOs and sockets cannot be stored: they are skipped with one
// warning per file system, as systemd-repart's mtools copy skips them.
// Hard links become independent copies.
//
// Sizes: MinSize is the exact smallest size (a multiple of 4096) that
// holds the tree with mkfs.fat's geometry for that size; RepartTrialBytes
// is what systemd-repart's Minimize=guess trial (mkfs.vfat on a sparse
// 1 TiB file, mtools copy) measures, the input repart adds its headroom
// to. MangleLabel turns a partition label into the volume label as repart
// does before calling mkfs.vfat.
//
// Why not go-diskfs (v1.9.4, filesystem/fat32): measured on a 2,000-file
// 100 MB tree, two runs with reproducible=true and Chtimes on every file
// gave different images (the "." and ".." entries and directory entries
// are stamped with time.Now), the volume ID cannot be set, the FAT length
// is a uint16 (FAT32 above ~128 GiB with 4 KiB clusters is out of reach),
// and it writes cluster by cluster through a seekable file at ~50 MB/s.
// fsck.vfat found it clean. gorepart's writer plans everything first and
// streams the image once, handing 4 MiB buffers to a background
// goroutine so reading the sources overlaps writing. Files of 1 MiB or
// more (kernel images) are written straight from 4 MiB read-only mappings
// of their sources, so their bytes are copied once instead of twice
// (22% less CPU time on a 200 MB ESP).
//
// Tests check the output with fsck.vfat -n, mtools (mcopy, mdir), an
// in-test reader, mkfs.fat itself (byte-identical metadata for empty
// trees) and the Linux kernel in qemu (internal/vmcheck).
package vfat
