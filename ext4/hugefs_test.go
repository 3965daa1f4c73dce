package ext4

import (
	"fmt"
	"os"
	"testing"
)

// TestLargeFilesystems writes a small tree into filesystems of up to 2 TiB
// (journal with an extent index block, many descriptor blocks, the
// 1024-block reserved GDT cap) and checks them with e2fsck.
func TestLargeFilesystems(t *testing.T) {
	sizes := []int64{8 << 20, 200 << 30, 2 << 40}
	if os.Getenv("GOREPART_EXT4_BIG") != "1" {
		sizes = sizes[:2] // e2fsck of 2 TiB takes half a minute
	}
	for _, size := range sizes {
		t.Run(fmt.Sprint(size>>20, "MiB"), func(t *testing.T) {
			tree := genTree(2)
			img := writeImage(t, tree, size, testParams())
			fsck(t, img)
			compareImage(t, img, tree)
		})
	}
}
