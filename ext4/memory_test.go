package ext4

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/memtest"
)

// TestMemoryFlat checks that sizing and writing a filesystem keep nothing
// per inode, on spilled trees (fstree.BuildOptions.SpillDir) of N and 2N
// files:
//   - what stays allocated after Build and planning (the spill index, the
//     demand records; the median of three readings) grows by less than
//     retainedPerEntry bytes per extra entry;
//   - the largest live heap seen while MinSize and Write run (sampled at
//     the end of every GC cycle, with the GC made to run often; the best of
//     three runs) stays under peakMax and grows by less than peakPerEntry
//     bytes per extra entry. The peak is 14 to 17 MiB at either size (8 MiB
//     of write buffers, one group's inode table, the write jobs in flight,
//     and what is allocated while a GC cycle marks), and which of these a
//     cycle happens to see makes it vary by up to 3 MiB between runs: this
//     half is a coarse guard that fails when the whole tree is held again
//     (an in-memory tree of 2N files peaks at 23 MiB). bench/RESULTS.md
//     measures the peak RSS of whole builds of 223k and 451k inodes.
//
// Before the tree was walked instead of held, the content tree cost ~200
// bytes per inode and the writer's plan 56 more: 256 bytes per entry.
func TestMemoryFlat(t *testing.T) {
	const (
		n                = 20000
		retainedPerEntry = 8
		peakPerEntry     = 192
		peakMax          = 20 << 20
	)
	src := memtest.SourceTree(t, 2*n, 3*blockSize)
	entries := memtest.Entries(2*n) - memtest.Entries(n)
	ret1, peak1 := memoryUse(t, src, n)
	ret2, peak2 := memoryUse(t, src, 2*n)
	t.Logf("retained after planning: %d files %d KiB, %d files %d KiB: %.1f bytes per extra entry",
		n, ret1>>10, 2*n, ret2>>10, float64(ret2-ret1)/float64(entries))
	t.Logf("peak live heap: %d files %.1f MiB, %d files %.1f MiB: %.1f bytes per extra entry",
		n, float64(peak1)/(1<<20), 2*n, float64(peak2)/(1<<20), float64(peak2-peak1)/float64(entries))
	if ret2-ret1 > retainedPerEntry*entries {
		t.Errorf("retained heap grows by %d bytes for %d more entries: more than %d bytes each", ret2-ret1, entries, retainedPerEntry)
	}
	if peak2 > peakMax {
		t.Errorf("peak live heap %d bytes, more than %d", peak2, peakMax)
	}
	if peak2-peak1 > peakPerEntry*entries {
		t.Errorf("peak live heap grows by %d bytes for %d more entries: more than %d bytes each", peak2-peak1, entries, peakPerEntry)
	}
}

// memoryUse returns the heap that a spilled tree of the first files of
// src and its plan keep allocated, and the smallest of three peaks of the
// live heap while MinSize and Write run.
func memoryUse(t *testing.T, src string, files int) (retained, peak int64) {
	p := testParams()
	retained = memtest.Retained(t, src, files, func(tree *fstree.Tree) (any, error) {
		return newPlan(tree, p)
	})

	tree := memtest.Tree(t, src, files)
	peak = memtest.BestPeak(t, func() error {
		size, err := MinSize(tree, p)
		if err != nil {
			return err
		}
		size = size * 3 / 2
		f, err := os.Create(filepath.Join(t.TempDir(), "img"))
		if err != nil {
			return err
		}
		defer f.Close()
		if err := f.Truncate(size); err != nil {
			return err
		}
		return Write(f, size, tree, p)
	})
	return retained, peak
}
