// Package xfs makes an XFS filesystem from an fstree.Tree with mkfs.xfs
// (xfsprogs), byte-reproducibly, without root, and with every xfsprogs:
// where systemd-repart 262 passes its staging directory (-p DIR, which
// mkfs.xfs reads only from xfsprogs 6.17; with Debian 12's 6.1 every
// offline xfs build of repart fails), this package writes a classic
// prototype file (mkfs.xfs(8) "-p protofile") straight from the tree:
//
//	mkfs.xfs -L LABEL -m uuid=UUID -m reflink=1 [-K] -p PROTOFILE [-s size=SECTOR] IMAGE [EXTRA...]
//
// (repart's argument list, mkfs-util.c, with the protofile in place of
// the directory; EXTRA is $SYSTEMD_REPART_MKFS_OPTIONS_XFS, Params.ExtraArgs).
// The protofile names each inode's type, set-ID bits, permissions, owner,
// and a regular file's source (the tree's source file; data held in
// memory is written to a private temporary file first), a symlink's
// target, a device's numbers. mkfs.xfs runs with PATH, TZ=UTC, LC_ALL=C,
// SOURCE_DATE_EPOCH when given and DETERMINISTIC_SEED=1 (read by xfsprogs
// 6.18 and later), in a temporary file under Params.TempDir, which is
// then copied into the partition in the kernel, its holes left unwritten.
//
// A protofile cannot carry times, the sticky bit or xattrs. A fix-up pass
// completes the image (fixup.go): xfs_db's ncheck gives each name's inode
// number; xattrs are created with xfs_db's attr_set, which lets libxfs lay
// out the attribute fork, and their values are then written over the
// placeholders (in the inode, or in the fork's one leaf block, CRC
// recomputed); last every inode of the tree gets its mode (with the
// sticky bit) and the tree's Mtime as atime, mtime, ctime and crtime, and
// the inodes mkfs.xfs adds (realtime bitmap and summary, quota inodes) get
// Params.Time, written into the inode with its CRC (bigtime and old
// timestamps). Inode generation numbers are 0 in xfsprogs 6.1 and the UUID
// is given, so two builds of a tree with the same Params are byte-
// identical (TestReproducible; xfsprogs 6.1 has no other source of
// randomness or time in what it writes). POSIX ACLs are stored as xfs's
// SGI_ACL_FILE and SGI_ACL_DEFAULT, as the kernel does.
//
// Refused (NewPlan, or the fix-up for what only the image shows):
//   - names holding spaces, tabs or newlines, starting with ':' (a
//     comment), or "$" (the end of a directory), and symlink targets
//     holding white space, starting with ':' or longer than 1024 bytes:
//     the protofile is read as white-space separated words, without
//     escapes (xfsprogs 6.2 can read '/' in a name as a space, an option
//     6.1 lacks);
//   - hardlinks (the protofile has no way to name an inode twice; fstree
//     breaks hardlinks unless asked to keep them), sockets (no protofile
//     type), device numbers beyond major 511 or minor 262143;
//   - xattrs outside the user, trusted, security and POSIX ACL namespaces,
//     names xfs_db cannot take as one word (white space, leading '-'),
//     values over 255 bytes, and xattrs that do not fit the inode or one
//     leaf block;
//   - before xfsprogs 6.13: files of 2 GiB or more (mkfs.xfs keeps the
//     size in an int), and symlink targets too long for the inode, which
//     mkfs.xfs writes into a block without the version 5 header (xfs_repair
//     then clears the symlink).
//
// Before xfsprogs 6.13 mkfs.xfs also reads each file whole into memory
// and writes it from the start of the one extent it asks for, however
// short that extent is: a file larger than the free space left in an
// allocation group overwrites what follows (the next group's headers, or
// another file). The fix-up therefore checks every group's headers and
// that every file got all its blocks in one extent, and such a build
// fails as too small; sparse files are written whole (holes become zeros
// on disk, the contents are unchanged). From 6.13 mkfs.xfs copies files
// properly and also copies each source file's xattrs, which the tree
// holds anyway (fstree reads the same ones); that path is not tested
// here (Debian 12 has 6.1) and the fix-up checks that each inode ends up
// with exactly the tree's xattrs.
//
// MinSize is the smallest size found by trial builds (minsize.go): 300 MiB,
// mkfs.xfs's minimum, for most trees; larger ones are searched to 1 MiB or
// 1/64. xfs is writable, so repart allows only Minimize=guess for it,
// which in repart (spec §3.7) is twice the bytes a trial filesystem in a
// sparse 1 TiB file allocates, rounded to the grain, and at least the
// partition's minimum (300 MiB for xfs): RepartTrialBytes measures that
// trial (without the log, whose allocation depends on repart's host
// filesystem).
//
// Tests: xfs_repair -n on every image; the tree read back with xfs_db
// alone (ncheck for names, print for modes, owners, sizes, times to the
// nanosecond, device numbers, symlink targets and xattrs in the inode or
// a leaf block, bmap and the image for contents) and compared with
// generated trees (devices, owners, set-ID and sticky modes, xattrs,
// sparse files, UTF-8 names); POSIX ACLs through xfs_repair's checks;
// byte-identical rebuilds; MinSize at the 300 MiB floor and for a file
// larger than a 300 MiB filesystem's allocation groups; every refusal; a
// missing and a failing mkfs.xfs (the error names xfsprogs for Debian and
// Nix, or carries mkfs.xfs's message), with nothing left in TempDir.
package xfs
