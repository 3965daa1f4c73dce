package vfat

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// TestScale plans and writes (to nowhere) a 73,000-file tree with a
// 3,000-entry directory, where a FAT32 needs hundreds of FAT sectors and a
// directory spans many clusters, and checks that MinSize is still the
// smallest size that works: Write fits the tree at MinSize and runs out of
// space 4 KiB below it. (-short shrinks the tree; BenchmarkScale times
// the same tree.)
func TestScale(t *testing.T) {
	dirs, per := 100, 700
	if testing.Short() {
		dirs, per = 10, 100
	}
	tr := scaleTree(dirs, per)
	p := scaleParams
	size, err := MinSize(tr, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(discard{}, size, tr, p); err != nil {
		t.Fatalf("Write at MinSize %d: %v", size, err)
	}
	if err := Write(discard{}, size-minSizeUnit, tr, p); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("Write at MinSize-4096 = %d: %v, want ErrNoSpace", size-minSizeUnit, err)
	}
	t.Logf("%d entries: MinSize %d bytes", dirs*(per+1)+30*per/7+1, size)
}

// BenchmarkScale plans and writes (to nowhere) the 73,000-file tree of
// TestScale: MinSize and Write must stay linear in the tree.
func BenchmarkScale(b *testing.B) {
	tr := scaleTree(100, 700)
	p := scaleParams
	for b.Loop() {
		size, err := MinSize(tr, p)
		if err != nil {
			b.Fatal(err)
		}
		if err := Write(discard{}, size, tr, p); err != nil {
			b.Fatal(err)
		}
	}
}

var scaleParams = Params{SectorSize: 4096, FATBits: 32, Label: "BIG", Time: time.Unix(1700000000, 0)}

// scaleTree returns dirs directories of per one-byte files, and a
// directory "wide" of 30*per/7 empty files.
func scaleTree(dirs, per int) *fstree.Tree {
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
	return &fstree.Tree{Root: root}
}
