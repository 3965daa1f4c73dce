package squashfs

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"golang.org/x/sys/unix"
)

// TestDeterministicWorkers: the image does not depend on the number of
// compressing goroutines, with every compressor.
func TestDeterministicWorkers(t *testing.T) {
	for _, comp := range []string{"gzip", "xz", "lz4", "zstd"} {
		var sums [][32]byte
		for _, w := range []int{1, 2, 5} {
			img, _ := build(t, t.TempDir(), genTree(3, 4096), Params{Compression: comp, BlockSize: 4096, Workers: w})
			b, err := os.ReadFile(img)
			if err != nil {
				t.Fatal(err)
			}
			sums = append(sums, sha256.Sum256(b))
		}
		if sums[0] != sums[1] || sums[0] != sums[2] {
			t.Errorf("%s: images differ across worker counts", comp)
		}
	}
}

// TestDeterministicSources: trees built from sources created in
// different orders, with duplicates as copies or as hardlinks, held in
// memory or spilled to a file, give the same image.
func TestDeterministicSources(t *testing.T) {
	base := t.TempDir()
	srcs := []struct {
		name           string
		reverse, links bool
	}{{"a", false, false}, {"b", true, false}, {"c", false, true}, {"d", true, true}}
	var first []byte
	for i, s := range srcs {
		dir := filepath.Join(base, s.name)
		makeSource(t, dir, s.reverse, s.links)
		for _, spill := range []bool{false, true} {
			tr := buildTree(t, dir, spill)
			img, _ := build(t, t.TempDir(), tr, Params{Workers: 1 + i})
			b, err := os.ReadFile(img)
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = b
			} else if !bytes.Equal(b, first) {
				t.Errorf("source %s (reverse %v, hardlinks %v, spilled %v): image differs", s.name, s.reverse, s.links, spill)
			}
		}
	}
}

// makeSource creates the same files, directories, symlinks and xattrs
// in dir, in forward or reverse order, duplicates as copies or
// hardlinks.
func makeSource(t *testing.T, dir string, reverse, links bool) {
	r := rand.New(rand.NewSource(1))
	type file struct {
		path string
		data []byte
		dup  int // index of the file it repeats, or -1
	}
	var files []file
	for i := 0; i < 400; i++ {
		f := file{path: fmt.Sprintf("d%d/e%d/f%03d", i%7, i%3, i), dup: -1}
		if i > 10 && i%5 == 0 {
			f.dup = r.Intn(i - 1)
			f.data = files[f.dup].data
		} else {
			f.data = make([]byte, r.Intn(100000))
			r.Read(f.data[:len(f.data)/3])
		}
		files = append(files, f)
	}
	order := make([]int, len(files))
	for i := range order {
		order[i] = i
		if reverse {
			order[i] = len(files) - 1 - i
		}
	}
	root := func(i int) int {
		for files[i].dup >= 0 {
			i = files[i].dup
		}
		return i
	}
	for _, i := range order {
		f := files[i]
		p := filepath.Join(dir, f.path)
		if err := os.MkdirAll(filepath.Dir(p), 0755); err != nil {
			t.Fatal(err)
		}
		if i%13 == 0 {
			if err := os.Symlink("../"+f.path, p+".lnk"); err != nil {
				t.Fatal(err)
			}
		}
		if links && f.dup >= 0 {
			orig := filepath.Join(dir, files[f.dup].path)
			if _, err := os.Stat(orig); err == nil {
				if err := os.Link(orig, p); err != nil {
					t.Fatal(err)
				}
				continue
			}
		}
		if err := os.WriteFile(p, f.data, 0644); err != nil {
			t.Fatal(err)
		}
		if root(i)%11 == 0 {
			if err := unix.Setxattr(p, "user.k", []byte(fmt.Sprint(root(i)%3)), 0); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func buildTree(t testing.TB, src string, spill bool) *fstree.Tree {
	epoch := time.Unix(1000000000, 0)
	o := fstree.BuildOptions{
		Copies:          []fstree.Copy{{Source: "/", Target: "/"}},
		CopySource:      src,
		Owner:           fstree.OwnerRoot,
		SourceDateEpoch: &epoch,
		DefaultTime:     epoch,
	}
	if spill {
		o.SpillDir = t.TempDir()
	}
	tr, _, err := fstree.Build(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}
