package verity

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/gorepart/gorepart/internal/heapstat"
)

// TestBuildMemoryBounded builds the tree of a 2 GiB sparse data file (it
// reads as zeros) into an *os.File and checks that the largest live heap
// while Build runs (sampled at the end of every GC cycle, with the GC made
// to run often) stays less than peakLimit above the heap before: the
// workers' 1 MiB buffers (four workers here), not the 16 MiB hash area.
// When Build kept the area in memory, this test measured 20 MiB.
func TestBuildMemoryBounded(t *testing.T) {
	const (
		dataSize  = 2 << 30
		peakLimit = 8 << 20
	)
	dir := t.TempDir()
	data, err := os.Create(filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	defer data.Close()
	if err := data.Truncate(dataSize); err != nil {
		t.Fatal(err)
	}
	hash, err := os.Create(filepath.Join(dir, "hash"))
	if err != nil {
		t.Fatal(err)
	}
	defer hash.Close()
	p := Params{DataBlockSize: 4096, HashBlockSize: 4096, Salt: make([]byte, 32)}

	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	defer debug.SetGCPercent(debug.SetGCPercent(5))
	base := heapstat.Live()
	peak, err := heapstat.PeakLive(func() error {
		_, err := Build(data, dataSize, hash, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("peak live heap %.1f MiB above the %.1f MiB before, for a %d MiB hash area",
		float64(peak-base)/(1<<20), float64(base)/(1<<20), HashSize(dataSize, p)>>20)
	if peak-base > peakLimit {
		t.Errorf("peak live heap %d bytes above the baseline: more than %d", peak-base, peakLimit)
	}
	fi, err := hash.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != HashSize(dataSize, p) {
		t.Errorf("hash file of %d bytes, want %d", fi.Size(), HashSize(dataSize, p))
	}
}
