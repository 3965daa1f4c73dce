package ext4

import (
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// TestPlanDeeperThanCounted plans a chain of directories deeper than
// countEntries looks, so the node slice grows while directories are being
// walked: every node must still get its parent and links right.
func TestPlanDeeperThanCounted(t *testing.T) {
	mt := time.Unix(1700000000, 0)
	root := &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Mtime: mt}
	cur := root
	const depth = 4200
	for i := 0; i < depth; i++ {
		d := &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Mtime: mt}
		f := (&fstree.Inode{Kind: fstree.File, Mode: 0644, Size: 1, Mtime: mt}).WithData([]byte("x"))
		cur.Entries = []*fstree.Entry{{Name: "d", Inode: d}, {Name: "f", Inode: f}}
		cur = d
	}
	pl, err := newPlan(&fstree.Tree{Root: root}, testParams())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := int(pl.maxIno), firstIno+2*depth; got != want {
		t.Fatalf("maxIno %d, want %d", got, want)
	}
	for i := range pl.nodes {
		n := &pl.nodes[i]
		if n.in == nil || n.in.Kind != fstree.Dir || n.ino == rootIno {
			continue
		}
		if n.parent != n.up || n.links < 2 || n.dir == nil {
			t.Fatalf("inode %d: parent %d, up %d, links %d, layout %v", n.ino, n.parent, n.up, n.links, n.dir != nil)
		}
		if n.in.Entries != nil && len(n.dir.ents) != 2 {
			t.Fatalf("inode %d: %d entries, want 2", n.ino, len(n.dir.ents))
		}
	}
	img := writeImage(t, &fstree.Tree{Root: root}, 0, testParams())
	fsck(t, img)
}

// TestPlanRefusesRootCycle: a directory holding the root as an entry is a
// directory hardlink, refused instead of walked forever.
func TestPlanRefusesRootCycle(t *testing.T) {
	root := &fstree.Inode{Kind: fstree.Dir, Mode: 0755}
	sub := &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Entries: []*fstree.Entry{{Name: "up", Inode: root}}}
	root.Entries = []*fstree.Entry{{Name: "sub", Inode: sub}}
	_, err := newPlan(&fstree.Tree{Root: root}, testParams())
	if err == nil || !strings.Contains(err.Error(), "directory hardlink") {
		t.Fatalf("newPlan of a cycle through the root = %v, want a directory hardlink error", err)
	}
}
