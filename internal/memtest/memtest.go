// Package memtest helps tests show that a filesystem writer's memory does
// not grow with the tree it writes: they build spilled trees
// (fstree.BuildOptions.SpillDir) of N and 2N files from one source
// directory and compare the heap retained after planning and the largest
// live heap while writing.
package memtest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// PerPackage is the number of files in each top directory of a source
// tree.
const PerPackage = 1000

// Epoch is SOURCE_DATE_EPOCH of the trees Tree builds.
var Epoch = time.Unix(1700000000, 0)

// SourceTree creates files of 1 to maxSize bytes in directories of ten,
// PerPackage files per top directory pkg-NNNN, and returns its path.
func SourceTree(t testing.TB, files, maxSize int) string {
	root := t.TempDir()
	data := make([]byte, maxSize)
	for i := range data {
		data[i] = byte(i*7 + 1)
	}
	for i := 0; i < files; i++ {
		dir := filepath.Join(root, fmt.Sprintf("pkg-%04d", i/PerPackage), fmt.Sprintf("dir-%05d", i/10))
		if i%10 == 0 {
			if err := os.MkdirAll(dir, 0755); err != nil {
				t.Fatal(err)
			}
		}
		name := filepath.Join(dir, fmt.Sprintf("file-with-a-longish-name-%06d", i))
		if err := os.WriteFile(name, data[:1+i*7919%maxSize], 0644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// Entries is the number of files and directories in a tree of files
// files.
func Entries(files int) int64 { return int64(files + files/10 + files/PerPackage) }

// Tree builds a spilled tree of the first files of src (whole top
// directories, one copy line each), closed when the test ends.
func Tree(t testing.TB, src string, files int) *fstree.Tree {
	var copies []fstree.Copy
	for i := 0; i < files/PerPackage; i++ {
		name := fmt.Sprintf("pkg-%04d", i)
		copies = append(copies, fstree.Copy{Source: filepath.Join(src, name), Target: "/" + name, HostPath: true})
	}
	tree, _, err := fstree.Build(fstree.BuildOptions{
		Copies:          copies,
		Owner:           fstree.OwnerRoot,
		SourceDateEpoch: &Epoch,
		DefaultTime:     Epoch,
		SpillDir:        t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tree.Close() })
	return tree
}

// LiveHeap returns the heap in use after a full collection.
func LiveHeap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// PeakLive runs fn and returns the largest live heap reported at the end
// of a GC cycle while it ran. Callers make cycles frequent
// (debug.SetGCPercent) so that the peak is seen.
func PeakLive(fn func() error) (int64, error) {
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
