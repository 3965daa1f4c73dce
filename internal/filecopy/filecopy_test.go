package filecopy

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// view is a FileAt destination at a base offset that records what the
// kernel copied and can refuse to go on.
type view struct {
	f      *os.File
	base   int64
	copied int64
	stop   error
}

func (v *view) WriteAt(b []byte, off int64) (int, error) { return v.f.WriteAt(b, v.base+off) }
func (v *view) FileAt() (*os.File, int64)                { return v.f, v.base }
func (v *view) Copied(n int64) error                     { v.copied += n; return v.stop }

func source(t *testing.T, n int) (*os.File, []byte) {
	t.Helper()
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i*7 + i>>9)
	}
	p := filepath.Join(t.TempDir(), "src")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, data
}

func target(t *testing.T) *os.File {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "dst"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestCopyAtBaseOffset(t *testing.T) {
	src, data := source(t, 3*chunk+12345) // several calls, odd tail
	dst := target(t)
	v := &view{f: dst, base: 1 << 20}
	ok, err := Copy(v, 4096, src, 100, int64(len(data))-100)
	if err != nil || !ok {
		t.Fatalf("Copy = %v, %v", ok, err)
	}
	if v.copied != int64(len(data))-100 {
		t.Errorf("observer saw %d bytes, want %d", v.copied, len(data)-100)
	}
	got := make([]byte, len(data)-100)
	if _, err := dst.ReadAt(got, 1<<20+4096); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data[100:]) {
		t.Error("copied bytes differ from the source")
	}
	head := make([]byte, 1<<20+4096)
	if _, err := dst.ReadAt(head, 0); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(head, make([]byte, len(head))) {
		t.Error("bytes before the target offset were written")
	}
}

func TestCopyShortSource(t *testing.T) {
	src, data := source(t, 5000)
	ok, err := Copy(target(t), 0, src, 0, int64(len(data))+1)
	if !ok || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("Copy of more than the source holds = %v, %v; want true, ErrUnexpectedEOF", ok, err)
	}
}

func TestCopyObserverStops(t *testing.T) {
	src, data := source(t, 2*chunk)
	stop := errors.New("interrupted")
	v := &view{f: target(t), stop: stop}
	if _, err := Copy(v, 0, src, 0, int64(len(data))); !errors.Is(err, stop) {
		t.Fatalf("Copy = %v, want the observer's error", err)
	}
	if v.copied != chunk {
		t.Errorf("copied %d bytes after the stop, want one chunk (%d)", v.copied, chunk)
	}
}

// bufferOnly is a WriterAt with no file behind it.
type bufferOnly struct{}

func (bufferOnly) WriteAt(b []byte, off int64) (int, error) { return len(b), nil }

func TestCopyNotAFile(t *testing.T) {
	src, _ := source(t, 10)
	if ok, err := Copy(bufferOnly{}, 0, src, 0, 10); ok || err != nil {
		t.Fatalf("Copy to a non-file = %v, %v; want false, nil", ok, err)
	}
}

func TestCopyUnsupportedSource(t *testing.T) {
	// A pipe cannot be copied from with copy_file_range (EINVAL): the
	// caller is told to fall back, and nothing was written.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	w.Write([]byte("data"))
	dst := target(t)
	ok, err := Copy(dst, 0, r, 0, 4)
	if ok || err != nil {
		t.Fatalf("Copy from a pipe = %v, %v; want false, nil", ok, err)
	}
	if fi, _ := dst.Stat(); fi.Size() != 0 {
		t.Errorf("destination has %d bytes", fi.Size())
	}
}

// TestSparse: data ranges are copied to the same offsets and holes are
// not written, into a file and into a writer that is not one.
func TestSparse(t *testing.T) {
	dir := t.TempDir()
	src, err := os.Create(filepath.Join(dir, "src"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	src.Truncate(8 << 20)
	src.WriteAt(bytes.Repeat([]byte("a"), 5000), 1<<20)
	src.WriteAt([]byte("end"), 8<<20-3)
	for _, name := range []string{"file", "writer"} {
		dst, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		dst.Truncate(8 << 20)
		var w interface {
			WriteAt([]byte, int64) (int, error)
		} = dst
		if name == "writer" {
			w = struct{ *os.File }{dst} // not seen as a file: read and written
		}
		if err := Sparse(w, 0, src, 0, 8<<20); err != nil {
			t.Fatal(err)
		}
		a, _ := os.ReadFile(src.Name())
		b, _ := os.ReadFile(dst.Name())
		if !bytes.Equal(a, b) {
			t.Errorf("%s: copy differs", name)
		}
		exts, err := DataExtents(dst, 0, 8<<20)
		if err != nil {
			t.Fatal(err)
		}
		if len(exts) == 0 || exts[0].Offset < 1<<20-4096 {
			t.Errorf("%s: data at %v: the hole before 1 MiB was written", name, exts)
		}
		dst.Close()
	}
}
