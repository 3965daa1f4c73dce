// Package memtest helps tests show that a filesystem writer's memory does
// not grow with the tree it writes: they build spilled trees
// (fstree.BuildOptions.SpillDir) of N and 2N files from one source
// directory and compare the heap retained after planning
// (heapstat.Live) and the largest live heap while writing
// (heapstat.PeakLive).
package memtest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/heapstat"
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
	tree := build(t, src, files)
	t.Cleanup(func() { tree.Close() })
	return tree
}

// Retained returns the heap that a spilled tree of the first files of src
// and what plan makes of it keep allocated: the median of three readings,
// each against the live heap just before its tree was built, so that one
// reading thrown off by garbage freed mid-measurement (once a whole MiB,
// in CI) does not decide the result.
func Retained(t testing.TB, src string, files int, plan func(*fstree.Tree) (any, error)) int64 {
	var readings [3]int64
	for i := range readings {
		base := heapstat.Live()
		tree := build(t, src, files)
		pl, err := plan(tree)
		if err != nil {
			tree.Close()
			t.Fatal(err)
		}
		readings[i] = heapstat.Live() - base
		runtime.KeepAlive(pl)
		runtime.KeepAlive(tree)
		if err := tree.Close(); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(readings[:])
	return readings[1]
}

// build builds a spilled tree of the first files of src; the caller
// closes it.
func build(t testing.TB, src string, files int) *fstree.Tree {
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
	return tree
}

// BestPeak runs write three times with the garbage collector made to run
// often (GOGC=5) and returns the smallest of the three peaks of the live
// heap (heapstat.PeakLive): which allocations a GC cycle happens to see
// makes single readings vary.
func BestPeak(t testing.TB, write func() error) int64 {
	t.Helper()
	defer debug.SetGCPercent(debug.SetGCPercent(5))
	var best int64
	for run := 0; run < 3; run++ {
		pk, err := heapstat.PeakLive(write)
		if err != nil {
			t.Fatal(err)
		}
		if run == 0 || pk < best {
			best = pk
		}
	}
	return best
}
