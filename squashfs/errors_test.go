package squashfs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fsformat"
	"github.com/gorepart/gorepart/fstree"
)

func oneFile(in *fstree.Inode, name string) *fstree.Tree {
	return &fstree.Tree{Root: &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Entries: []*fstree.Entry{{Name: name, Inode: in}}}}
}

func TestParamsRefused(t *testing.T) {
	tr := genTree(1, 4096)
	dir := t.TempDir()
	for _, c := range []struct {
		p    Params
		want string
	}{
		{Params{Compression: "lzo"}, "lzo is not supported"},
		{Params{Compression: "lzma"}, "lzma is not supported"},
		{Params{Compression: "brotli"}, "unknown compression"},
		{Params{Compression: "xz", CompressionLevel: 6}, "takes no compression level"},
		{Params{Compression: "lz4", CompressionLevel: 9}, "takes no compression level"},
		{Params{CompressionLevel: 10}, "out of range 1-9"},
		{Params{Compression: "zstd", CompressionLevel: 23}, "out of range 1-22"},
		{Params{BlockSize: 3000}, "power of two"},
		{Params{BlockSize: 2 << 20}, "power of two"},
		{Params{Time: time.Unix(-1, 0)}, "outside 1970-2106"},
		{Params{Time: time.Unix(1<<32, 0)}, "outside 1970-2106"},
	} {
		if c.p.TempDir == "" {
			c.p.TempDir = dir
		}
		if _, err := NewPlan(tr, c.p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.p, err, c.want)
		}
	}
	if _, err := NewPlan(tr, Params{}); err == nil || !strings.Contains(err.Error(), "TempDir") {
		t.Errorf("no TempDir: error %v", err)
	}
}

