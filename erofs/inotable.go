package erofs

import (
	"hash/maphash"

	"github.com/gorepart/gorepart/fstree"
)

// inoTable finds the inode number given to an *fstree.Inode while the tree
// is walked, to recognize hardlinks. It is a hash set of inode numbers
// (linear probing, at most half full): 8 to 16 bytes per inode where a
// map from *fstree.Inode takes 20 to 40, at the moment the plan's memory
// peaks (the nodes are complete, the tree too).
type inoTable struct {
	seed  maphash.Seed
	slots []uint32 // inode numbers, 0 for a free slot
	n     int
}

func newInoTable() *inoTable {
	return &inoTable{seed: maphash.MakeSeed(), slots: make([]uint32, 1024)}
}

func (t *inoTable) home(in *fstree.Inode) int {
	return int(maphash.Comparable(t.seed, in) & uint64(len(t.slots)-1))
}

// find returns the number of in, if it has one.
func (t *inoTable) find(pl *plan, in *fstree.Inode) (uint32, bool) {
	mask := len(t.slots) - 1
	for i := t.home(in); t.slots[i] != 0; i = (i + 1) & mask {
		if ino := t.slots[i]; pl.node(ino).in == in {
			return ino, true
		}
	}
	return 0, false
}

// insert records inode number ino (its node's inode not in the table).
func (t *inoTable) insert(pl *plan, ino uint32) {
	if 2*(t.n+1) > len(t.slots) {
		old := t.slots
		t.slots = make([]uint32, 2*len(old))
		for _, o := range old {
			if o != 0 {
				t.put(pl, o)
			}
		}
	}
	t.put(pl, ino)
	t.n++
}

func (t *inoTable) put(pl *plan, ino uint32) {
	mask := len(t.slots) - 1
	i := t.home(pl.node(ino).in)
	for t.slots[i] != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = ino
}
