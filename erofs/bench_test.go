package erofs

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// benchSource is the tree the benchmarks build from: $EROFS_BENCH_SRC, or
// the "small" synthetic Nix store of ../../shared/bench/gen-store.py,
// generated once into a temporary directory.
func benchSource(b *testing.B) string {
	if s := os.Getenv("EROFS_BENCH_SRC"); s != "" {
		return s
	}
	gen, err := filepath.Abs("../../shared/bench/gen-store.py")
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(b.TempDir(), "src")
	if out, err := exec.Command("python3", gen, "--scale", "small", dir).CombinedOutput(); err != nil {
		b.Fatalf("gen-store.py: %v\n%s", err, out)
	}
	return dir
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
	mkfs := needTool(b, "mkfs.erofs", "erofs-utils")
	src := benchSource(b)
	tr := buildTree(b, src)
	dir := b.TempDir()
	for _, comp := range []string{"", "lz4hc"} {
		b.Run("comp="+comp, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				img := filepath.Join(dir, "gorepart.img")
				st := time.Now()
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
				ours := time.Since(st)

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
				fi, err := os.Stat(ref)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(ours.Seconds(), "gorepart-s")
				b.ReportMetric(theirs.Seconds(), "mkfs-s")
				b.ReportMetric(theirs.Seconds()/ours.Seconds(), "speedup")
				b.ReportMetric(float64(size)/(1<<20), "gorepart-MiB")
				b.ReportMetric(float64(fi.Size())/(1<<20), "mkfs-MiB")
				b.ReportMetric(float64(size)/float64(fi.Size()), "size-ratio")
			}
		})
	}
}
