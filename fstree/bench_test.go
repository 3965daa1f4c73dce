package fstree

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/gorepart/gorepart/internal/heapstat"
	"github.com/gorepart/gorepart/internal/storegen"
)

// The scan benchmark reads a synthetic Nix store made by
// internal/storegen. Set FSTREE_BENCH_DIR to a tree made beforehand (the
// issue's target is the large scale: 150k files), e.g.
//
//	go run ./internal/storegen/cmd/gen-store -scale large /var/tmp/store-large
//	FSTREE_BENCH_DIR=/var/tmp/store-large go test -run - -bench Scan ./fstree
//
// Without it the benchmark generates the small scale (20k files) itself.
// "tree" copies the store as one CopyFiles= line; "closure" as nixpkgs
// does, one manifest (host path) line per store path.
//
// Reported: ns per node and per regular file (wall clock), CPU ns per node
// (user+system, less sensitive to a busy machine), heap bytes per node of
// the finished tree, and find -printf over the same tree (stat of every
// entry, no xattrs, one core) as the floor, with the wall-clock and CPU
// ratios.
func BenchmarkScan(b *testing.B) {
	dir := benchTree(b)
	store := filepath.Join(dir, "nix/store")
	names, err := os.ReadDir(store)
	if err != nil {
		b.Fatal(err)
	}
	var closure []Copy
	for _, n := range names {
		closure = append(closure, Copy{Source: filepath.Join(store, n.Name()), Target: "/nix/store/" + n.Name(), HostPath: true})
	}
	findWall, findCPU := findFloor(b, store)
	for _, bc := range []struct {
		name   string
		copies []Copy
	}{
		{"tree", []Copy{{Source: "/nix/store", Target: "/nix/store"}}},
		{"closure", closure},
	} {
		b.Run(bc.name, func(b *testing.B) {
			benchScan(b, BuildOptions{Copies: bc.copies, CopySource: dir, Owner: OwnerRoot}, findWall, findCPU)
		})
	}
}

func benchScan(b *testing.B, opts BuildOptions, findWall, findCPU time.Duration) {
	// Warm the dentry and inode caches, as find also saw them.
	tree, _, err := Build(opts)
	if err != nil {
		b.Fatal(err)
	}
	s := summarize(b, tree)
	nodes := float64(s.Entries + 1)
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
	perNode := float64(after.HeapAlloc-before.HeapAlloc) / nodes
	runtime.KeepAlive(kept)
	kept = nil

	cpu0 := heapstat.CPU()
	start := time.Now()
	n := 0
	for b.Loop() {
		if _, _, err := Build(opts); err != nil {
			b.Fatal(err)
		}
		n++
	}
	wall := float64(time.Since(start).Nanoseconds()) / float64(n)
	cpu := float64((heapstat.CPU() - cpu0).Nanoseconds()) / float64(n)

	b.ReportMetric(nodes, "nodes")
	b.ReportMetric(wall/nodes, "ns/node")
	b.ReportMetric(wall/float64(s.Files), "ns/file")
	b.ReportMetric(cpu/nodes, "cpu-ns/node")
	b.ReportMetric(perNode, "heapB/node")
	b.ReportMetric(float64(findWall.Nanoseconds())/nodes, "find-ns/node")
	b.ReportMetric(wall/float64(findWall.Nanoseconds()), "x-find")
	b.ReportMetric(cpu/float64(findCPU.Nanoseconds()), "x-find-cpu")
}

// findFloor runs find -printf over dir three times and returns the best
// wall-clock and CPU times.
func findFloor(b *testing.B, dir string) (wall, cpu time.Duration) {
	find, err := exec.LookPath("find")
	if err != nil {
		b.Fatalf("find not found (install findutils): %v", err)
	}
	wall, cpu = time.Duration(1<<63-1), time.Duration(1<<63-1)
	for range 3 {
		cmd := exec.Command(find, dir, "-printf", "%y %m %U %G %T@ %s %p %l\n")
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("find: %v", err)
		}
		wall = min(wall, time.Since(start))
		cpu = min(cpu, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
	}
	return wall, cpu
}

// benchTree returns FSTREE_BENCH_DIR or a freshly generated small store.
func benchTree(b *testing.B) string {
	if d := os.Getenv("FSTREE_BENCH_DIR"); d != "" {
		return d
	}
	dir := filepath.Join(b.TempDir(), "store")
	b.Cleanup(func() { makeWritable(dir) })
	if _, err := storegen.Generate(dir, storegen.Params{Scale: "small", Seed: 1}, nil); err != nil {
		b.Fatalf("generating the small tree: %v", err)
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

// BenchmarkSpill builds the benchmark tree (FSTREE_BENCH_DIR, copied to
// "/" as one CopyFiles= line) in memory and with SpillDir (in the
// system's temporary directory), reporting per build the wall time
// (ns/node), the heap the finished tree retains (retained-MB,
// heapB/node), the time Summarize takes to walk it (summarize-ns/node:
// reading the records back) and the spill file's size. Run both at once
// to compare:
//
//	FSTREE_BENCH_DIR=/var/tmp/gorepart-bench/large-1 go test -run - -bench Spill -count 5 ./fstree
func BenchmarkSpill(b *testing.B) {
	dir := benchTree(b)
	for _, spill := range []bool{false, true} {
		name := "memory"
		if spill {
			name = "spill"
		}
		b.Run(name, func(b *testing.B) {
			opts := BuildOptions{Copies: []Copy{{Source: "/", Target: "/"}}, CopySource: dir, Owner: OwnerRoot}
			if spill {
				opts.SpillDir = b.TempDir()
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			tree, _, err := Build(opts)
			if err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			retained := float64(after.HeapAlloc) - float64(before.HeapAlloc)
			walkStart := time.Now()
			s := summarize(b, tree)
			walk := time.Since(walkStart)
			nodes := float64(s.Entries + 1)
			var file int64
			if tree.spill != nil {
				file = tree.spill.end
			}
			runtime.KeepAlive(tree)
			if err := tree.Close(); err != nil {
				b.Fatal(err)
			}
			tree = nil

			n := 0
			start := time.Now()
			for b.Loop() {
				t, _, err := Build(opts)
				if err != nil {
					b.Fatal(err)
				}
				if err := t.Close(); err != nil {
					b.Fatal(err)
				}
				n++
			}
			wall := float64(time.Since(start).Nanoseconds()) / float64(n)
			b.ReportMetric(nodes, "nodes")
			b.ReportMetric(wall/nodes, "ns/node")
			b.ReportMetric(retained/(1<<20), "retained-MB")
			b.ReportMetric(retained/nodes, "heapB/node")
			b.ReportMetric(float64(walk.Nanoseconds())/nodes, "summarize-ns/node")
			b.ReportMetric(float64(file)/(1<<20), "spill-MB")
		})
	}
}
