package vdisk

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gorepart/gorepart/internal/heapstat"
	"github.com/gorepart/gorepart/internal/testutil"
)

// BenchmarkConvert converts the 4 GiB image holding 500 MiB (bigShape)
// with Write and with qemu-img convert, side by side, into each
// container. Besides the wall time, "cpu-ms/op" is the processor time
// (user and system) spent, which the other processes of a shared machine
// disturb less, and "MiB" the container's size. qemu-img runs with -t
// unsafe so that, like Write, it does not fsync the result.
func BenchmarkConvert(b *testing.B) {
	dir := b.TempDir()
	raw := makeRaw(b, dir, bigShape())
	qemu := testutil.Tool(b, "qemu-img", "qemu-utils")
	for _, c := range []struct{ format, sub, qemuOpts string }{
		{"qcow2", "", ""},
		{"vmdk", "", ""},
		{"vmdk", "streamOptimized", "subformat=streamOptimized"},
		{"vhdx", "", "block_size=1M"},
		{"vpc", "", ""},
		{"vdi", "", ""},
	} {
		out := filepath.Join(dir, "out"+Extension(c.format))
		b.Run(c.format+c.sub+"/vdisk", func(b *testing.B) {
			cpu := heapstat.CPU()
			for b.Loop() {
				remove(b, out)
				convertTo(b, out, raw, testParams(c.format, c.sub))
			}
			b.ReportMetric(float64(heapstat.CPU()-cpu)/1e6/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(fileSize(b, out))/miB, "MiB")
		})
		b.Run(c.format+c.sub+"/qemu-img", func(b *testing.B) {
			args := []string{"convert", "-t", "unsafe", "-O", c.format}
			if c.qemuOpts != "" {
				args = append(args, "-o", c.qemuOpts)
			}
			cpu := heapstat.ChildrenCPU()
			for b.Loop() {
				remove(b, out)
				if o, err := exec.Command(qemu, append(args, raw, out)...).CombinedOutput(); err != nil {
					b.Fatalf("qemu-img: %v\n%s", err, o)
				}
			}
			b.ReportMetric(float64(heapstat.ChildrenCPU()-cpu)/1e6/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(fileSize(b, out))/miB, "MiB")
		})
	}
}

// remove deletes the previous output outside the timed part: the kernel
// may wait there for the writeback of its pages.
func remove(b *testing.B, path string) {
	b.StopTimer()
	os.Remove(path)
	b.StartTimer()
}

// convertTo writes the container of raw for p to path.
func convertTo(b *testing.B, path, raw string, p Params) {
	src, err := os.Open(raw)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer dst.Close()
	if err := Write(dst, src, fileSize(b, raw), p); err != nil {
		b.Fatal(err)
	}
}
