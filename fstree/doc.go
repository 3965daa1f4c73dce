// Package fstree describes the tree of a filesystem to be written: one
// node per target inode, pointing at the source file that holds its data
// instead of copying it into a staging directory. The nodes are held in
// memory, or spilled to a temporary file a directory at a time (see
// "Trees not held in memory" below).
//
// Every filesystem writer (vfat, ext4, erofs) takes a *Tree and reads file
// data straight from the sources. A Tree is deterministic: directory
// entries are sorted by name (byte order), ownership and timestamps are
// already decided (uid/gid policy, SOURCE_DATE_EPOCH clamp), and hardlinks
// are explicit (two entries sharing one *Inode, or in a spilled tree two
// Inodes with the same non-zero LinkKey).
//
// # Building a tree
//
// Build turns a partition's CopyFiles= lines (and manifest entries),
// ExcludeFiles=, ExcludeFilesTarget=, MakeDirectories= and MakeSymlinks=
// into a Tree with the semantics of systemd-repart's staging directory
// (docs/spec/repart.md §8.1), without making one:
//
//   - A directory source is merged into its target: a missing target
//     becomes the source directory with its metadata; an existing
//     directory keeps its own metadata and gains the entries. Missing
//     parents of any target are created 0755, owned by 0:0.
//   - Later lines override earlier ones: a file or symlink replaces a file
//     or symlink. A directory never replaces a non-directory (error) and a
//     file named as a line's target never replaces a directory (error,
//     naming both lines); a file inside a directory source that meets a
//     directory is left out with a warning, as repart silently does.
//   - Excludes match source inodes, as repart's do: the contents of proc,
//     sys, dev, tmp, run and var/tmp at the top of the copy source; for a
//     root partition copying to "/", the contents of those and of the
//     other partitions' mount points under the line's source;
//     ExcludeFiles= paths (a trailing "/" keeps the directory and drops its
//     contents); ExcludeFilesTarget= paths mapped back into each line's
//     source. A line whose source (or target) is under an excluded path is
//     skipped whole, and so is a file source inside an excluded directory.
//     The built-in rules (proc, sys, dev, tmp, run, var/tmp) apply only to
//     what a directory source brings along: a source a line names is copied
//     even under /tmp or /run (repart 262 drops such a file without a word).
//   - The root directory takes its metadata from the first directory
//     source copied to "/"; without one it is 0755, 0:0.
//   - A missing source is a warning and the line is skipped. A symlink
//     source is copied as a symlink, unless it leads to a directory,
//     which is then copied (resolved once, at the top). Symlinks inside
//     sources are never followed, so loops cannot hang the scan; paths
//     are resolved inside the copy source (absolute links restart at it),
//     so nothing outside the named sources is read.
//   - Targets are absolute and may not contain "..": they come from
//     configuration, not from a shell, and may hold ":" or spaces.
//
// Each node records type, permission bits, owner (OwnerPolicy), mtime
// (clamped to SOURCE_DATE_EPOCH, never later; created nodes get it
// exactly), xattrs (all namespaces the reader can see, sorted by name),
// size, source path, symlink target and device numbers. Hardlinks are
// broken by default so that images do not depend on how a Nix store was
// optimised; see hardlink.go and BuildOptions.KeepHardlinks.
//
// Directory sources are read by several goroutines (one getdents pass and
// one fstatat and one listxattrat per entry, plus one getxattr per
// attribute), but every directory's names are sorted before use and each
// job writes only its own directory, so the tree does not depend on
// readdir order or scheduling. No environment, clock, umask, euid, TZ or
// locale is consulted: all such inputs are BuildOptions fields.
//
// # Trees not held in memory
//
// With BuildOptions.SpillDir, Build writes the listing of every
// directory it reads from a source to an anonymous temporary file (one
// compact record per directory, see spill.go) and keeps only a 16-byte
// index entry per directory; the directories it has to change, and the
// root, are decoded into Entries. Such a tree is read with Inode.List
// (new Entries and Inodes on every call), hardlinks are told by
// Inode.LinkKey, and Tree.Close releases the file. Walk and Summarize
// work on both kinds of tree.
//
// # Sizing
//
// Summarize counts inodes, names and bytes in one walk; FileBlocks and
// LinkCounts give block and link counts; Inode.DataExtents lists the data
// ranges of a source (SEEK_DATA/SEEK_HOLE) so writers can keep holes, and
// Inode.Sparse says which files are worth asking.
//
// # What it refuses
//
// Build never copies file data and never writes to the host (except its
// own spill file, with SpillDir). It does not
// implement btrfs subvolumes, the fsverity=copy option (Copy.FSVerity is
// carried but not acted on), or SELinux relabelling.
package fstree
