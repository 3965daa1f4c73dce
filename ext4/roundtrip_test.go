package ext4

import (
	"fmt"
	"testing"
)

// TestRoundTrip writes 200 generated trees at their MinSize and checks each
// with e2fsck -fn and debugfs.
func TestRoundTrip(t *testing.T) {
	for i := 0; i < 200; i++ {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			tree := genTree(i)
			img := writeImage(t, tree, 0, testParams())
			fsck(t, img)
			compareImage(t, img, tree)
		})
	}
}
