package fstree

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// The scan benchmark reads a synthetic Nix store made by
// ../../shared/bench/gen-store.py. Set FSTREE_BENCH_DIR to a tree made
// beforehand (the target is --scale large: 150k files), e.g.
//
//	python3 gen-store.py --scale large /var/tmp/store-large
//	FSTREE_BENCH_DIR=/var/tmp/store-large go test -run - -bench Scan ./fstree
//
// Without it the benchmark generates --scale small (20k files) itself.
// It reports ns per node and per regular file, heap bytes per node of the finished tree, and
// the same tree listed by find -printf (stat of every entry, no xattrs)
// as the floor, with the ratio.
func BenchmarkScan(b *testing.B) {
	dir := benchTree(b)
	opts := BuildOptions{
		Copies:     []Copy{{Source: "/nix/store", Target: "/nix/store"}},
		CopySource: dir,
		Owner:      OwnerRoot,
	}
	// Warm the dentry and inode caches, as find below will also see them.
	tree, _, err := Build(opts)
	if err != nil {
		b.Fatal(err)
	}
	s := Summarize(tree)
	nodes := s.Entries + 1
	tree = nil

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	kept, _, err := Build(opts)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perNode := float64(after.HeapAlloc-before.HeapAlloc) / float64(nodes)
	runtime.KeepAlive(kept)
	kept = nil

	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if _, _, err := Build(opts); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	nsPerNode := float64(elapsed.Nanoseconds()) / float64(b.N) / float64(nodes)

	findNs := findFloor(b, filepath.Join(dir, "nix/store")) / float64(nodes)
	b.ReportMetric(float64(nodes), "nodes")
	b.ReportMetric(nsPerNode, "ns/node")
	b.ReportMetric(nsPerNode*float64(nodes)/float64(s.Files), "ns/file")
	b.ReportMetric(perNode, "heapB/node")
	b.ReportMetric(findNs, "find-ns/node")
	b.ReportMetric(nsPerNode/findNs, "x-find")
}

// findFloor times find -printf over dir (best of three), in ns.
func findFloor(b *testing.B, dir string) float64 {
	find, err := exec.LookPath("find")
	if err != nil {
		b.Fatalf("find not found (install findutils): %v", err)
	}
	best := time.Duration(1<<63 - 1)
	for range 3 {
		cmd := exec.Command(find, dir, "-printf", "%y %m %U %G %T@ %s %p %l\n")
		cmd.Stdout = nil // discard
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("find: %v", err)
		}
		best = min(best, time.Since(start))
	}
	return float64(best.Nanoseconds())
}

// benchTree returns FSTREE_BENCH_DIR or a freshly generated small store.
func benchTree(b *testing.B) string {
	if d := os.Getenv("FSTREE_BENCH_DIR"); d != "" {
		return d
	}
	gen, err := filepath.Abs("../../shared/bench/gen-store.py")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(gen); err != nil {
		b.Fatalf("generator missing (%v): set FSTREE_BENCH_DIR to a tree made by gen-store.py", err)
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		b.Fatalf("python3 not found (install python3): %v", err)
	}
	dir := b.TempDir()
	b.Cleanup(func() { makeWritable(dir) })
	out, err := exec.Command(py, gen, "--scale", "small", dir).CombinedOutput()
	if err != nil {
		b.Fatalf("gen-store.py: %v\n%s", err, out)
	}
	return dir
}

// makeWritable lets TempDir's cleanup remove a tree with 0555 directories.
func makeWritable(dir string) {
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.Chmod(p, 0o755)
		}
		return nil
	})
}
