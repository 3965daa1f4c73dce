package luks

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// memDisk is an in-memory WriterAt+ReaderAt with a switch to hide ReadAt.
type memDisk struct {
	mu sync.Mutex
	b  []byte
}

func (d *memDisk) WriteAt(p []byte, off int64) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return copy(d.b[off:], p), nil
}

func (d *memDisk) ReadAt(p []byte, off int64) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return copy(p, d.b[off:]), nil
}

// writeOnly hides memDisk's ReadAt.
type writeOnly struct{ d *memDisk }

func (w writeOnly) WriteAt(p []byte, off int64) (int, error) { return w.d.WriteAt(p, off) }

// TestWriterRoundTrip writes random ranges (whole sectors, partial sectors,
// rewrites of both, large runs that take the parallel path, concurrent
// writers) and reads the volume back: the plaintext is what was written,
// zeros elsewhere, also in the segment's tail after DataSize.
func TestWriterRoundTrip(t *testing.T) {
	for _, ss := range []int{512, 4096} {
		const size = 48 << 20
		d := &memDisk{b: make([]byte, size)}
		p := fastParams("pass")
		p.SectorSize = ss
		w, err := NewWriter(d, size, p)
		if err != nil {
			t.Fatal(err)
		}
		model := make([]byte, w.DataSize())
		rng := rand.New(rand.NewPCG(5, uint64(ss)))
		write := func(off int64, n int) {
			b := make([]byte, n)
			fill(rng, b)
			orig := append([]byte(nil), b...)
			if got, err := w.WriteAt(b, off); err != nil || got != n {
				t.Fatalf("WriteAt(%d bytes at %d): %d, %v", n, off, got, err)
			}
			if !bytes.Equal(b, orig) {
				t.Fatal("WriteAt modified its buffer")
			}
			copy(model[off:], b)
		}
		write(0, 4<<20+ss)                 // parallel path
		write(1024, 1024)                  // inside a sector already written
		write(6<<20+100, 10)               // inside a fresh sector
		write(6<<20+50, 100)               // overlapping the previous partial write
		write(7<<20-300, 3*ss+600)         // partial head and tail
		write(w.DataSize()-int64(ss)-7, 7) // tail of the last sector but one
		for range 200 {
			off := rng.Int64N(w.DataSize() - 70000)
			write(off, 1+rng.IntN(70000))
		}
		// Concurrent writers on disjoint ranges, some sharing sectors.
		var wg sync.WaitGroup
		chunks := make([][]byte, 16)
		for i := range chunks {
			chunks[i] = make([]byte, 3000+i*1000)
			fill(rng, chunks[i])
		}
		base := int64(10 << 20)
		offs := make([]int64, len(chunks))
		for i := range chunks {
			offs[i] = base
			base += int64(len(chunks[i]))
		}
		for i := range chunks {
			wg.Go(func() {
				if _, err := w.WriteAt(chunks[i], offs[i]); err != nil {
					t.Error(err)
				}
			})
			copy(model[offs[i]:], chunks[i])
		}
		wg.Wait()
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		r, err := OpenReader(d, size, []byte("pass"))
		if err != nil {
			t.Fatal(err)
		}
		if r.Size() != w.SegmentSize() || r.Size() != size-HeaderSize {
			t.Fatalf("segment size %d, want %d", r.Size(), size-HeaderSize)
		}
		got := make([]byte, r.Size())
		if _, err := r.ReadAt(got, 0); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got[:len(model)], model) {
			t.Fatalf("sector size %d: decrypted data differs from what was written", ss)
		}
		if !allZero(got[len(model):]) {
			t.Fatalf("sector size %d: segment tail after DataSize is not zero", ss)
		}
		// Unaligned reads agree too.
		part := make([]byte, 10000)
		if _, err := r.ReadAt(part, 7<<20-333); err != nil || !bytes.Equal(part, model[7<<20-333:][:10000]) {
			t.Fatalf("unaligned read: %v", err)
		}
		if _, err := r.ReadAt(part, r.Size()-100); err != io.EOF {
			t.Fatalf("read past the end: %v, want EOF", err)
		}
	}
}

// TestKeepHoles leaves unwritten sectors alone: they stay zero in dst.
func TestKeepHoles(t *testing.T) {
	const size = 40 << 20
	d := &memDisk{b: make([]byte, size)}
	p := fastParams("k")
	p.KeepHoles = true
	w, err := NewWriter(d, size, p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteAt(bytes.Repeat([]byte{1}, 8192), 4096); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !allZero(d.b[HeaderSize:HeaderSize+4096]) || allZero(d.b[HeaderSize+4096:HeaderSize+12288]) || !allZero(d.b[HeaderSize+12288:]) {
		t.Fatal("KeepHoles: written sectors must be ciphertext, the rest untouched zeros")
	}
	// Without KeepHoles every sector of the segment is ciphertext.
	d2 := &memDisk{b: make([]byte, size)}
	p.KeepHoles = false
	w, _ = NewWriter(d2, size, p)
	w.Close()
	for off := HeaderSize; off < size; off += 4096 {
		if allZero(d2.b[off : off+4096]) {
			t.Fatalf("sector at %d left zero", off)
		}
	}
	// The metadata area has no zero run beyond the headers' padding: the
	// keyslots area is random like cryptsetup's.
	if allZero(d2.b[HeaderSize-4096 : HeaderSize]) {
		t.Fatal("keyslots area end not filled")
	}
}

// TestWriterErrors covers refused parameters and misuse.
func TestWriterErrors(t *testing.T) {
	d := &memDisk{b: make([]byte, 40<<20)}
	bad := []func(*Params){
		func(p *Params) { p.SectorSize = 8192 },
		func(p *Params) { p.SectorSize = 1000 },
		func(p *Params) { p.Label = strings.Repeat("x", 48) },
		func(p *Params) { p.KDF = "scrypt" },
		func(p *Params) { p.Argon2Time = 3 },
		func(p *Params) { p.Argon2Lanes = 5 },
		func(p *Params) { p.Argon2MemoryKiB = 5 << 20 },
		func(p *Params) { p.PBKDF2Iterations = 999 },
	}
	for i, f := range bad {
		p := fastParams("k")
		f(&p)
		if _, err := NewWriter(d, 40<<20, p); err == nil {
			t.Errorf("case %d: bad parameters accepted", i)
		}
	}
	for _, size := range []int64{KeepFree, KeepFree + 4096 + 512} {
		if _, err := NewWriter(d, size, fastParams("k")); err == nil {
			t.Errorf("size %d accepted", size)
		}
	}
	w, err := NewWriter(d, 40<<20, fastParams("k"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteAt([]byte{1}, w.DataSize()); err == nil {
		t.Error("write after DataSize accepted")
	}
	if _, err := w.WriteAt([]byte{1}, -1); err == nil {
		t.Error("negative offset accepted")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteAt([]byte{1}, 0); err == nil {
		t.Error("write after Close accepted")
	}
	// A partial sector written twice needs to read dst back.
	w, err = NewWriter(writeOnly{d}, 40<<20, fastParams("k"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteAt([]byte{1}, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteAt([]byte{1}, 20); err == nil {
		t.Error("partial rewrite without ReaderAt accepted")
	}
	if err := w.Close(); err == nil {
		t.Error("Close after a failed write returned nil")
	}
	// A wrong passphrase opens nothing.
	if _, err := OpenReader(d, 40<<20, []byte("wrong")); err == nil {
		t.Error("wrong passphrase accepted")
	}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
