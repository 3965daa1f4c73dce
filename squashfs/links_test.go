package squashfs

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"golang.org/x/sys/unix"
)

// TestHardlinksAndLargeFiles builds trees from a source holding a 9 MiB
// file (read twice: once to find duplicates, once to send; with a hole)
// named three times, and its copy: with KeepHardlinks the three names are
// one inode with three links (in memory and spilled, told by LinkKey),
// without they are three inodes; either way the data is stored once
// (duplicates), and unsquashfs extracts the same contents.
func TestHardlinksAndLargeFiles(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("extracting owners needs root")
	}
	src := t.TempDir()
	data := make([]byte, 9<<20+123)
	rand.New(rand.NewSource(1)).Read(data[:3<<20])
	rand.New(rand.NewSource(2)).Read(data[5<<20:])
	if err := os.MkdirAll(filepath.Join(src, "d"), 0755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"a", "copy"} {
		if err := os.WriteFile(filepath.Join(src, p), data, 0644); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"b", "d/c"} {
		if err := os.Link(filepath.Join(src, "a"), filepath.Join(src, p)); err != nil {
			t.Fatal(err)
		}
	}
	epoch := time.Unix(1000000000, 0)
	for _, keep := range []bool{false, true} {
		for _, spill := range []bool{false, true} {
			o := fstree.BuildOptions{Copies: []fstree.Copy{{Source: "/", Target: "/"}}, CopySource: src,
				Owner: fstree.OwnerRoot, SourceDateEpoch: &epoch, DefaultTime: epoch, KeepHardlinks: keep}
			if spill {
				o.SpillDir = t.TempDir()
			}
			tr, _, err := fstree.Build(o)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			img, size := build(t, dir, tr, Params{Compression: "lz4"})
			tr.Close()
			// 7.1 MiB of random bytes, the rest zeros.
			if random := int64(3<<20 + len(data) - 5<<20); size > random+1<<20 {
				t.Errorf("keep %v spill %v: image of %d bytes: data stored more than once", keep, spill, size)
			}
			x := unsquash(t, img, dir)
			var inos []uint64
			for _, p := range []string{"a", "b", "d/c", "copy"} {
				got, err := os.ReadFile(filepath.Join(x, p))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, data) {
					t.Fatalf("%s: contents differ", p)
				}
				var st unix.Stat_t
				if err := unix.Stat(filepath.Join(x, p), &st); err != nil {
					t.Fatal(err)
				}
				want := uint64(1)
				if keep && p != "copy" {
					want = 3
				}
				if st.Nlink != want {
					t.Errorf("keep %v spill %v: %s has %d links, want %d", keep, spill, p, st.Nlink, want)
				}
				inos = append(inos, st.Ino)
			}
			if shared := inos[0] == inos[1] && inos[1] == inos[2]; shared != keep || inos[3] == inos[0] {
				t.Errorf("keep %v spill %v: inode numbers %v", keep, spill, inos)
			}
		}
	}
}
