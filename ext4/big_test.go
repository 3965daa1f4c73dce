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
// 50k-entry directory, a 5 GiB sparse file). They take minutes, so they
// run only with GOREPART_EXT4_BIG=1.
func TestBigTrees(t *testing.T) {
	if os.Getenv("GOREPART_EXT4_BIG") != "1" {
		t.Log("set GOREPART_EXT4_BIG=1 to run the 150k-file, 50k-entry and 5 GiB sparse trees")
		return
	}
	mt := time.Unix(1650000000, 0)
	file := func(s string) *fstree.Inode {
		return &fstree.Inode{Kind: fstree.File, Mode: 0644, Mtime: mt, Data: []byte(s), Size: int64(len(s))}
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
	root.Entries = []*fstree.Entry{
		{Name: "big", Inode: big},
		{Name: "many", Inode: many},
		{Name: "sparse5g", Inode: &fstree.Inode{Kind: fstree.File, Mode: 0600, Mtime: mt, Source: sparse, Size: 5 << 30}},
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
