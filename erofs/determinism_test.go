package erofs

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"golang.org/x/sys/unix"
)

// TestDeterministic writes the same trees with different worker counts and
// checks the images are byte-identical.
func TestDeterministic(t *testing.T) {
	for _, comp := range []string{"", "lz4hc", "zstd"} {
		for seed := int64(0); seed < 20; seed++ {
			tr := genTree(seed)
			var ref []byte
			for _, w := range []int{1, 2, 7} {
				var buf memWriterAt
				if _, err := Write(&buf, tr, Params{BuildTime: testBuildTime, Compression: comp, CompressionLevel: -1, Workers: w}); err != nil {
					t.Fatal(err)
				}
				if ref == nil {
					ref = buf.b
				} else if !bytes.Equal(ref, buf.b) {
					t.Fatalf("comp %q seed %d: %d workers give a different image", comp, seed, w)
				}
			}
		}
	}
}

// TestDeterministicFromDisk builds the same content twice on disk with a
// different umask and creation order and with duplicate files hardlinked
// in one copy only, reads both with fstree.Build (which breaks hardlinks by
// default) and checks the images are identical.
func TestDeterministicFromDisk(t *testing.T) {
	files := map[string]string{
		"a/b/c.txt": strings.Repeat("hello erofs\n", 1000),
		"a/dup1":    strings.Repeat("x", 9000),
		"a/dup2":    strings.Repeat("x", 9000),
		"z/empty":   "",
		"m/n/o/p":   "tail",
	}
	order := []string{"a/b/c.txt", "a/dup1", "a/dup2", "z/empty", "m/n/o/p"}
	mk := func(root string, reverse, link bool, umask int) {
		old := unix.Umask(umask)
		defer unix.Umask(old)
		names := append([]string(nil), order...)
		if reverse {
			for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
				names[i], names[j] = names[j], names[i]
			}
		}
		for _, n := range names {
			p := filepath.Join(root, n)
			if err := os.MkdirAll(filepath.Dir(p), 0755); err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(n, "a/dup") {
				other := filepath.Join(root, "a/dup1")
				if n == "a/dup1" {
					other = filepath.Join(root, "a/dup2")
				}
				if _, err := os.Stat(other); link && err == nil {
					if err := os.Link(other, p); err != nil {
						t.Fatal(err)
					}
					continue
				}
			}
			if err := os.WriteFile(p, []byte(files[n]), 0644); err != nil {
				t.Fatal(err)
			}
		}
	}
	build := func(root string) []byte {
		epoch := time.Unix(1000, 0)
		tr, _, err := fstree.Build(fstree.BuildOptions{
			Copies:          []fstree.Copy{{Source: "/", Target: "/"}},
			CopySource:      root,
			SourceDateEpoch: &epoch,
		})
		if err != nil {
			t.Fatal(err)
		}
		var buf memWriterAt
		if _, err := Write(&buf, tr, Params{BuildTime: epoch, Compression: "lz4hc", CompressionLevel: -1}); err != nil {
			t.Fatal(err)
		}
		return buf.b
	}
	d1, d2 := t.TempDir(), t.TempDir()
	mk(d1, false, false, 022)
	mk(d2, true, true, 077)
	// The umask changed the modes: give both trees the same ones.
	for _, d := range []string{d1, d2} {
		filepath.Walk(d, func(p string, fi os.FileInfo, err error) error {
			if fi.IsDir() {
				return os.Chmod(p, 0755)
			}
			return os.Chmod(p, 0644)
		})
	}
	b1, b2 := build(d1), build(d2)
	if !bytes.Equal(b1, b2) {
		for i := range b1 {
			if i < len(b2) && b1[i] != b2[i] {
				t.Fatalf("images differ at %d (sizes %d, %d)", i, len(b1), len(b2))
			}
		}
		t.Fatalf("images differ (sizes %d, %d)", len(b1), len(b2))
	}
}
