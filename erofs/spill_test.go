package erofs

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// TestSpilledTree writes a tree built from disk with
// fstree.BuildOptions.SpillDir (listings read back through List, hardlinks
// told by LinkKey) and expects the image of the same tree built in memory,
// byte for byte, with hardlinks kept and broken, flat and compressed; the
// spilled tree's image must pass fsck.erofs. A closed tree is an error.
func TestSpilledTree(t *testing.T) {
	src := t.TempDir()
	for d := range 30 {
		dir := filepath.Join(src, fmt.Sprintf("d%02d", d%7), fmt.Sprintf("sub%02d", d))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for f := range d % 5 {
			body := strings.Repeat(fmt.Sprintf("file %d of %d\n", f, d), 1+f*300)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%d", f)), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Symlink("../../d00", filepath.Join(dir, "up")); err != nil {
			t.Fatal(err)
		}
	}
	for i, l := range []string{"d01/sub01/f0", "d02/sub02/f1", "d00/sub07/f1"} {
		if err := os.Link(filepath.Join(src, "d03/sub03/f0"), filepath.Join(src, l+"-link")); err != nil {
			t.Fatal(err)
		}
		if err := os.Link(filepath.Join(src, "d04/sub04/f2"), filepath.Join(src, fmt.Sprintf("d05/h%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	epoch := time.Unix(1000, 0)
	for _, keep := range []bool{false, true} {
		for _, comp := range []string{"", "lz4hc"} {
			o := fstree.BuildOptions{
				Copies:          []fstree.Copy{{Source: "/", Target: "/"}, {Source: "/d03", Target: "/again"}},
				CopySource:      src,
				SourceDateEpoch: &epoch,
				KeepHardlinks:   keep,
				MakeDirs:        []string{"/d01/made"},
			}
			mem, _, err := fstree.Build(o)
			if err != nil {
				t.Fatal(err)
			}
			o.SpillDir = t.TempDir()
			sp, _, err := fstree.Build(o)
			if err != nil {
				t.Fatal(err)
			}
			p := Params{BuildTime: epoch, Compression: comp, CompressionLevel: -1}
			var a, b memWriterAt
			if _, err := Write(&a, mem, p); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			img, _ := writeImage(t, dir, sp, p)
			if err := readFileInto(img, &b); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.b, b.b) {
				t.Errorf("keep %v, compression %q: spilled tree gives another image (%d, %d bytes)", keep, comp, len(a.b), len(b.b))
			}
			fsckExtract(t, img, dir)
			if err := sp.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := Write(&b, sp, p); err == nil || !strings.Contains(err.Error(), "reading spilled directory") {
				t.Errorf("Write of a closed spilled tree: %v", err)
			}
		}
	}
}

func readFileInto(path string, w *memWriterAt) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	_, err = w.WriteAt(b, 0)
	return err
}
