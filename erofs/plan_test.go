package erofs

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testtree"
)

// TestManyHardlinks reads back a tree of 4000 names of which every fifth
// is a hardlink to a file named before, in the same directory or another:
// the inode table grows several times, and directories mix inodes
// numbered in them with inodes numbered elsewhere.
func TestManyHardlinks(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	root := &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Mtime: testBuildTime}
	var files []*fstree.Inode
	for d := 0; d < 40; d++ {
		dir := &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Mtime: testBuildTime}
		testtree.Add(root, fmt.Sprintf("d%02d", d), dir)
		for i := 0; i < 100; i++ {
			var in *fstree.Inode
			if i%5 == 4 {
				in = files[r.Intn(len(files))]
			} else {
				data := []byte(strings.Repeat(fmt.Sprintf("%d/%d ", d, i), 1+r.Intn(2000)))
				in = (&fstree.Inode{Kind: fstree.File, Mode: 0644, Mtime: testBuildTime, Size: int64(len(data))}).WithData(data)
				files = append(files, in)
			}
			testtree.Add(dir, fmt.Sprintf("f%03d", i), in)
		}
	}
	tr := &fstree.Tree{Root: root}
	for _, comp := range []string{"", "lz4"} {
		var buf memWriterAt
		if _, err := Write(&buf, tr, Params{BuildTime: testBuildTime, Compression: comp, CompressionLevel: -1}); err != nil {
			t.Fatal(err)
		}
		if err := compareReader(tr, buf.b); err != nil {
			t.Fatalf("comp %q: %v", comp, err)
		}
	}
}
