package ext4

import (
	"fmt"
	"testing"
)

// TestLargeFilesystems writes a small tree into filesystems from the
// smallest (8 MiB) to 200 GiB (journal with an extent index block, many
// descriptor blocks) and checks them with e2fsck; 2 TiB is in big_test.go.
func TestLargeFilesystems(t *testing.T) {
	sizes := []int64{8 << 20, 200 << 30}
	for _, size := range sizes {
		t.Run(fmt.Sprint(size>>20, "MiB"), func(t *testing.T) {
			tree := genTree(2)
			img := writeImage(t, tree, size, testParams())
			fsck(t, img)
			compareImage(t, img, tree)
		})
	}
}
