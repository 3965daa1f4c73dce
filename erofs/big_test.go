//go:build erofs_big

// Run with: go test -tags erofs_big -run TestBigTrees -timeout 60m ./erofs/

package erofs

import (
	"fmt"
	"testing"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testtree"
)

// bigTree has files small files over nested directories plus one
// directory of dirEntries entries.
func bigTree(files, dirEntries int) *fstree.Tree {
	root := &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Mtime: testBuildTime}
	for i := 0; i < files; {
		top := &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Mtime: testBuildTime}
		testtree.Add(root, fmt.Sprintf("p%05d", len(root.Entries)), top)
		for j := 0; j < 100 && i < files; j, i = j+1, i+1 {
			size := (i * 7919) % 9000
			data := make([]byte, size)
			for k := range data {
				data[k] = byte("erofs big tree \n"[(k+i)%16])
			}
			testtree.Add(top, fmt.Sprintf("f%03d", j), (&fstree.Inode{Kind: fstree.File, Mode: 0644, Mtime: testBuildTime, Size: int64(size)}).WithData(data))
		}
	}
	wide := &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Mtime: testBuildTime}
	for i := 0; i < dirEntries; i++ {
		testtree.Add(wide, fmt.Sprintf("entry-%06d-%s", i, "x"), &fstree.Inode{Kind: fstree.Symlink, Mode: 0777, Mtime: testBuildTime, Target: "t"})
	}
	testtree.Add(root, "wide", wide)
	testtree.Sort(root)
	return &fstree.Tree{Root: root}
}

// TestBigTrees: 150k files and a 50k-entry directory, uncompressed and lz4,
// extracted by fsck.erofs and read back by the test reader.
func TestBigTrees(t *testing.T) {
	tr := bigTree(150000, 50000)
	for _, comp := range []string{"", "lz4"} {
		dir := t.TempDir()
		img, size := writeImage(t, dir, tr, Params{BuildTime: testBuildTime, Compression: comp})
		t.Logf("comp %q: %d bytes", comp, size)
		if err := compareExtracted(tr, fsckExtract(t, img, dir)); err != nil {
			t.Fatal(err)
		}
		var buf memWriterAt
		if _, err := Write(&buf, tr, Params{BuildTime: testBuildTime, Compression: comp}); err != nil {
			t.Fatal(err)
		}
		if err := compareReader(tr, buf.b); err != nil {
			t.Fatal(err)
		}
	}
}
