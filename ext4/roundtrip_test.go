package ext4

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"github.com/gorepart/gorepart/internal/treefuzz"
	"os"
	"testing"
)

// TestRoundTrip writes 200 generated trees at their MinSize and checks each
// with e2fsck -fn and debugfs.
func TestRoundTrip(t *testing.T) {
	for _, i := range treefuzz.Seeds() {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			tree := genTree(i)
			img := writeImage(t, tree, 0, testParams())
			fsck(t, img)
			compareImage(t, img, tree)
		})
	}
}

// TestMinSizeExact checks that MinSize fits and one block less does not.
func TestMinSizeExact(t *testing.T) {
	for i := 0; i < 40; i++ {
		tree := genTree(i)
		pl, err := newPlan(tree, testParams())
		if err != nil {
			t.Fatal(err)
		}
		size, err := pl.minSize()
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := pl.fits(uint64(size) / blockSize); !ok || err != nil {
			t.Fatalf("tree %d: MinSize %d does not fit (%v)", i, size, err)
		}
		if ok, _ := pl.fits(uint64(size)/blockSize - 1); ok {
			t.Fatalf("tree %d: %d bytes fit, below MinSize %d", i, size-blockSize, size)
		}
	}
}

// TestTooSmall checks the error for a size that cannot hold the tree.
func TestTooSmall(t *testing.T) {
	tree := genTree(3)
	size, err := MinSize(tree, testParams())
	if err != nil {
		t.Fatal(err)
	}
	err = Write(discard{}, size-blockSize, tree, testParams())
	if !errors.Is(err, ErrTooSmall) {
		t.Fatalf("Write below MinSize: %v, want ErrTooSmall", err)
	}
}

type discard struct{}

func (discard) WriteAt(p []byte, off int64) (int, error) { return len(p), nil }

// TestDeterministic writes the same tree twice, once rebuilt from scratch,
// and compares the images byte for byte.
func TestDeterministic(t *testing.T) {
	for _, i := range []int{3, 7, 15} {
		a := hashImage(t, writeImage(t, genTree(i), 0, testParams()))
		b := hashImage(t, writeImage(t, genTree(i), 0, testParams()))
		if a != b {
			t.Fatalf("tree %d: images differ", i)
		}
	}
}

func hashImage(t *testing.T, path string) [32]byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}
