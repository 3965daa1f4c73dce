package ext4

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// TestPlanShared sizes and writes with one Plan: the same size and image
// as MinSize and Write, and the planning warnings given once.
func TestPlanShared(t *testing.T) {
	tree := genTree(3)
	old := &fstree.Inode{Kind: fstree.File, Mode: 0644, Mtime: time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)}
	tree.Root.Entries = append(tree.Root.Entries, &fstree.Entry{Name: "~old", Inode: old})
	var warnings int
	p := testParams()
	p.Warn = func(string) { warnings++ }
	pl, err := NewPlan(tree, p)
	if err != nil {
		t.Fatal(err)
	}
	size, err := pl.MinSize()
	if err != nil {
		t.Fatal(err)
	}
	size = size * 3 / 2 / blockSize * blockSize
	shared := writeWith(t, size, func(f *os.File) error { return pl.Write(f, size) })
	if warnings != 1 {
		t.Errorf("%d warnings from one plan, want 1", warnings)
	}
	p.Warn = nil
	want, err := MinSize(tree, p)
	if err != nil {
		t.Fatal(err)
	}
	if want*3/2/blockSize*blockSize != size {
		t.Fatalf("Plan.MinSize %d, MinSize %d", size, want)
	}
	alone := writeWith(t, size, func(f *os.File) error { return Write(f, size, tree, p) })
	if !bytes.Equal(shared, alone) {
		t.Fatal("Plan.Write and Write give different images")
	}
}

func writeWith(t *testing.T, size int64, write func(*os.File) error) []byte {
	f, err := os.CreateTemp(t.TempDir(), "img")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	if err := write(f); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return b
}
