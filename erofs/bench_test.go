package erofs

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
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
	treeRSS := peakRSS()
	dir := b.TempDir()
	// Warm the page cache so that neither side pays for the first read.
	if err := warmCache(tr); err != nil {
		b.Fatalf("warming the cache: %v", err)
	}
	for _, comp := range []string{"", "lz4hc"} {
		b.Run("comp="+comp, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				img := filepath.Join(dir, "gorepart.img")
				st, cpu0 := time.Now(), selfCPU()
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
				ours, oursCPU := time.Since(st), selfCPU()-cpu0

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
				b.ReportMetric(peakRSS(), "peak-RSS-MiB")
				b.ReportMetric(treeRSS, "tree-RSS-MiB")
			}
		})
	}
}

// peakRSS is the process's peak resident set size in MiB (VmHWM), which
// includes the fstree.Tree.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// selfCPU is the user and system time of this process so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// warmCache reads every regular file of tr once.
func warmCache(tr *fstree.Tree) error {
	return fstree.Walk(tr.Root, func(p string, e *fstree.Entry) error {
		if e.Inode.Kind != fstree.File {
			return nil
		}
		f, err := e.Inode.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(io.Discard, f)
		return err
	})
}
