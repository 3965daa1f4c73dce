package ext4

import (
	"os"
	"os/exec"
	"testing"

	"github.com/gorepart/gorepart/internal/testutil"
)

// TestResize2fsGrow writes a small filesystem, grows it offline with
// resize2fs far beyond one descriptor block (which needs the reserved GDT
// blocks of the resize inode), and checks the result with e2fsck.
func TestResize2fsGrow(t *testing.T) {
	resize := testutil.Tool(t, "resize2fs", "e2fsprogs")
	tree := genTree(13)
	img := writeImage(t, tree, 64<<20, testParams())
	for _, size := range []int64{1 << 30, 40 << 30} {
		if err := os.Truncate(img, size); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(resize, "-f", img).CombinedOutput(); err != nil {
			t.Fatalf("resize2fs to %d: %v\n%s", size, err, out)
		}
		fsck(t, img)
	}
	compareImage(t, img, tree)
}
