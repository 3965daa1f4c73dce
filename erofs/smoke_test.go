package erofs

import (
	"testing"
)

func TestSmoke(t *testing.T) {
	for _, comp := range []string{"", "lz4", "lz4hc"} {
		t.Run("c="+comp, func(t *testing.T) {
			tr := genTree(1)
			dir := t.TempDir()
			img, _ := writeImage(t, dir, tr, Params{BuildTime: testBuildTime, Compression: comp, CompressionLevel: -1})
			x := fsckExtract(t, img, dir)
			if err := compareExtracted(tr, x); err != nil {
				t.Fatal(err)
			}
		})
	}
}
