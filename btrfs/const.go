package btrfs

import "github.com/gorepart/gorepart/internal/mkfs"

// tool is the program that makes the filesystem.
func tool() mkfs.Tool {
	return mkfs.Tool{Name: "mkfs.btrfs", Debian: "btrfs-progs", Nix: "btrfs-progs"}
}

// Releases of btrfs-progs that added what some definitions need, as
// mkfs.Version.Release numbers (btrfs-progs CHANGES).
const (
	// releaseSubvol: mkfs --subvol [rw|ro|default|default-ro:]DIR (6.12).
	releaseSubvol = 6_012
	// releaseCompress: mkfs --compress ALG[:LEVEL] with --rootdir (6.13).
	releaseCompress = 6_013
	// releaseInodeFlags: mkfs --inode-flags nodatacow:PATH (6.15).
	releaseInodeFlags = 6_015
	// releaseUUIDNotProbed: from 6.6 a single-device mkfs no longer asks
	// libblkid whether another device carries the -U UUID.
	releaseUUIDNotProbed = 6_006
	// releaseRootMeta: --rootdir was rewritten on nftw in 6.11; before,
	// the top directory kept mkfs's own mode (0755), owner (0:0) and no
	// xattrs, whatever the source directory had (mkfs/rootdir.c).
	releaseRootMeta = 6_011
	// releaseSplitsHardlinks: 6.11 alone turned every extra hardlink
	// into a new inode (with a warning); 6.12 detects them again.
	releaseSplitsHardlinks = 6_011
)

const (
	// minSectorSize: mkfs.btrfs wants data blocks of at least 4 KiB, so
	// repart passes --sectorsize=max(sector size, 4096) (mkfs-util.c).
	minSectorSize = 4096
	// maxLabel is BTRFS_LABEL_SIZE (256) less the terminating NUL.
	maxLabel = 255
)
