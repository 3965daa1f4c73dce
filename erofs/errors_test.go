package erofs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/fsformat"
	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testutil"
)

func TestSizeMatchesWrite(t *testing.T) {
	for seed := int64(0); seed < 50; seed++ {
		tr := genTree(seed)
		comp := []string{"", "lz4", "lz4hc", "zstd"}[seed%4]
		p := Params{BuildTime: testBuildTime, Compression: comp, CompressionLevel: -1}
		want, err := Size(tr, p)
		if err != nil {
			t.Fatal(err)
		}
		var buf memWriterAt
		got, err := Write(&buf, tr, p)
		if err != nil {
			t.Fatal(err)
		}
		if got != want || got%blockSize != 0 {
			t.Fatalf("seed %d, %q: Size %d, Write %d", seed, comp, want, got)
		}
	}
}

// TestPlanReused: the uncompressed image MinSize planned is the one
// Write writes (it is not planned again), with the bytes of Write.
func TestPlanReused(t *testing.T) {
	tr := genTree(6)
	var want memWriterAt
	size, err := Write(&want, tr, Params{BuildTime: testBuildTime})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := Open(tr, fsformat.Params{Time: testBuildTime})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := pl.(fsformat.SizedByWriting); ok {
		t.Error("an uncompressed plan claims to be sized only by writing")
	}
	if n, err := pl.MinSize(); n != size || err != nil {
		t.Fatalf("MinSize = %d, %v; want %d", n, err, size)
	}
	if pl.(*repartPlan).pl == nil {
		t.Fatal("MinSize kept no plan")
	}
	var got memWriterAt
	if err := pl.Write(&got, size); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.b, want.b) {
		t.Error("Write of the plan MinSize made differs from Write")
	}
	if err := pl.Write(&got, size-blockSize); err == nil {
		t.Error("Write into less than MinSize accepted")
	}
}

// TestWriteMin: the plan repart uses writes a compressed image in place
// with the bytes Write makes, knows its size afterwards, and tells a
// limit it does not fit from Params.MaxSize.
func TestWriteMin(t *testing.T) {
	tr := genTree(5)
	p := Params{BuildTime: testBuildTime, Compression: "lz4", CompressionLevel: -1}
	var want memWriterAt
	size, err := Write(&want, tr, p)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := Open(tr, fsformat.Params{Time: testBuildTime, Compression: "lz4"})
	if err != nil {
		t.Fatal(err)
	}
	var got memWriterAt
	n, err := pl.(fsformat.SizedByWriting).WriteMin(&got, 0)
	if err != nil || n != size {
		t.Fatalf("WriteMin = %d, %v; want %d", n, err, size)
	}
	if !bytes.Equal(got.b[:n], want.b[:size]) {
		t.Error("WriteMin wrote other bytes than Write")
	}
	if m, err := pl.MinSize(); m != size || err != nil {
		t.Errorf("MinSize after WriteMin = %d, %v; want %d", m, err, size)
	}
	if _, err := pl.(fsformat.SizedByWriting).WriteMin(&got, size-blockSize); !errors.Is(err, fsformat.ErrLimit) {
		t.Errorf("WriteMin below the size: %v, want ErrLimit", err)
	}
	small, err := Open(tr, fsformat.Params{Time: testBuildTime, Compression: "lz4", MaxSize: size - blockSize})
	if err != nil {
		t.Fatal(err)
	}
	var tl *TooLargeError
	if _, err := small.(fsformat.SizedByWriting).WriteMin(&got, size); errors.Is(err, fsformat.ErrLimit) || !errors.As(err, &tl) {
		t.Errorf("WriteMin above MaxSize: %v, want a TooLargeError that is not ErrLimit", err)
	}
}

func TestMaxSize(t *testing.T) {
	tr := genTree(3)
	for _, comp := range []string{"", "lz4"} {
		var buf memWriterAt
		size, err := Write(&buf, tr, Params{BuildTime: testBuildTime, Compression: comp})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Write(&buf, tr, Params{BuildTime: testBuildTime, Compression: comp, MaxSize: size}); err != nil {
			t.Fatalf("exact MaxSize: %v", err)
		}
		_, err = Write(&buf, tr, Params{BuildTime: testBuildTime, Compression: comp, MaxSize: size - 1})
		if err == nil || !strings.Contains(err.Error(), "maximum") {
			t.Fatalf("MaxSize-1: %v", err)
		}
	}
}

