package luks

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/gorepart/gorepart/ext4"
	"github.com/gorepart/gorepart/internal/heapstat"
)

// BenchmarkWrite compares writing 256 MiB in 1 MiB pieces to a file
// directly ("plain") and through the Writer ("luks"); run both in one
// invocation and compare MB/s. "xts" is the AES-NI kernel alone on one
// core (VAES/AVX-512 where the CPU has it), "xts-aesni" the AES-NI kernel
// alone, "xts-ref" golang.org/x/crypto/xts, which they replace.
func BenchmarkWrite(b *testing.B) {
	const data = 256 << 20
	const size = data + KeepFree
	piece := make([]byte, 1<<20)
	newTestRand(7).Read(piece)
	writeAll := func(b *testing.B, w io.WriterAt) {
		b.SetBytes(data)
		defer cpuTime(b)()
		for b.Loop() {
			for off := int64(0); off < data; off += int64(len(piece)) {
				if _, err := w.WriteAt(piece, off); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("plain", func(b *testing.B) {
		writeAll(b, createFile(b, "plain", data))
	})
	b.Run("luks", func(b *testing.B) {
		w, err := NewWriter(createFile(b, "luks", size), size, fastParams("k"))
		if err != nil {
			b.Fatal(err)
		}
		writeAll(b, w)
	})
	key := make([]byte, 64)
	key[0] = 1
	c, err := newSectorCipher(key, 4096)
	if err != nil {
		b.Fatal(err)
	}
	out := make([]byte, len(piece))
	b.Run("xts", func(b *testing.B) {
		if c.rk == nil {
			b.Skip("no AES-NI kernel here")
		}
		b.SetBytes(int64(len(piece)))
		for b.Loop() {
			c.encrypt(out, piece, 0)
		}
	})
	aesni := *c
	aesni.rk2 = nil
	b.Run("xts-aesni", func(b *testing.B) {
		if c.rk == nil {
			b.Skip("no AES-NI kernel here")
		}
		b.SetBytes(int64(len(piece)))
		for b.Loop() {
			aesni.encrypt(out, piece, 0)
		}
	})
	b.Run("xts-ref", func(b *testing.B) {
		b.SetBytes(int64(len(piece)))
		for b.Loop() {
			for i := 0; i < len(piece); i += 4096 {
				c.ref.Encrypt(out[i:i+4096], piece[i:i+4096], uint64(i/512))
			}
		}
	})
}

// BenchmarkExt4 writes a 128 MiB tree with gorepart's ext4 writer into a
// file directly ("plain") and through the Writer ("luks", zero-filling the
// rest of a 192 MiB partition as Close does): the end-to-end cost of
// encryption for an image build.
func BenchmarkExt4(b *testing.B) {
	src := b.TempDir()
	rng := newTestRand(3)
	buf := make([]byte, 2<<20)
	for i := range 64 {
		rng.Read(buf)
		if err := os.WriteFile(filepath.Join(src, fmt.Sprintf("f%02d", i)), buf, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	tree := sourceTree(b, src)
	const size = 192 << 20
	ep := ext4.Params{Label: "root", Time: testEpoch}
	b.Run("plain", func(b *testing.B) {
		b.SetBytes(size - KeepFree)
		defer cpuTime(b)()
		for b.Loop() {
			f := createFile(b, "plain", size-KeepFree)
			if err := ext4.Write(f, size-KeepFree, tree, ep); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("luks", func(b *testing.B) {
		b.SetBytes(size - KeepFree)
		defer cpuTime(b)()
		for b.Loop() {
			b.StopTimer()
			f := createFile(b, "luks", size)
			w, err := NewWriter(f, size, fastParams("k"))
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if err := ext4.Write(w, w.DataSize(), tree, ep); err != nil {
				b.Fatal(err)
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// cpuTime reports the process's user+system CPU time per operation
// ("cpu-ms/op") when the returned function runs: on a shared machine wall
// time swings with other load, CPU time much less.
func cpuTime(b *testing.B) func() {
	start := heapstat.CPU()
	return func() {
		b.ReportMetric(float64(heapstat.CPU()-start)/1e6/float64(b.N), "cpu-ms/op")
	}
}