func TestTreeRefused(t *testing.T) {
	file := func() *fstree.Inode {
		return (&fstree.Inode{Kind: fstree.File, Mode: 0644, Size: 1}).WithData([]byte("x"))
	}
	sub := &fstree.Inode{Kind: fstree.Dir, Mode: 0755}
	dirLink := &fstree.Tree{Root: &fstree.Inode{Kind: fstree.Dir, Entries: []*fstree.Entry{{Name: "a", Inode: sub}, {Name: "b", Inode: sub}}}}
	short := filepath.Join(t.TempDir(), "short")
	if err := os.WriteFile(short, []byte("abc"), 0644); err != nil {
		t.Fatal(err)
	}
	shortIn := &fstree.Inode{Kind: fstree.File, Mode: 0644, Size: 10}
	shortIn.SetSource(short)
	for _, c := range []struct {
		tr   *fstree.Tree
		want string
	}{
		{oneFile(file(), "a/b"), "contains '/'"},
		{oneFile(file(), ".."), "invalid name"},
		{oneFile(file(), strings.Repeat("n", 257)), "longer than 256"},
		{oneFile(&fstree.Inode{Kind: fstree.Symlink, Mode: 0777}, "l"), "symlink target"},
		{oneFile(&fstree.Inode{Kind: fstree.CharDevice, Major: 4096}, "c"), "12-bit major"},
		{oneFile(&fstree.Inode{Kind: fstree.BlockDevice, Minor: 1 << 20}, "b"), "20-bit minor"},
		{dirLink, "directory with more than one name"},
		{&fstree.Tree{Root: file()}, "not a directory"},
		{oneFile(shortIn, "short"), "unexpected EOF"},
	} {
		pl, err := NewPlan(c.tr, Params{TempDir: t.TempDir()})
		if err == nil {
			_, err = pl.MinSize()
			pl.Close()
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}

// TestTooSmall: Write refuses a size smaller than MinSize and writes
// nothing then; given more, it writes MinSize bytes and nothing past.
func TestTooSmall(t *testing.T) {
	pl, err := NewPlan(genTree(5, 4096), Params{TempDir: t.TempDir(), Time: testTime})
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	size, err := pl.MinSize()
	if err != nil {
		t.Fatal(err)
	}
	var dst memWriterAt
	if err := pl.Write(&dst, size-1); !errors.Is(err, ErrTooSmall) {
		t.Fatalf("Write(size-1): %v, want ErrTooSmall", err)
	}
	if len(dst.b) != 0 {
		t.Fatalf("Write(size-1) wrote %d bytes", len(dst.b))
	}
	dst.b = bytes.Repeat([]byte{0xaa}, int(size)+10000)
	if err := pl.Write(&dst, size+10000); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(dst.b[size:], bytes.Repeat([]byte{0xaa}, 10000)) {
		t.Fatal("Write wrote past MinSize")
	}
	used := int64(binary.LittleEndian.Uint64(dst.b[40:]))
	if size%alignment != 0 || used > size || size-used >= alignment {
		t.Fatalf("MinSize %d for bytes_used %d: not the next multiple of 4096", size, used)
	}
	if !bytes.Equal(dst.b[used:size], make([]byte, size-used)) {
		t.Fatal("padding not zero")
	}
}

// TestWriteMin: building straight into the destination makes the bytes
// MinSize and Write make through the temporary file, and a limit the
// image does not fit is ErrLimit; Write after WriteMin builds again.
func TestWriteMin(t *testing.T) {
	for _, comp := range []string{"", "lz4", "zstd"} {
		p := Params{TempDir: t.TempDir(), Time: testTime, Compression: comp}
		ref, err := NewPlan(genTree(7, 4096), p)
		if err != nil {
			t.Fatal(err)
		}
		size, err := ref.MinSize()
		if err != nil {
			t.Fatal(err)
		}
		var want memWriterAt
		if err := ref.Write(&want, size); err != nil {
			t.Fatal(err)
		}
		ref.Close()

		pl, err := NewPlan(genTree(7, 4096), p)
		if err != nil {
			t.Fatal(err)
		}
		var got memWriterAt
		if _, err := pl.WriteMin(&got, size-alignment); !errors.Is(err, fsformat.ErrLimit) {
			t.Fatalf("%q: WriteMin below the size: %v, want ErrLimit", comp, err)
		}
		got.b = nil
		n, err := pl.WriteMin(&got, size)
		if err != nil || n != size {
			t.Fatalf("%q: WriteMin = %d, %v; want %d", comp, n, err, size)
		}
		if !bytes.Equal(got.b, want.b) {
			t.Errorf("%q: WriteMin wrote other bytes than Write", comp)
		}
		if m, err := pl.MinSize(); m != size || err != nil {
			t.Errorf("%q: MinSize after WriteMin = %d, %v", comp, m, err)
		}
		var again memWriterAt
		if err := pl.Write(&again, size); err != nil || !bytes.Equal(again.b, want.b) {
			t.Errorf("%q: Write after WriteMin: %v, same bytes %v", comp, err, bytes.Equal(again.b, want.b))
		}
		pl.Close()
	}
}

// TestWarnSkippedXattr: attributes of namespaces squashfs has no prefix
// for are left out with a warning.
func TestWarnSkippedXattr(t *testing.T) {
	in := (&fstree.Inode{Kind: fstree.File, Mode: 0644, Size: 1, Xattrs: []fstree.Xattr{{Name: "system.posix_acl_access", Value: []byte{2, 0, 0, 0}}}}).WithData([]byte("x"))
	var warns []string
	pl, err := NewPlan(oneFile(in, "f"), Params{TempDir: t.TempDir(), Warn: func(s string) { warns = append(warns, s) }})
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	if _, err := pl.MinSize(); err != nil {
		t.Fatal(err)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "system.posix_acl_access skipped") {
		t.Fatalf("warnings %q", warns)
	}
}

// memWriterAt is an io.WriterAt in memory.
type memWriterAt struct{ b []byte }

func (m *memWriterAt) WriteAt(p []byte, off int64) (int, error) {
	if n := off + int64(len(p)); n > int64(len(m.b)) {
		m.b = append(m.b, make([]byte, n-int64(len(m.b)))...)
	}
	return copy(m.b[off:], p), nil
}
