// Package fstree describes the tree of a filesystem to be written: one
// in-memory node per target inode, pointing at the source file that holds
// its data instead of copying it into a staging directory.
//
// Every filesystem writer (vfat, ext4, erofs) takes a *Tree and reads file
// data straight from the sources. A Tree is deterministic: directory
// entries are sorted by name (byte order), ownership and timestamps are
// already decided (uid/gid policy, SOURCE_DATE_EPOCH clamp), and hardlinks
// are explicit (two entries sharing one *Inode).
package fstree
