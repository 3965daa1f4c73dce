package erofs

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/heapstat"
	"github.com/gorepart/gorepart/internal/testutil"
)

// benchSource is the tree the benchmarks build from: $EROFS_BENCH_SRC, or
// the "small" synthetic Nix store of internal/storegen, generated into a
// temporary directory.
func benchSource(b *testing.B) string {
	if s := os.Getenv("EROFS_BENCH_SRC"); s != "" {
		return s
	}
	return testutil.StoreTree(b, "small")
}

func buildTree(b testing.TB, src string) *fstree.Tree {
	epoch := time.Unix(1, 0)
	tr, _, err := fstree.Build(fstree.BuildOptions{
		Copies:          []fstree.Copy{{Source: "/", Target: "/"}},
		CopySource:      src,
		SourceDateEpoch: &epoch,
		KeepHardlinks:   true,
	})
	if err != nil {
		b.Fatal(err)
	}
	return tr
}

// BenchmarkVsMkfs compares Write with mkfs.erofs on the same tree,
// uncompressed and with lz4hc, and reports times, sizes and ratios:
//
//	go test -run XXX -bench VsMkfs -benchtime 1x ./erofs/
func BenchmarkVsMkfs(b *testing.B) {
	mkfs := testutil.Tool(b, "mkfs.erofs", "erofs-utils")
	src := benchSource(b)
	tr := buildTree(b, src)
	runtime.GC()
	treeRSS := heapstat.PeakRSS()
	dir := b.TempDir()
	// Warm the page cache so that neither side pays for the first read.
	testutil.WarmCache(b, tr)
	for _, comp := range []string{"", "lz4hc"} {
		b.Run("comp="+comp, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				img := filepath.Join(dir, "gorepart.img")
				st, cpu0 := time.Now(), heapstat.CPU()
				f, err := os.Create(img)
				if err != nil {
					b.Fatal(err)
				}
				size, err := Write(f, tr, Params{BuildTime: time.Unix(1, 0), Compression: comp, CompressionLevel: -1})
				if err != nil {
					b.Fatal(err)
				}
				f.Truncate(size)
				f.Close()
				ours, oursCPU := time.Since(st), heapstat.CPU()-cpu0

				ref := filepath.Join(dir, "mkfs.img")
				os.Remove(ref)
				args := []string{"-U", "00000000-0000-0000-0000-000000000001", "--quiet"}
				if comp != "" {
					args = append(args, "-z"+comp)
				}
				args = append(args, ref, src)
				cmd := exec.Command(mkfs, args...)
				cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=1")
				st = time.Now()
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("mkfs.erofs: %v\n%s", err, out)
				}
				theirs := time.Since(st)
				theirsCPU := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
				fi, err := os.Stat(ref)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(ours.Seconds(), "gorepart-s")
				b.ReportMetric(theirs.Seconds(), "mkfs-s")
				b.ReportMetric(theirs.Seconds()/ours.Seconds(), "speedup")
				b.ReportMetric(oursCPU.Seconds(), "gorepart-cpu-s")
				b.ReportMetric(theirsCPU.Seconds(), "mkfs-cpu-s")
				b.ReportMetric(float64(size)/(1<<20), "gorepart-MiB")
				b.ReportMetric(float64(fi.Size())/(1<<20), "mkfs-MiB")
				b.ReportMetric(float64(size)/float64(fi.Size()), "size-ratio")
				b.ReportMetric(heapstat.PeakRSS(), "peak-RSS-MiB")
				b.ReportMetric(treeRSS, "tree-RSS-MiB")
			}
		})
	}
}
