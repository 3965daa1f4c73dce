package vfat

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/gorepart/gorepart/internal/testutil"
)

// BenchmarkESP writes a 200 MB ESP-like tree (two UKIs, boot loaders,
// drivers, loader entries) into a 400 MiB FAT32 with 4096-byte sectors,
// once with Write and once the way systemd-repart does it (mkfs.vfat, then
// mmd and batched mcopy per directory in sorted order, §8.2), and reports
// how many times faster Write is, next to the time a plain write of the
// same bytes takes (the I/O floor both share).
func BenchmarkESP(b *testing.B) {
	src := b.TempDir()
	makeESP(b, src, 128<<20, nil)
	benchVsTools(b, src)
}

// BenchmarkSmallFiles does the same for 3,000 small files in 60
// directories (20 MB), where mtools' per-directory runs dominate.
func BenchmarkSmallFiles(b *testing.B) {
	src := b.TempDir()
	for d := 0; d < 60; d++ {
		dir := filepath.Join(src, fmt.Sprintf("dir-%02d", d))
		if err := os.MkdirAll(dir, 0755); err != nil {
			b.Fatal(err)
		}
		for f := 0; f < 50; f++ {
			data := make([]byte, (d*50+f)*4567%14000)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("File Number %02d.conf", f)), data, 0644); err != nil {
				b.Fatal(err)
			}
		}
	}
	benchVsTools(b, src)
}

func benchVsTools(b *testing.B, src string) {
	mkfs := testutil.Tool(b, "mkfs.vfat", "dosfstools")
	mcopy := testutil.Tool(b, "mcopy", "mtools")
	mmd := testutil.Tool(b, "mmd", "mtools")
	epoch := time.Unix(1700000000, 0)
	tr := dirTree(b, src, epoch)
	const size = 400 << 20
	img := filepath.Join(b.TempDir(), "esp.img")
	p := Params{SectorSize: 4096, FATBits: 32, VolumeID: 0x793a442b, Label: "ESP", Time: epoch}

	newImage := func() *os.File {
		os.Remove(img)
		f, err := os.Create(img)
		if err != nil {
			b.Fatal(err)
		}
		if err := f.Truncate(size); err != nil {
			b.Fatal(err)
		}
		return f
	}
	gorepart := func() {
		f := newImage()
		if err := Write(f, size, tr, p); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	env := append(os.Environ(), "MTOOLS_SKIP_CHECK=1", "TZ=UTC", "SOURCE_DATE_EPOCH=1700000000")
	run := func(name string, args ...string) {
		cmd := exec.Command(name, args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	var populate func(dir, target string)
	populate = func(dir, target string) {
		ents, err := os.ReadDir(dir)
		if err != nil {
			b.Fatal(err)
		}
		sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
		var batch []string
		flush := func() {
			if len(batch) > 0 {
				run(mcopy, append(append([]string{"-p", "-Q", "-m", "-i", img}, batch...), "::"+target+"/")...)
				batch = nil
			}
		}
		for _, e := range ents {
			if e.IsDir() {
				flush()
				run(mmd, "-i", img, "::"+target+"/"+e.Name())
				populate(filepath.Join(dir, e.Name()), target+"/"+e.Name())
			} else if e.Type().IsRegular() {
				batch = append(batch, filepath.Join(dir, e.Name()))
			}
		}
		flush()
	}
	tools := func() {
		newImage().Close()
		run(mkfs, "-i", "793a442b", "-n", "ESP", "-F", "32", "-S", "4096", img)
		populate(src, "")
	}

	// The floor: the same bytes written as one plain file.
	var total int64
	for _, n := range expected(tr) {
		total += n.Size
	}
	raw := func() {
		f := newImage()
		buf := make([]byte, 4<<20)
		for off := int64(0); off < total; off += int64(len(buf)) {
			if _, err := f.WriteAt(buf[:min(int64(len(buf)), total-off)], off); err != nil {
				b.Fatal(err)
			}
		}
		f.Close()
	}

	var tg, tt, tr0 time.Duration
	// Each run starts with no dirty pages so neither pays for the other's
	// writeback.
	for i := 0; i < b.N; i++ {
		syscall.Sync()
		t0 := time.Now()
		gorepart()
		tg += time.Since(t0)
		syscall.Sync()
		t1 := time.Now()
		tools()
		tt += time.Since(t1)
		syscall.Sync()
		t2 := time.Now()
		raw()
		tr0 += time.Since(t2)
	}
	b.ReportMetric(float64(tg.Milliseconds())/float64(b.N), "gorepart-ms/op")
	b.ReportMetric(float64(tt.Milliseconds())/float64(b.N), "mkfs+mcopy-ms/op")
	b.ReportMetric(float64(tr0.Milliseconds())/float64(b.N), "raw-write-ms/op")
	b.ReportMetric(float64(tt)/float64(tg), "x-faster")
	fmt.Printf("%s, %d MB: gorepart %v, mkfs.vfat+mcopy %v (%.1fx), writing the same bytes to a plain file %v\n",
		b.Name(), total>>20, tg/time.Duration(b.N), tt/time.Duration(b.N), float64(tt)/float64(tg), tr0/time.Duration(b.N))
}
