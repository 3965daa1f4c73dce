package ext4

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

// TestMemoryFlat checks that sizing and writing a filesystem keep nothing
// per inode, on spilled trees (fstree.BuildOptions.SpillDir) of N and 2N
// files:
//   - what stays allocated after Build and planning (the spill index, the
//     demand records) grows by less than retainedPerEntry bytes per extra
//     entry;
//   - the largest live heap seen while MinSize and Write run (sampled at
//     the end of every GC cycle, with the GC made to run often; the best of
//     three runs) stays under peakMax and grows by less than peakPerEntry
//     bytes per extra entry. The peak is about 16 MiB either way (8 MiB of
//     write buffers, one group's inode table, the write jobs in flight);
//     how full the jobs in flight are when a GC ends makes it vary by up to
//     1.6 MiB from run to run, so this half is a coarse guard: it fails
//     when anything is again kept per inode.
//
// Before the tree was walked instead of held, the content tree cost ~200
// bytes per inode and the writer's plan 56 more: 256 bytes per entry.
func TestMemoryFlat(t *testing.T) {
	const (
		n                = 20000
		retainedPerEntry = 8
		peakPerEntry     = 128
		peakMax          = 24 << 20
	)
	src := makeSourceTree(t, 2*n)
	entries := int64(n + n/10 + n/1000) // files and directories
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

// makeSourceTree creates files (of 1 to 3 blocks) in directories of ten,
// a thousand files per top directory pkg-NNNN.
func makeSourceTree(t *testing.T, files int) string {
	root := t.TempDir()
	data := make([]byte, 3*blockSize)
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
		name := filepath.Join(dir, fmt.Sprintf("file-with-a-longish-name-%06d", i))
		if err := os.WriteFile(name, data[:1+i%(len(data)-1)], 0644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// memoryUse builds a spilled tree of the first files of src (whole
// pkg-NNNN directories, one copy line each) and returns the heap still
// allocated after Build and planning, and the smallest of three peaks of
// the live heap while MinSize and Write run.
func memoryUse(t *testing.T, src string, files int) (retained, peak int64) {
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
	p := testParams()
	pl, err := newPlan(tree, p)
	if err != nil {
		t.Fatal(err)
	}
	retained = liveHeap() - base
	runtime.KeepAlive(pl)

	defer debug.SetGCPercent(debug.SetGCPercent(5))
	for run := 0; run < 3; run++ {
		pk, err := peakLive(func() error {
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
