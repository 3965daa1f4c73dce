package ext4

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// TestPlanDeeperThanCounted plans a chain of directories 4200 levels deep: every
// directory must still get its parent and links right.
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
	dirs := 0
	check := dirCheck(func(n *tnode) error {
		if n.dir == nil || n.ino == rootIno || n.ino == lpfIno {
			return nil
		}
		dirs++
		if n.dir.parent != n.up.ino || n.links < 2 {
			return fmt.Errorf("inode %d: parent %d, up %d, links %d", n.ino, n.dir.parent, n.up.ino, n.links)
		}
		if n.in.Entries != nil && len(n.dir.ents) != 2 {
			return fmt.Errorf("inode %d: %d entries, want 2", n.ino, len(n.dir.ents))
		}
		return nil
	})
	if err := pl.walk(check); err != nil {
		t.Fatal(err)
	}
	if dirs != depth {
		t.Fatalf("%d directories visited, want %d", dirs, depth)
	}
	img := writeImage(t, &fstree.Tree{Root: root}, 0, testParams())
	fsck(t, img)
}

// dirCheck is a visitor calling a function on every inode.
type dirCheck func(n *tnode) error

func (f dirCheck) visit(n *tnode) error                     { return f(n) }
func (dirCheck) link(*openDir, *fstree.Entry, uint32) error { return nil }
func (dirCheck) done(*openDir) error                        { return nil }

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
