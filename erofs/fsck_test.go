package erofs

import (
	"github.com/gorepart/gorepart/internal/treefuzz"
	"testing"
)

// TestFsckRoundTrip writes 200 generated trees uncompressed, with lz4 and
// with lz4hc, and checks with fsck.erofs (erofs-utils) that each image is
// consistent and extracts to the source tree.
func TestFsckRoundTrip(t *testing.T) {
	for _, comp := range []string{"", "lz4", "lz4hc"} {
		t.Run("comp="+comp, func(t *testing.T) {
			t.Parallel()
			for _, s := range treefuzz.Seeds() {
				seed := int64(s)
				tr := genTree(seed)
				dir := t.TempDir()
				img, _ := writeImage(t, dir, tr, Params{BuildTime: testBuildTime, Compression: comp, CompressionLevel: -1, UUID: [16]byte{1, 2, 3}})
				x := fsckExtract(t, img, dir)
				if err := compareExtracted(tr, x); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				if err := checkHardlinks(t, img, tr); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
			}
		})
	}
}
