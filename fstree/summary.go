package fstree

import "fmt"

// Summary is what filesystem writers need to size an image without
// writing it (Minimize=). Counts are of distinct inodes: an Inode shared
// by several entries (a hardlink group) is counted once, its names once
// each. The root directory counts as an inode and a directory but has no
// entry. "." and ".." are not counted.
type Summary struct {
	Inodes   int64 // distinct inodes, the root included
	Files    int64 // regular files
	Dirs     int64 // directories, the root included
	Symlinks int64
	Other    int64 // character and block devices, FIFOs, sockets

	Entries        int64 // directory entries (names)
	HardlinkGroups int64 // inodes named by more than one entry
	HardlinkNames  int64 // entries naming those inodes

	DataBytes    int64 // sum of Size over regular files
	SymlinkBytes int64 // sum of symlink target lengths
	NameBytes    int64 // sum of entry name lengths
	XattrBytes   int64 // sum of name and value lengths of all xattrs
	XattrInodes  int64 // inodes with at least one xattr

	MaxDirEntries int // entries of the largest directory
	MaxNameLen    int // longest entry name
	MaxFileSize   int64
}

// Summarize walks the tree once, listing directories with List (whose
// error it returns). Hardlinks are told by LinkKey: only inodes with a
// non-zero key are remembered, so on a spilled tree it holds nothing per
// inode.
func Summarize(t *Tree) (Summary, error) {
	var s Summary
	names := map[LinkKey]int64{}
	count := func(n *Inode) {
		s.Inodes++
		switch n.Kind {
		case File:
			s.Files++
			s.DataBytes += n.Size
			s.MaxFileSize = max(s.MaxFileSize, n.Size)
		case Dir:
			s.Dirs++
		case Symlink:
			s.Symlinks++
			s.SymlinkBytes += int64(len(n.Target))
		default:
			s.Other++
		}
		if len(n.Xattrs) > 0 {
			s.XattrInodes++
		}
		for _, x := range n.Xattrs {
			s.XattrBytes += int64(len(x.Name) + len(x.Value))
		}
	}
	var walk func(d *Inode) error
	walk = func(d *Inode) error {
		ents, err := d.List()
		if err != nil {
			return err
		}
		s.MaxDirEntries = max(s.MaxDirEntries, len(ents))
		for _, e := range ents {
			s.Entries++
			s.NameBytes += int64(len(e.Name))
			s.MaxNameLen = max(s.MaxNameLen, len(e.Name))
			if e.Inode.Kind == Dir {
				count(e.Inode) // a directory has exactly one name
				if err := walk(e.Inode); err != nil {
					return err
				}
				continue
			}
			k := e.Inode.LinkKey()
			if k.IsZero() {
				count(e.Inode)
				continue
			}
			names[k]++
			if names[k] == 1 {
				count(e.Inode)
			}
		}
		return nil
	}
	count(t.Root)
	if err := walk(t.Root); err != nil {
		return Summary{}, fmt.Errorf("summarizing tree: %w", err)
	}
	for _, n := range names {
		if n > 1 {
			s.HardlinkGroups++
			s.HardlinkNames += n
		}
	}
	return s, nil
}

// FileBlocks is the number of blockSize blocks the data of the regular
// files takes when every file is stored in whole blocks (each hardlink
// group once, by LinkKey; holes counted as data). A spilled directory
// that cannot be read counts as empty: Summarize reports that error.
func FileBlocks(t *Tree, blockSize int64) int64 {
	var n int64
	seen := map[LinkKey]bool{}
	_ = Walk(t.Root, func(_ string, e *Entry) error {
		if e.Inode.Kind != File {
			return nil
		}
		if k := e.Inode.LinkKey(); !k.IsZero() {
			if seen[k] {
				return nil
			}
			seen[k] = true
		}
		n += (e.Inode.Size + blockSize - 1) / blockSize
		return nil
	})
	return n
}

// LinkCounts returns the link count (st_nlink) of every inode of the
// tree: the number of entries naming a non-directory; 2 plus the number
// of subdirectories for a directory (the root included). It is keyed by
// *Inode, so it is for trees held in memory (BuildOptions.SpillDir
// unset); a writer of a spilled tree counts names by LinkKey as it walks.
func LinkCounts(t *Tree) map[*Inode]uint32 {
	m := map[*Inode]uint32{t.Root: 2}
	_ = Walk(t.Root, func(_ string, e *Entry) error {
		if e.Inode.Kind == Dir {
			m[e.Inode] += 2
		} else {
			m[e.Inode]++
		}
		return nil
	})
	// Each subdirectory's ".." links its parent.
	var up func(d *Inode)
	up = func(d *Inode) {
		for _, e := range d.Entries {
			if e.Inode.Kind == Dir {
				m[d]++
				up(e.Inode)
			}
		}
	}
	up(t.Root)
	return m
}