func TestShortSource(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "f")
	if err := os.WriteFile(src, make([]byte, 10000), 0644); err != nil {
		t.Fatal(err)
	}
	for _, comp := range []string{"", "lz4"} {
		for _, size := range []int64{10001, 20000, 9000 + 4096} {
			f := &fstree.Inode{Kind: fstree.File, Mode: 0644, Size: size, Mtime: testBuildTime}
			f.SetSource(src)
			tr := &fstree.Tree{Root: &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Mtime: testBuildTime,
				Entries: []*fstree.Entry{{Name: "sub", Inode: &fstree.Inode{Kind: fstree.Dir, Mode: 0755,
					Entries: []*fstree.Entry{{Name: "shrunk", Inode: f}}}}}}}
			var buf memWriterAt
			_, err := Write(&buf, tr, Params{BuildTime: testBuildTime, Compression: comp})
			if err == nil || !strings.Contains(err.Error(), "sub/shrunk") || !strings.Contains(err.Error(), "shorter") {
				t.Fatalf("comp %q size %d: %v", comp, size, err)
			}
		}
	}
}

func TestRefusals(t *testing.T) {
	d := &fstree.Inode{Kind: fstree.Dir, Mode: 0755}
	cases := map[string]*fstree.Tree{
		"hardlinked": {Root: &fstree.Inode{Kind: fstree.Dir, Entries: []*fstree.Entry{{Name: "a", Inode: d}, {Name: "b", Inode: d}}}},
		"longer than": {Root: &fstree.Inode{Kind: fstree.Dir, Entries: []*fstree.Entry{
			{Name: strings.Repeat("x", 256), Inode: &fstree.Inode{Kind: fstree.FIFO}}}}},
		"contains": {Root: &fstree.Inode{Kind: fstree.Dir, Entries: []*fstree.Entry{{Name: "a/b", Inode: &fstree.Inode{Kind: fstree.FIFO}}}}},
		"too long": {Root: &fstree.Inode{Kind: fstree.Dir, Xattrs: []fstree.Xattr{{Name: "user.x", Value: make([]byte, 70000)}}}},
	}
	for want, tr := range cases {
		var buf memWriterAt
		if _, err := Write(&buf, tr, Params{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", want, err)
		}
	}
	if _, err := Write(&memWriterAt{}, genTree(1), Params{Label: strings.Repeat("l", 17)}); err == nil {
		t.Error("17-byte label accepted")
	}
	if _, err := Write(&memWriterAt{}, genTree(1), Params{Compression: "lzma"}); err == nil {
		t.Error("lzma accepted")
	}
}

func TestSkippedXattrWarns(t *testing.T) {
	tr := &fstree.Tree{Root: &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Mtime: testBuildTime,
		Xattrs: []fstree.Xattr{{Name: "system.foo", Value: []byte("x")}, {Name: "user.ok", Value: []byte("y")}}}}
	var warns []string
	var buf memWriterAt
	if _, err := Write(&buf, tr, Params{BuildTime: testBuildTime, Warn: func(s string) { warns = append(warns, s) }}); err != nil {
		t.Fatal(err)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "system.foo") {
		t.Fatalf("warnings %q", warns)
	}
	tr.Root.Xattrs = tr.Root.Xattrs[1:]
	if err := compareReader(tr, buf.b); err != nil {
		t.Fatal(err)
	}
}

func TestLabelAndUUID(t *testing.T) {
	dump := testutil.Tool(t, "dump.erofs", "erofs-utils")
	tr := genTree(2)
	uuid := [16]byte{0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	img, _ := writeImage(t, t.TempDir(), tr, Params{BuildTime: testBuildTime, UUID: uuid, Label: "usr-a"})
	out, err := runOut(dump, "-s", img)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "deadbeef-0102-0304-0506-0708090a0b0c") {
		t.Fatalf("UUID not in dump.erofs -S:\n%s", out)
	}
	b, _ := os.ReadFile(img)
	if string(b[superOffset+64:superOffset+69]) != "usr-a" {
		t.Fatal("volume name not stored")
	}
}
