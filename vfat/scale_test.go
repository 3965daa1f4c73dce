package vfat

import (
	"fmt"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// TestScale plans and writes (to nowhere) a 73,000-file tree with a
// 3,000-entry directory: planning and MinSize must stay fast on big trees. (-short skips
// the size.)
func TestScale(t *testing.T) {
	dirs, per := 100, 700
	if testing.Short() {
		dirs, per = 10, 100
	}
	mt := time.Unix(1700000000, 0)
	root := &fstree.Inode{Kind: fstree.Dir, Mtime: mt}
	data := []byte("x")
	for d := 0; d < dirs; d++ {
		dir := &fstree.Inode{Kind: fstree.Dir, Mtime: mt}
		for f := 0; f < per; f++ {
			dir.Entries = append(dir.Entries, &fstree.Entry{Name: fmt.Sprintf("file number %05d.txt", f),
				Inode: (&fstree.Inode{Kind: fstree.File, Size: 1, Mtime: mt}).WithData(data)})
		}
		root.Entries = append(root.Entries, &fstree.Entry{Name: fmt.Sprintf("dir%03d", d), Inode: dir})
	}
	wide := &fstree.Inode{Kind: fstree.Dir, Mtime: mt}
	for f := 0; f < 30*per/7; f++ {
		wide.Entries = append(wide.Entries, &fstree.Entry{Name: fmt.Sprintf("wide entry %05d.conf", f),
			Inode: &fstree.Inode{Kind: fstree.File, Mtime: mt}})
	}
	root.Entries = append(root.Entries, &fstree.Entry{Name: "wide", Inode: wide})
	tr := &fstree.Tree{Root: root}
	p := Params{SectorSize: 4096, FATBits: 32, Label: "BIG", Time: mt}
	t0 := time.Now()
	size, err := MinSize(tr, p)
	if err != nil {
		t.Fatal(err)
	}
	t1 := time.Now()
	if err := Write(discard{}, size, tr, p); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files: MinSize %v (%d bytes), Write %v", dirs*per+len(wide.Entries), t1.Sub(t0), size, time.Since(t1))
	if d := time.Since(t0); d > 20*time.Second {
		t.Fatalf("took %v", d)
	}
}
