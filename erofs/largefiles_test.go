package erofs

import (
	"bytes"
	"math/rand"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testtree"
)

// TestLargeFiles covers files of several 4 MiB compression segments:
// incompressible ones (stored flat after compressing, re-read from the
// source), zeros (1 MiB extents), text, and sizes around segment ends.
func TestLargeFiles(t *testing.T) {
	r := rand.New(rand.NewSource(42))
	random := func(n int) []byte { b := make([]byte, n); r.Read(b); return b }
	text := bytes.Repeat([]byte("a fairly compressible line of text, number 0123456789\n"), 100000)
	mixed := random(2*segmentSize - 1)
	for i := 0; i < len(mixed); i += 8192 {
		clear(mixed[i:min(i+4096, len(mixed))])
	}
	files := map[string][]byte{
		"random8M":   random(2*segmentSize + 123),
		"zeros5M":    make([]byte, 5<<20),
		"text":       text[:len(text)-7],
		"seg":        text[:segmentSize],
		"seg+1":      text[:segmentSize+1],
		"mixed":      mixed,
		"random4097": random(4097),
	}
	root := &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Mtime: testBuildTime}
	for name, data := range files {
		testtree.Add(root, name, (&fstree.Inode{Kind: fstree.File, Mode: 0644, Mtime: testBuildTime, Size: int64(len(data))}).WithData(data))
	}
	testtree.Sort(root)
	tr := &fstree.Tree{Root: root}
	for _, comp := range []string{"", "lz4", "lz4hc", "zstd"} {
		st := time.Now()
		var buf memWriterAt
		if _, err := Write(&buf, tr, Params{BuildTime: testBuildTime, Compression: comp, CompressionLevel: -1}); err != nil {
			t.Fatal(err)
		}
		if err := compareReader(tr, buf.b); err != nil {
			t.Fatalf("comp %q: %v", comp, err)
		}
		t.Logf("%q: %v", comp, time.Since(st))
		if comp == "zstd" {
			continue
		}
		dir := t.TempDir()
		img, _ := writeImage(t, dir, tr, Params{BuildTime: testBuildTime, Compression: comp, CompressionLevel: -1})
		if err := compareExtracted(tr, fsckExtract(t, img, dir)); err != nil {
			t.Fatalf("comp %q: %v", comp, err)
		}
	}
}
