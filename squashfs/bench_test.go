package squashfs

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/heapstat"
	"github.com/gorepart/gorepart/internal/testutil"
)

// benchSource is the tree the benchmark builds from: $SQUASHFS_BENCH_SRC,
// or a generated one of 20,000 files (text-like, mostly small, 1% of a
// few MiB, 5% repeated) in 200 directories, about 300 MB.
func benchSource(b *testing.B) string {
	if s := os.Getenv("SQUASHFS_BENCH_SRC"); s != "" {
		return s
	}
	root := filepath.Join(b.TempDir(), "src")
	r := rand.New(rand.NewSource(1))
	words := []string{"squash ", "block ", "inode ", "the ", "fragment ", "\n", "data ", "131072 ", "lib", "so.1 "}
	var prev []byte
	for i := 0; i < 20000; i++ {
		d := filepath.Join(root, fmt.Sprintf("pkg%03d", i/1000), fmt.Sprintf("d%04d", i/100))
		if i%100 == 0 {
			if err := os.MkdirAll(d, 0755); err != nil {
				b.Fatal(err)
			}
		}
		n := r.Intn(16384)
		if i%100 == 0 {
			n = 1<<20 + r.Intn(4<<20)
		}
		data := make([]byte, 0, n)
		for len(data) < n {
			data = append(data, words[r.Intn(len(words))]...)
		}
		if i%20 == 7 && prev != nil {
			data = prev
		}
		prev = data
		if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("file-%05d", i)), data, 0644); err != nil {
			b.Fatal(err)
		}
	}
	return root
}

// BenchmarkVsMksquashfs writes the same tree with Write and with
// mksquashfs (as repart runs it: -noappend, -comp, SOURCE_DATE_EPOCH)
// and reports both times, CPU times, sizes and their ratios:
//
//	go test -run XXX -bench VsMksquashfs -benchtime 1x ./squashfs/
func BenchmarkVsMksquashfs(b *testing.B) {
	mksquashfs := testutil.Tool(b, "mksquashfs", "squashfs-tools")
	src := benchSource(b)
	epoch := time.Unix(1, 0)
	tr, _, err := fstree.Build(fstree.BuildOptions{
		Copies:          []fstree.Copy{{Source: "/", Target: "/"}},
		CopySource:      src,
		SourceDateEpoch: &epoch,
		DefaultTime:     epoch,
	})
	if err != nil {
		b.Fatal(err)
	}
	testutil.WarmCache(b, tr)
	dir := b.TempDir()
	for _, comp := range []string{"gzip", "zstd"} {
		b.Run("comp="+comp, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				img := filepath.Join(dir, "gorepart.img")
				st, cpu0 := time.Now(), heapstat.CPU()
				size, copyTime := writeFile(b, tr, img, Params{Compression: comp, Time: epoch, TempDir: dir})
				ours, oursCPU := time.Since(st), heapstat.CPU()-cpu0
				os.Remove(img)

				ref := filepath.Join(dir, "mksquashfs.img")
				cmd := exec.Command(mksquashfs, src, ref, "-noappend", "-quiet", "-no-progress", "-comp", comp)
				cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=1")
				st = time.Now()
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("mksquashfs: %v\n%s", err, out)
				}
				theirs := time.Since(st)
				theirsCPU := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
				fi, err := os.Stat(ref)
				if err != nil {
					b.Fatal(err)
				}
				os.Remove(ref)
				b.ReportMetric(ours.Seconds(), "gorepart-s")
				b.ReportMetric(theirs.Seconds(), "mksquashfs-s")
				b.ReportMetric(theirs.Seconds()/ours.Seconds(), "speedup")
				b.ReportMetric(oursCPU.Seconds(), "gorepart-cpu-s")
				b.ReportMetric(copyTime.Seconds(), "copy-s")
				b.ReportMetric(theirsCPU.Seconds(), "mksquashfs-cpu-s")
				b.ReportMetric(float64(size)/(1<<20), "gorepart-MiB")
				b.ReportMetric(float64(fi.Size())/(1<<20), "mksquashfs-MiB")
				b.ReportMetric(float64(size)/float64(fi.Size()), "size-ratio")
				b.ReportMetric(heapstat.PeakRSS(), "peak-RSS-MiB")
			}
		})
	}
}

// writeFile plans, sizes and writes tr into the file img; it returns the
// size and the time Write took (copying the built image).
func writeFile(b testing.TB, tr *fstree.Tree, img string, p Params) (int64, time.Duration) {
	pl, err := NewPlan(tr, p)
	if err != nil {
		b.Fatal(err)
	}
	defer pl.Close()
	size, err := pl.MinSize()
	if err != nil {
		b.Fatal(err)
	}
	f, err := os.Create(img)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		b.Fatal(err)
	}
	st := time.Now()
	if err := pl.Write(f, size); err != nil {
		b.Fatal(err)
	}
	return size, time.Since(st)
}
