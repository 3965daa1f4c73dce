package verity

import (
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gorepart/gorepart/internal/heapstat"
)

const benchSize = 1 << 30

// cpuTime is the CPU time (user+system) used so far by this process and its
// waited-for children.
func cpuTime() time.Duration { return heapstat.CPU() + heapstat.ChildrenCPU() }

// reportCPU adds the CPU time per operation since start to the benchmark
// result: unlike ns/op it does not depend on what else the machine runs.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
}

// benchData writes benchSize random bytes to a file (left in the page cache,
// as a freshly written partition would be) and returns its path.
func benchData(b *testing.B) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "data")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	src := rand.NewChaCha8([32]byte{1})
	if _, err := io.CopyN(f, src, benchSize); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

func benchHashFile(b *testing.B) *os.File {
	b.Helper()
	f, err := os.Create(filepath.Join(b.TempDir(), "hash"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return f
}

// BenchmarkBuild1GiB: Build reading a 1 GiB file, writing the tree to a file.
func BenchmarkBuild1GiB(b *testing.B) {
	data, err := os.Open(benchData(b))
	if err != nil {
		b.Fatal(err)
	}
	defer data.Close()
	hash := benchHashFile(b)
	p := testParams(4096, 4096)
	b.SetBytes(benchSize)
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	for range b.N {
		if _, err := Build(data, benchSize, hash, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHasherWhileWriting1GiB: the data is copied from a file into a
// partition file and into the Hasher at once, as repart's CopyBlocks would
// with the tree computed on the fly (the time includes writing the data).
func BenchmarkHasherWhileWriting1GiB(b *testing.B) {
	src := benchData(b)
	hash := benchHashFile(b)
	part := filepath.Join(b.TempDir(), "partition")
	p := testParams(4096, 4096)
	b.SetBytes(benchSize)
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	for range b.N {
		in, err := os.Open(src)
		if err != nil {
			b.Fatal(err)
		}
		out, err := os.Create(part)
		if err != nil {
			b.Fatal(err)
		}
		h, err := NewHasher(p, benchSize)
		if err != nil {
			b.Fatal(err)
		}
		w := io.MultiWriter(out, h)
		if _, err := io.CopyBuffer(w, struct{ io.Reader }{in}, make([]byte, readChunk)); err != nil {
			b.Fatal(err)
		}
		if _, err := h.Finish(hash); err != nil {
			b.Fatal(err)
		}
		in.Close()
		out.Close()
	}
}

// BenchmarkVeritysetup1GiB: the reference, `veritysetup format` on the same file.
func BenchmarkVeritysetup1GiB(b *testing.B) {
	tool, err := exec.LookPath("veritysetup")
	if err != nil {
		b.Fatalf("veritysetup not found (install the Debian package cryptsetup-bin): %v", err)
	}
	data := benchData(b)
	hash := filepath.Join(b.TempDir(), "hash")
	b.SetBytes(benchSize)
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	for range b.N {
		if err := os.WriteFile(hash, nil, 0o644); err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command(tool, "format", "--salt=00", data, hash)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %v\n%s", cmd, err, out)
		}
	}
}

// BenchmarkCopyOnly1GiB: the same copy as BenchmarkHasherWhileWriting1GiB
// without hashing, to see what the hashing adds.
func BenchmarkCopyOnly1GiB(b *testing.B) {
	src := benchData(b)
	part := filepath.Join(b.TempDir(), "partition")
	b.SetBytes(benchSize)
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	for range b.N {
		in, err := os.Open(src)
		if err != nil {
			b.Fatal(err)
		}
		out, err := os.Create(part)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyBuffer(struct{ io.Writer }{out}, struct{ io.Reader }{in}, make([]byte, readChunk)); err != nil {
			b.Fatal(err)
		}
		in.Close()
		out.Close()
	}
}

// BenchmarkHasherFromFile1GiB: the Hasher fed by io.Copy from the data file,
// to compare with Build on the same input.
func BenchmarkHasherFromFile1GiB(b *testing.B) {
	src := benchData(b)
	hash := benchHashFile(b)
	p := testParams(4096, 4096)
	b.SetBytes(benchSize)
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	for range b.N {
		in, err := os.Open(src)
		if err != nil {
			b.Fatal(err)
		}
		h, err := NewHasher(p, benchSize)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyBuffer(h, struct{ io.Reader }{in}, make([]byte, readChunk)); err != nil {
			b.Fatal(err)
		}
		if _, err := h.Finish(hash); err != nil {
			b.Fatal(err)
		}
		in.Close()
	}
}

// BenchmarkCopyAndBuild1GiB: copying a 1 GiB CopyBlocks= source into a new
// partition file and building its tree in one parallel pass; compare with
// BenchmarkCopyOnly1GiB + BenchmarkVeritysetup1GiB.
func BenchmarkCopyAndBuild1GiB(b *testing.B) {
	src, err := os.Open(benchData(b))
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	hash := benchHashFile(b)
	part := filepath.Join(b.TempDir(), "partition")
	p := testParams(4096, 4096)
	b.SetBytes(benchSize)
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	for range b.N {
		out, err := os.Create(part)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := CopyAndBuild(out, src, benchSize, benchSize, hash, p); err != nil {
			b.Fatal(err)
		}
		out.Close()
	}
}

// BenchmarkWriterAt1GiB: a writer putting 1 GiB into a partition file
// through WriterAt in 1 MiB writes at scattered offsets, then Finish (no
// read-back: every block is written whole once).
func BenchmarkWriterAt1GiB(b *testing.B) {
	src, err := os.Open(benchData(b))
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	hash := benchHashFile(b)
	part := filepath.Join(b.TempDir(), "partition")
	p := testParams(4096, 4096)
	buf := make([]byte, readChunk)
	const chunks = benchSize / readChunk
	b.SetBytes(benchSize)
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	for range b.N {
		out, err := os.Create(part)
		if err != nil {
			b.Fatal(err)
		}
		x, err := NewWriterAt(out, p, benchSize)
		if err != nil {
			b.Fatal(err)
		}
		for i := range int64(chunks) {
			off := (i * 389 % chunks) * readChunk // every chunk once, out of order
			if _, err := src.ReadAt(buf, off); err != nil {
				b.Fatal(err)
			}
			if _, err := x.WriteAt(buf, off); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := x.Finish(out, hash); err != nil {
			b.Fatal(err)
		}
		out.Close()
	}
}

// BenchmarkBuildSparse4GiB: Build over a 4 GiB sparse file (zeros, read
// from the page cache) into a file, with the tree built in place and, with
// the file's ReadAt hidden, in memory. It reports the largest live heap
// seen at the end of a GC cycle while Build ran.
func BenchmarkBuildSparse4GiB(b *testing.B) {
	const size = 4 << 30
	f, err := os.Create(filepath.Join(b.TempDir(), "data"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		b.Fatal(err)
	}
	p := testParams(4096, 4096)
	for _, c := range []struct {
		name string
		wrap func(*os.File) io.WriterAt
	}{
		{"inplace", func(f *os.File) io.WriterAt { return f }},
		{"memory", func(f *os.File) io.WriterAt { return writerOnly{f} }},
	} {
		b.Run(c.name, func(b *testing.B) {
			hash := c.wrap(benchHashFile(b))
			b.SetBytes(size)
			var peak int64
			for range b.N {
				pk, err := heapstat.PeakLive(func() error {
					_, err := Build(f, size, hash, p)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				peak = max(peak, pk)
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-live-MiB")
		})
	}
}
