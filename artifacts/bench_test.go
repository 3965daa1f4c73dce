package artifacts

import (
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// benchSize is the size of the benchmark image: 512 MiB, as a release
// image with a mostly empty data area.
const benchSize = 512 << 20

var (
	benchOnce sync.Once
	benchPath string
	benchErr  error
)

// benchImage writes a 512 MiB image once per run: a quarter random
// (compressed data, e.g. an erofs usr or the Nix store's .zst files), a
// quarter text-like (configuration, scripts), half zeros (free space and
// holes), interleaved in 1–8 MiB runs.
func benchImage(b *testing.B) string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gorepart-bench")
		if err != nil {
			benchErr = err
			return
		}
		benchPath = filepath.Join(dir, "bench.raw")
		f, err := os.Create(benchPath)
		if err != nil {
			benchErr = err
			return
		}
		defer f.Close()
		r := rand.New(rand.NewPCG(42, 42))
		cc := rand.NewChaCha8([32]byte{1})
		words := []string{"usr ", "lib ", "systemd ", "nixos ", "store ", "/nix/store/", "0000", "abcdef ", "\n", "ExecStart="}
		buf := make([]byte, 8<<20)
		for off := int64(0); off < benchSize; {
			n := min(benchSize-off, int64(1+r.IntN(8))<<20)
			run := buf[:n]
			switch k := r.IntN(4); k {
			case 0:
				cc.Read(run)
			case 1:
				for i := 0; i < len(run); {
					i += copy(run[i:], words[r.IntN(len(words))])
				}
			default:
				clear(run)
			}
			if _, err := f.WriteAt(run, off); err != nil {
				benchErr = err
				return
			}
			off += n
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// BenchmarkCompress compares our zstd (all cores) with zstd -T0 -3 on the
// same file; "ratio" is compressed/original.
func BenchmarkCompress(b *testing.B) {
	path := benchImage(b)
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	for _, alg := range []string{Zstd, ZstdSeekable} {
		b.Run(alg, func(b *testing.B) {
			b.SetBytes(benchSize)
			var c countWriter
			for b.Loop() {
				c = countWriter{}
				if err := Compress(&c, f, benchSize, Params{Algorithm: alg, Level: 3}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(c.n)/benchSize, "ratio")
		})
	}
	b.Run("zstd-T0-3", func(b *testing.B) {
		zstdBin, err := exec.LookPath("zstd")
		if err != nil {
			b.Fatal("zstd not found: install the Debian package zstd")
		}
		b.SetBytes(benchSize)
		var c countWriter
		for b.Loop() {
			c = countWriter{}
			cmd := exec.Command(zstdBin, "-T0", "-3", "-q", "-c", path)
			cmd.Stdout = &c
			if err := cmd.Run(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(c.n)/benchSize, "ratio")
	})
	b.Run("xz", func(b *testing.B) {
		b.SetBytes(benchSize)
		var c countWriter
		for b.Loop() {
			c = countWriter{}
			if err := Compress(&c, f, benchSize, Params{Algorithm: Xz, Level: 3}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(c.n)/benchSize, "ratio")
	})
	b.Run("xz-T0-3", func(b *testing.B) {
		xzBin, err := exec.LookPath("xz")
		if err != nil {
			b.Fatal("xz not found: install the Debian package xz-utils")
		}
		b.SetBytes(benchSize)
		var c countWriter
		for b.Loop() {
			c = countWriter{}
			cmd := exec.Command(xzBin, "-T0", "-3", "-q", "-c", path)
			cmd.Stdout = &c
			if err := cmd.Run(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(c.n)/benchSize, "ratio")
	})
	var _ io.Writer = &countWriter{}
}
