package luks

import (
	"io"
	"testing"
)

// BenchmarkWrite compares writing 256 MiB in 1 MiB pieces to a file
// directly ("plain") and through the Writer ("luks"); run both in one
// invocation and compare MB/s. "xts" is the AES-NI kernel alone on one
// core, "xts-ref" golang.org/x/crypto/xts, which it replaces.
func BenchmarkWrite(b *testing.B) {
	const data = 256 << 20
	const size = data + KeepFree
	piece := make([]byte, 1<<20)
	newTestRand(7).Read(piece)
	writeAll := func(b *testing.B, w io.WriterAt) {
		b.SetBytes(data)
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
	b.Run("xts-ref", func(b *testing.B) {
		b.SetBytes(int64(len(piece)))
		for b.Loop() {
			for i := 0; i < len(piece); i += 4096 {
				c.ref.Encrypt(out[i:i+4096], piece[i:i+4096], uint64(i/512))
			}
		}
	})
}
