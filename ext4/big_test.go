//go:build ext4_big

// Run with: go test -tags ext4_big -run 'TestBigTrees|TestLargeFilesystems2TiB' -timeout 60m ./ext4/

package ext4

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// TestBigTrees runs the large acceptance trees of issue 6 (150k files, a
// 50k-entry directory, a 5 GiB sparse file). debugfs takes minutes to read
// them back, so this is an opt-in suite (build tag ext4_big).
func TestBigTrees(t *testing.T) {
	mt := time.Unix(1650000000, 0)
	file := func(s string) *fstree.Inode {
		return (&fstree.Inode{Kind: fstree.File, Mode: 0644, Mtime: mt, Size: int64(len(s))}).WithData([]byte(s))
	}
	dir := func() *fstree.Inode { return &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Mtime: mt} }

	sparse := filepath.Join(t.TempDir(), "sparse")
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{0, 1 << 30, 4<<30 + 12345, 5<<30 - 100} {
		if _, err := f.WriteAt([]byte(fmt.Sprintf("data at %d", off)), off); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Truncate(5 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()

	root := dir()
	many := dir()
	for d := 0; d < 1000; d++ {
		sub := dir()
		for i := 0; i < 100; i++ {
			sub.Entries = append(sub.Entries, &fstree.Entry{Name: fmt.Sprintf("file%04d", i), Inode: file(fmt.Sprintf("%d/%d\n", d, i))})
		}
		many.Entries = append(many.Entries, &fstree.Entry{Name: fmt.Sprintf("d%04d", d), Inode: sub})
	}
	big := dir()
	for i := 0; i < 50000; i++ {
		big.Entries = append(big.Entries, &fstree.Entry{Name: fmt.Sprintf("entry-%06d", i), Inode: file(fmt.Sprint(i))})
	}
	sparseFile := &fstree.Inode{Kind: fstree.File, Mode: 0600, Mtime: mt, Size: 5 << 30, Sparse: true}
	sparseFile.SetSource(sparse)
	root.Entries = []*fstree.Entry{
		{Name: "big", Inode: big},
		{Name: "many", Inode: many},
		{Name: "sparse5g", Inode: sparseFile},
	}
	tree := &fstree.Tree{Root: root}
	start := time.Now()
	size, err := MinSize(tree, testParams())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("MinSize %d MiB in %v", size>>20, time.Since(start))
	start = time.Now()
	img := writeImage(t, tree, size, testParams())
	t.Logf("Write in %v", time.Since(start))
	fsck(t, img)
	compareImage(t, img, tree)
}

// TestLargeFilesystems2TiB writes a small tree into a 2 TiB filesystem
// (16384 groups, the 1024-block reserved GDT cap); e2fsck takes half a
// minute over it.
func TestLargeFilesystems2TiB(t *testing.T) {
	tree := genTree(2)
	img := writeImage(t, tree, 2<<40, testParams())
	fsck(t, img)
	compareImage(t, img, tree)
}
