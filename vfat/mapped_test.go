package vfat

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// memAt is an io.WriterAt into memory.
type memAt struct{ b []byte }

func (m *memAt) WriteAt(p []byte, off int64) (int, error) {
	if n := int(off) + len(p); n > len(m.b) {
		m.b = append(m.b, make([]byte, n-len(m.b))...)
	}
	return copy(m.b[off:], p), nil
}

func bigSource(t *testing.T, n int) (string, []byte) {
	t.Helper()
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i*31 + i>>12)
	}
	p := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p, data
}

// TestCopyMapped writes a file of several windows and an odd tail through
// the mapped path, after buffered data, and checks every byte lands.
func TestCopyMapped(t *testing.T) {
	p, data := bigSource(t, 3*mapWindow+12345)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dst := &memAt{}
	w := newSeqWriter(dst)
	if err := w.write(0, []byte("before")); err != nil {
		t.Fatal(err)
	}
	done, err := copyMapped(w, 4096, f, int64(len(data)))
	if !done || err != nil {
		t.Fatalf("copyMapped = %v, %v", done, err)
	}
	if err := w.write(4096+int64(len(data)), []byte("after")); err != nil {
		t.Fatal(err)
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(dst.b[:6], []byte("before")) || !bytes.Equal(dst.b[4096:4096+len(data)], data) ||
		!bytes.Equal(dst.b[4096+len(data):], []byte("after")) {
		t.Fatal("image bytes differ from what was written")
	}
}

// TestCopyMappedShortSource: a source shorter than its recorded size is
// an error, not a file padded with the zeros a mapping reads past EOF.
func TestCopyMappedShortSource(t *testing.T) {
	p, data := bigSource(t, 2*mapWindow)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := newSeqWriter(&memAt{})
	defer w.abort()
	if _, err := copyMapped(w, 0, f, int64(len(data))+100); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("copyMapped of a short source = %v, want ErrUnexpectedEOF", err)
	}
}

// TestCopyMappedUnmappable: a source that cannot be mapped (here opened
// write-only) is left to the reading path, with nothing written.
func TestCopyMappedUnmappable(t *testing.T) {
	p, data := bigSource(t, 2*mapWindow)
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dst := &memAt{}
	w := newSeqWriter(dst)
	done, err := copyMapped(w, 0, f, int64(len(data)))
	if done || err != nil {
		t.Fatalf("copyMapped of an unmappable source = %v, %v; want false, nil", done, err)
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	if len(dst.b) != 0 {
		t.Errorf("%d bytes written", len(dst.b))
	}
}
