package ext4

import (
	"testing"
	"time"
)

func TestZZProf(t *testing.T) {
	tree := genTree(177)
	t0 := time.Now()
	sz, _ := MinSize(tree, testParams())
	t.Logf("minsize %v %d", time.Since(t0), sz)
	t0 = time.Now()
	img := writeImage(t, tree, sz, testParams())
	t.Logf("write %v", time.Since(t0))
	t0 = time.Now()
	fsck(t, img)
	t.Logf("fsck %v", time.Since(t0))
	t0 = time.Now()
	compareImage(t, img, tree)
	t.Logf("compare %v", time.Since(t0))
}
