package erofs

import (
	"hash/maphash"

	"github.com/gorepart/gorepart/fstree"
)

// inoTable finds the inode number given to an *fstree.Inode while the tree
// is walked, to recognize hardlinks: two inodes are one when they have the
// same non-zero LinkKey (the same *Inode, in a tree held in memory); an
// inode with the zero key is never entered. It is a hash set of inode numbers
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

func (t *inoTable) home(k fstree.LinkKey) int {
	return int(maphash.Comparable(t.seed, k) & uint64(len(t.slots)-1))
}

// find returns the number of in, if it has one.
func (t *inoTable) find(pl *plan, in *fstree.Inode) (uint32, bool) {
	k := in.LinkKey()
	if k.IsZero() {
		return 0, false
	}
	mask := len(t.slots) - 1
	for i := t.home(k); t.slots[i] != 0; i = (i + 1) & mask {
		if ino := t.slots[i]; pl.node(ino).in.LinkKey() == k {
			return ino, true
		}
	}
	return 0, false
}

// insert records inode number ino (its node's inode not in the table);
// an inode with the zero key is left out.
func (t *inoTable) insert(pl *plan, ino uint32) {
	if pl.node(ino).in.LinkKey().IsZero() {
		return
	}
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
	i := t.home(pl.node(ino).in.LinkKey())
	for t.slots[i] != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = ino
}
