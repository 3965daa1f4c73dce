package squashfs

import (
	"runtime/debug"
	"testing"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/heapstat"
	"github.com/gorepart/gorepart/internal/memtest"
)

// TestMemoryFlat checks what building an image keeps per inode, on
// spilled trees (fstree.BuildOptions.SpillDir) of N and 2N files:
//   - a built plan (NewPlan, MinSize) keeps almost nothing: the image is
//     in its temporary file and only the hardlink groups stay (none
//     here); less than retainedPerEntry bytes per extra entry;
//   - the largest live heap while the image is built grows by less than
//     peakPerEntry bytes per extra entry: per distinct file its SHA-256
//     key (in a map) and its data location (about 40 bytes and 4 per
//     block), per inode 8 bytes of export table; the inode, directory
//     and xattr tables go to temporary files, the data is never held.
func TestMemoryFlat(t *testing.T) {
	const (
		n                = 10000
		retainedPerEntry = 8
		peakPerEntry     = 192
	)
	src := memtest.SourceTree(t, 2*n, 64<<10)
	entries := memtest.Entries(2*n) - memtest.Entries(n)
	dir := t.TempDir()
	plan := func(tree *fstree.Tree) (any, error) {
		pl, err := NewPlan(tree, Params{TempDir: dir, Time: memtest.Epoch, Compression: "lz4"})
		if err != nil {
			return nil, err
		}
		_, err = pl.MinSize()
		return pl, err
	}
	ret1 := memtest.Retained(t, src, n, plan)
	ret2 := memtest.Retained(t, src, 2*n, plan)
	t.Logf("retained after MinSize: %d files %d KiB, %d files %d KiB: %.1f bytes per extra entry",
		n, ret1>>10, 2*n, ret2>>10, float64(ret2-ret1)/float64(entries))
	if ret2-ret1 > retainedPerEntry*entries {
		t.Errorf("retained heap grows by %d bytes for %d more entries: more than %d bytes each", ret2-ret1, entries, retainedPerEntry)
	}
	peak := func(files int) int64 {
		tree := memtest.Tree(t, src, files)
		defer debug.SetGCPercent(debug.SetGCPercent(5))
		best := int64(-1)
		for i := 0; i < 3; i++ {
			p, err := heapstat.PeakLive(func() error {
				pl, err := plan(tree)
				if pl != nil {
					pl.(*Plan).Close()
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if best < 0 || p < best {
				best = p
			}
		}
		return best
	}
	peak1, peak2 := peak(n), peak(2*n)
	t.Logf("peak live heap: %d files %.1f MiB, %d files %.1f MiB: %.1f bytes per extra entry",
		n, float64(peak1)/(1<<20), 2*n, float64(peak2)/(1<<20), float64(peak2-peak1)/float64(entries))
	if peak2-peak1 > peakPerEntry*entries {
		t.Errorf("peak live heap grows by %d bytes for %d more entries: more than %d bytes each", peak2-peak1, entries, peakPerEntry)
	}
}
