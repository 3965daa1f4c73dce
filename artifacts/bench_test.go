package artifacts

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gorepart/gorepart/internal/heapstat"
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

// benchOurs runs Compress and reports the ratio (compressed/original) and
// the CPU seconds used per op, which stay comparable on a loaded machine.
func benchOurs(b *testing.B, alg string) {
	f, err := os.Open(benchImage(b))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	b.SetBytes(benchSize)
	var c countWriter
	cpu0 := heapstat.CPU()
	for b.Loop() {
		c = countWriter{}
		if err := Compress(&c, f, benchSize, Params{Algorithm: alg, Level: 3}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((heapstat.CPU()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(c.n)/benchSize, "ratio")
}

// benchTool runs an external compressor on the same file.
func benchTool(b *testing.B, tool, pkg string, args ...string) {
	path := benchImage(b)
	bin, err := exec.LookPath(tool)
	if err != nil {
		b.Fatalf("%s not found: install the Debian package %s", tool, pkg)
	}
	b.SetBytes(benchSize)
	var c countWriter
	var cpu time.Duration
	for b.Loop() {
		c = countWriter{}
		cmd := exec.Command(bin, append(args, path)...)
		cmd.Stdout = &c
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(c.n)/benchSize, "ratio")
}

// BenchmarkCompress compares our zstd (all cores) with zstd -T0 -3 on the
// same 512 MiB file:
//
//	go test -run XXX -bench 'Compress$' -benchtime 3x ./artifacts
//
// cpu-s/op is the fair comparison on a shared machine; MB/s is wall clock.
func BenchmarkCompress(b *testing.B) {
	b.Run(Zstd, func(b *testing.B) { benchOurs(b, Zstd) })
	b.Run(ZstdSeekable, func(b *testing.B) { benchOurs(b, ZstdSeekable) })
	b.Run("zstd-T0-3", func(b *testing.B) { benchTool(b, "zstd", "zstd", "-T0", "-3", "-q", "-c") })
}

// BenchmarkCompressXz compares our xz with xz -T0 -3; both need minutes
// on 512 MiB, so give go test -timeout 30m -benchtime 1x.
func BenchmarkCompressXz(b *testing.B) {
	b.Run(Xz, func(b *testing.B) { benchOurs(b, Xz) })
	b.Run("xz-T0-3", func(b *testing.B) { benchTool(b, "xz", "xz-utils", "-T0", "-3", "-q", "-c") })
}

// TestMain removes the benchmark image after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchPath != "" {
		os.RemoveAll(filepath.Dir(benchPath))
	}
	os.Exit(code)
}
