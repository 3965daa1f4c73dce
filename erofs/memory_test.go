package erofs

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// TestMemoryFlat checks that planning and writing an image keep only a
// few bytes per inode, on spilled trees (fstree.BuildOptions.SpillDir) of
// N and 2N files:
//   - what stays allocated after Build and planning (the tree's spill
//     index, 16 bytes per directory; the plan's nids, 4 bytes per inode,
//     and the first inode number of every directory, 4 bytes more per
//     directory) grows by less than retainedPerEntry bytes per extra entry
//     (about 6 in this tree of directories of ten files);
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
	src := makeSourceTree(t, 2*n)
	entries := int64(n + n/10 + n/1000) // files and directories
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

// makeSourceTree creates files (of 1 byte to 2 blocks) in directories of
// ten, a thousand files per top directory pkg-NNNN.
func makeSourceTree(t *testing.T, files int) string {
	root := t.TempDir()
	data := make([]byte, 2*blockSize)
	for i := range data {
		data[i] = byte(i*7 + 1)
	}
	for i := 0; i < files; i++ {
		dir := filepath.Join(root, fmt.Sprintf("pkg-%04d", i/1000), fmt.Sprintf("dir-%05d", i/10))
		if i%10 == 0 {
			if err := os.MkdirAll(dir, 0755); err != nil {
				t.Fatal(err)
			}
		}
		size := 1 + i%1000
		if i%7 == 0 {
			size = 1 + i%len(data)
		}
		name := filepath.Join(dir, fmt.Sprintf("file-with-a-longish-name-%06d", i))
		if err := os.WriteFile(name, data[:size], 0644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// memoryUse builds a spilled tree of the first files of src (whole
// pkg-NNNN directories, one copy line each) and returns the heap still
// allocated after Build and planning (uncompressed only: a compressed
// image is laid out while it is written), and the smallest of three peaks
// of the live heap while Write runs.
func memoryUse(t *testing.T, src string, files int, comp string) (retained, peak int64) {
	epoch := time.Unix(1700000000, 0)
	var copies []fstree.Copy
	for i := 0; i < files/1000; i++ {
		name := fmt.Sprintf("pkg-%04d", i)
		copies = append(copies, fstree.Copy{Source: filepath.Join(src, name), Target: "/" + name, HostPath: true})
	}
	base := liveHeap()
	tree, _, err := fstree.Build(fstree.BuildOptions{
		Copies:          copies,
		Owner:           fstree.OwnerRoot,
		SourceDateEpoch: &epoch,
		DefaultTime:     epoch,
		SpillDir:        t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	p := Params{BuildTime: epoch, Compression: comp, CompressionLevel: -1}
	if comp == "" {
		pl, err := newPlan(tree, &p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pl.layoutMeta(pl.dataEnd); err != nil {
			t.Fatal(err)
		}
		retained = liveHeap() - base
		runtime.KeepAlive(pl)
	}

	defer debug.SetGCPercent(debug.SetGCPercent(5))
	for run := 0; run < 3; run++ {
		pk, err := peakLive(func() error {
			f, err := os.Create(filepath.Join(t.TempDir(), "img"))
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = Write(f, tree, p)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if run == 0 || pk < peak {
			peak = pk
		}
	}
	return retained, peak
}

func liveHeap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// peakLive runs fn and returns the largest live heap reported at the end
// of a GC cycle while it ran.
func peakLive(fn func() error) (int64, error) {
	runtime.GC()
	stop := make(chan struct{})
	var peak int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			metrics.Read(s)
			peak = max(peak, int64(s[0].Value.Uint64()))
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Microsecond):
			}
		}
	}()
	err := fn()
	runtime.GC()
	close(stop)
	wg.Wait()
	return peak, err
}
