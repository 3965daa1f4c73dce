package ext4

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/storegen"
	"github.com/gorepart/gorepart/internal/testutil"
)

// benchSource generates (once, cached in the temporary directory) a
// synthetic Nix store with internal/storegen; GOREPART_BENCH_SCALE picks
// small (default, ~20k files) or large (~150k files).
func benchSource(b *testing.B) (string, *fstree.Tree) {
	scale := os.Getenv("GOREPART_BENCH_SCALE")
	if scale == "" {
		scale = "small"
	}
	dir := filepath.Join(os.TempDir(), "gorepart-ext4-bench", scale)
	if _, err := os.Stat(filepath.Join(dir, ".done")); err != nil {
		testutil.MakeWritable(dir)
		os.RemoveAll(dir)
		if _, err := storegen.Generate(dir, storegen.Params{Scale: scale, Seed: 1}, nil); err != nil {
			b.Fatalf("generating the %s tree: %v", scale, err)
		}
		if err := os.WriteFile(filepath.Join(dir, ".done"), nil, 0644); err != nil {
			b.Fatal(err)
		}
	}
	epoch := time.Unix(1700000000, 0)
	tree, _, err := fstree.Build(fstree.BuildOptions{
		Copies:          []fstree.Copy{{Source: filepath.Join(dir, "nix"), Target: "/nix", HostPath: true}},
		Owner:           fstree.OwnerRoot,
		KeepHardlinks:   true,
		SourceDateEpoch: &epoch,
		DefaultTime:     epoch,
	})
	if err != nil {
		b.Fatal(err)
	}
	return dir, tree
}

// mkfsExt4 runs mkfs.ext4 the way systemd-repart does (spec §8.2) and
// returns its wall time and peak RSS.
func mkfsExt4(b *testing.B, img string, size int64, root string, p Params) (time.Duration, int64) {
	mkfs := testutil.Tool(b, "mkfs.ext4", "e2fsprogs")
	os.Remove(img)
	f, err := os.Create(img)
	if err != nil {
		b.Fatal(err)
	}
	f.Truncate(size)
	f.Close()
	u := fmt.Sprintf("%x-%x-%x-%x-%x", p.UUID[0:4], p.UUID[4:6], p.UUID[6:8], p.UUID[8:10], p.UUID[10:16])
	cmd := exec.Command(mkfs, "-L", p.Label, "-U", u, "-I", "256", "-m", "0",
		"-E", "discard,lazy_itable_init=1,hash_seed="+u, "-b", "4096", "-T", "default", "-d", root, "-q", img)
	cmd.Env = append(os.Environ(), "MKE2FS_DEVICE_SECTSIZE=4096", fmt.Sprintf("E2FSPROGS_FAKE_TIME=%d", p.Time.Unix()))
	rssFile := img + ".rss"
	if tm, err := exec.LookPath("time"); err == nil {
		// ru_maxrss of a child includes the parent's RSS at fork, so
		// let GNU time (a small parent) measure mkfs.
		cmd.Args = append([]string{tm, "-f", "%M", "-o", rssFile}, cmd.Args...)
		cmd.Path = tm
	}
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("mkfs.ext4: %v\n%s", err, out)
	}
	d := time.Since(start)
	var kb int64
	if data, err := os.ReadFile(rssFile); err == nil {
		fmt.Sscan(string(data), &kb)
	}
	return d, kb * 1024
}

// allocatedBytes is what repart measures after its trial mkfs: the bytes
// of a sparse file that are not holes.
func allocatedBytes(b *testing.B, path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return st.Sys().(*syscall.Stat_t).Blocks * 512
}

// BenchmarkWriteVsMkfs compares Write with mkfs.ext4 -d on the same tree
// and size, and MinSize (with repart's ×1.5 headroom) with repart's
// Minimize=guess size.
func BenchmarkWriteVsMkfs(b *testing.B) {
	root, tree := benchSource(b)
	p := testParams()
	min, err := MinSize(tree, p)
	if err != nil {
		b.Fatal(err)
	}
	size := (min + min/2 + 4095) &^ 4095
	dir := b.TempDir()
	img := filepath.Join(dir, "ours.img")
	var start time.Time
	// Both sides run with the sources in the page cache: one untimed
	// Write first (mkfs runs after ours).
	for i := -1; i < b.N; i++ {
		if i == 0 {
			b.ResetTimer()
			start = time.Now()
		}
		os.Remove(img)
		f, err := os.Create(img)
		if err != nil {
			b.Fatal(err)
		}
		f.Truncate(size)
		if err := Write(f, size, tree, p); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	ours := time.Since(start) / time.Duration(b.N)
	b.StopTimer()
	var rss syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &rss)

	mkfsImg := filepath.Join(dir, "mkfs.img")
	mkfsTime, mkfsRSS := mkfsExt4(b, mkfsImg, size, root, p)
	// repart's Minimize=guess: populate a 1 TiB sparse file, measure the
	// allocated bytes, add half, then run mkfs again at that size.
	guessTime, _ := mkfsExt4(b, mkfsImg, 1<<40, root, p)
	fsz := allocatedBytes(b, mkfsImg)
	guess := (fsz + fsz/2 + 4095) &^ 4095
	secondTime, _ := mkfsExt4(b, mkfsImg, guess, root, p)
	os.Remove(mkfsImg)

	b.ReportMetric(ours.Seconds(), "ours-s")
	b.ReportMetric(mkfsTime.Seconds(), "mkfs-s")
	b.ReportMetric(mkfsTime.Seconds()/ours.Seconds(), "x-faster-than-mkfs")
	b.ReportMetric((guessTime+secondTime).Seconds()/ours.Seconds(), "x-faster-than-repart-guess")
	b.ReportMetric(float64(rss.Maxrss)/1024, "peak-RSS-MiB")
	b.ReportMetric(float64(mkfsRSS)/(1<<20), "mkfs-peak-RSS-MiB")
	b.ReportMetric(float64(min)/(1<<20), "minsize-MiB")
	b.ReportMetric(float64(size)/(1<<20), "minsize+50%-MiB")
	b.ReportMetric(float64(guess)/(1<<20), "repart-guess-MiB")
}
