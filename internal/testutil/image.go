package testutil

import (
	"io"
	"os"
	"testing"
)

// WriteImage creates path as a sparse file of size bytes (none when size
// is 0), has write fill it, and truncates it to the size write returns
// (when not 0). write is a writer's Write wrapped to one signature.
func WriteImage(t testing.TB, path string, size int64, write func(w io.WriterAt) (int64, error)) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if size > 0 {
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
	}
	n, err := write(f)
	if err != nil {
		t.Fatalf("writing %s: %v", path, err)
	}
	if n > 0 && n != size {
		if err := f.Truncate(n); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// FlipByte XORs the byte at off of the file at path with mask (to
// corrupt an image; the same call undoes it).
func FlipByte(t testing.TB, path string, off int64, mask byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= mask
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}
