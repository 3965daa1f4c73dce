// Package btrfs makes a btrfs filesystem from an fstree.Tree by running
// mkfs.btrfs (btrfs-progs) on a staging directory, with the arguments
// systemd-repart 262 gives it (mkfs-util.c, repart.c):
//
//	mkfs.btrfs -L LABEL -U UUID [--nodiscard] -r STAGING [--compress ALG[:LEVEL]]
//	  --sectorsize=max(SECTOR,4096) IMAGE [EXTRA...] [--subvol [default][-ro]:PATH]...
//	  [--inode-flags nodatacow:PATH]... [--shrink]
//
// EXTRA is $SYSTEMD_REPART_MKFS_OPTIONS_BTRFS (Params.ExtraArgs); the
// subvolume options come from Subvolumes= and DefaultSubvolume=, --shrink
// from Minimize=. Without a tree (nothing to copy) there is no -r and none
// of the options that need it, as with repart. mkfs.btrfs writes into a
// temporary file under Params.TempDir, which is then copied into the
// partition in the kernel (copy_file_range), its holes left unwritten.
//
// The staging directory (internal/staging) holds the tree's data
// (reflinked or copied in the kernel), modes, owners, xattrs and times;
// mkfs.btrfs copies what it finds there. Unprivileged callers
// (Params.Unprivileged) cannot chown: the staging tree then belongs to them
// and mkfs.btrfs runs in a user namespace in which their uid and gid are 0,
// so every file is recorded as root's; trees with other owners, or with
// device nodes, are refused (fstree resolves --owner=auto to 0:0 for such
// builds, as nixpkgs expects).
//
// Minimize=guess and Minimize=best are the same for btrfs, as in repart:
// MinSize runs mkfs.btrfs --shrink once into an empty file and returns the
// size it grew to; with Params.Minimize, Write copies that filesystem
// (MinSize bytes) into a partition of any size at least as large, and the
// filesystem is not grown. Without Minimize, Write runs mkfs.btrfs on a
// file of the size given; MinSize (the --shrink size) is then only the
// lower bound the planner checks against.
//
// The host does not matter: the tool runs with PATH (Params.Path), TZ=UTC,
// LC_ALL=C, SOURCE_DATE_EPOCH when given, and BLKID_FILE=/dev/null and
// BLKID_CONF=/dev/null so that libblkid starts with an empty device cache.
// Before btrfs-progs 6.6 mkfs.btrfs also probes every block device and
// refuses a -U UUID it finds (a loop device of the previous build, the
// disk of a machine rebuilding its own image); as root it therefore runs
// in a private mount namespace whose /sys/block and /proc/partitions are
// empty (internal/mkfs). TestUUIDIndependentOfHost shows plain mkfs.btrfs
// failing both ways and the plan succeeding.
//
// Refused, because the installed mkfs.btrfs would lose them silently:
//   - device nodes with a device number: every btrfs-progs release up to
//     6.19 records rdev 0 for files of --rootdir;
//   - before btrfs-progs 6.11 (Debian 12 has 6.2): a top directory whose
//     mode is not 0755 or owner not 0:0, or that has xattrs, since the old
//     --rootdir never copied the top directory's metadata. repart's
//     user.validatefs.* xattrs (AddValidateFS=, on by default) are such
//     xattrs: with btrfs-progs 6.2 a definition needs AddValidateFS=no
//     (repart 262 silently builds without them);
//   - with btrfs-progs 6.11 exactly: hardlinks (it splits them);
//   - Subvolumes= before 6.12 (--subvol), Compression= before 6.13
//     (--compress), the nodatacow subvolume flag before 6.15
//     (--inode-flags); a subvolume that is not a directory of the tree.
//
// Lost without a refusal, as with repart (mkfs.btrfs stores them so):
// nanoseconds of times (whole seconds only); before 6.11 the top
// directory's times (the mkfs time); ctimes (the staging time); the atimes
// of directories, which mkfs.btrfs 6.2 reads before recording them
// (relatime then sets them to the staging time); holes of sparse files
// (6.2 writes them as zeros; contents are unchanged).
//
// Not reproducible, and no option or variable of btrfs-progs (up to 6.19)
// makes it so: two builds of the same tree with the same Params and
// SOURCE_DATE_EPOCH differ in the device UUID, the chunk tree UUID and the
// top subvolume's UUID (uuid_generate), the root items' ctime and otime
// (time(NULL)), every inode's ctime, and the inode numbers, which before
// 6.11 are the staging directory's st_ino + 256 and from 6.11 follow the
// staging filesystem's readdir order (TestNotReproducible; about 2500 bytes
// of a small image). The filesystem UUID, label, contents, modes, owners,
// xattrs and mtimes are the same.
//
// Tests: btrfs check --readonly on every image; the tree read back without
// mounting (btrfs inspect-internal dump-tree for names, inodes, link
// counts and xattr names; btrfs restore for contents, symlink targets and
// file xattr values) and compared with generated trees (hardlinks, sparse
// files, owners, set-ID and sticky modes, xattrs, names with spaces and
// UTF-8); an unprivileged build (run as nobody); MinSize against
// mkfs.btrfs --shrink by hand; the argument lists against repart's code;
// the refusals; a missing mkfs.btrfs (the error names btrfs-progs for
// Debian and Nix) and a failing one (its message in the error), with
// nothing left in TempDir on any path.
package btrfs
