package erofs

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/memtest"
)

// TestMemoryFlat checks that planning and writing an image keep only a
// few bytes per inode, on spilled trees (fstree.BuildOptions.SpillDir) of
// N and 2N files:
//   - what stays allocated after Build and planning (the tree's spill
//     index, 16 bytes per directory; the plan's nids, 4 bytes per inode,
//     and the first inode number of every directory, 4 bytes more per
//     directory; the median of three readings) grows by less than
//     retainedPerEntry bytes per extra entry (about 6 in this tree of
//     directories of ten files);
//   - the largest live heap seen while Write runs, uncompressed and with
//     lz4 (sampled at the end of every GC cycle, with the GC made to run
//     often; the best of three runs) grows by less than peakPerEntry
//     bytes per extra entry: besides what planning keeps, the batches of
//     inodes in flight and the listings of directories still to walk are
//     bounded (the latter at pendingEntries entries, which this tree's
//     top directories fill at 2N files: about 20 bytes per extra entry
//     here; lz4's compression buffers make its peak vary by about a MiB).
//
// When the plan held every directory's entries and a 48-byte node per
// inode, this test measured 305 bytes per extra entry retained and 288 at
// the peak.
func TestMemoryFlat(t *testing.T) {
	const (
		n                = 20000
		retainedPerEntry = 8
		peakPerEntry     = 128
	)
	src := memtest.SourceTree(t, 2*n, 2*blockSize)
	entries := memtest.Entries(2*n) - memtest.Entries(n)
	for _, comp := range []string{"", "lz4"} {
		ret1, peak1 := memoryUse(t, src, n, comp)
		ret2, peak2 := memoryUse(t, src, 2*n, comp)
		if comp == "" {
			t.Logf("retained after planning: %d files %d KiB, %d files %d KiB: %.1f bytes per extra entry",
				n, ret1>>10, 2*n, ret2>>10, float64(ret2-ret1)/float64(entries))
			if ret2-ret1 > retainedPerEntry*entries {
				t.Errorf("retained heap grows by %d bytes for %d more entries: more than %d bytes each", ret2-ret1, entries, retainedPerEntry)
			}
		}
		t.Logf("compression %q: peak live heap: %d files %.1f MiB, %d files %.1f MiB: %.1f bytes per extra entry",
			comp, n, float64(peak1)/(1<<20), 2*n, float64(peak2)/(1<<20), float64(peak2-peak1)/float64(entries))
		if peak2-peak1 > peakPerEntry*entries {
			t.Errorf("compression %q: peak live heap grows by %d bytes for %d more entries: more than %d bytes each", comp, peak2-peak1, entries, peakPerEntry)
		}
	}
}

// memoryUse returns the heap that a spilled tree of the first files of src
// (whole pkg-NNNN directories, one copy line each) and its plan keep
// allocated (uncompressed only: a compressed image is laid out while it is
// written), and the smallest of three peaks of the live heap while Write
// runs.
func memoryUse(t *testing.T, src string, files int, comp string) (retained, peak int64) {
	p := Params{BuildTime: memtest.Epoch, Compression: comp, CompressionLevel: -1}
	if comp == "" {
		retained = memtest.Retained(t, src, files, func(tree *fstree.Tree) (any, error) {
			pl, err := newPlan(tree, &p)
			if err != nil {
				return nil, err
			}
			_, err = pl.layoutMeta(pl.dataEnd)
			return pl, err
		})
	}
	tree := memtest.Tree(t, src, files)
	peak = memtest.BestPeak(t, func() error {
		f, err := os.Create(filepath.Join(t.TempDir(), "img"))
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = Write(f, tree, p)
		return err
	})
	return retained, peak
}
