package vfat

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testutil"
)

// TestMatchesMkfsFat formats empty file systems with mkfs.fat and with
// Write and compares everything mkfs.fat writes (reserved sectors, both
// FATs, the root directory) byte for byte, except the label entry's time
// stamps, which mkfs.fat takes from the clock.
func TestMatchesMkfsFat(t *testing.T) {
	mkfs := testutil.Tool(t, "mkfs.fat", "dosfstools")
	cases := []struct {
		size int64
		ss   int
		bits int
	}{
		{2 << 20, 512, 32}, {33 << 20, 512, 32}, {100 << 20, 512, 32}, {260 << 20, 512, 32},
		{261 << 20, 512, 32}, {300 << 20, 512, 32}, {1 << 30, 512, 32}, {8<<30 + 1<<20, 512, 32},
		{33 << 30, 512, 32}, {260 << 20, 4096, 32}, {300 << 20, 4096, 32}, {4 << 30, 4096, 32},
		{64 << 20, 2048, 32},
		{4 << 20, 512, 0}, {20 << 20, 4096, 0}, {100 << 20, 512, 0}, {300 << 20, 512, 0},
		{600 << 20, 512, 0}, {100 << 20, 512, 16}, {4 << 20, 512, 12}, {16 << 20, 512, 12},
	}
	empty := &fstree.Tree{Root: &fstree.Inode{Kind: fstree.Dir, Mode: 0755}}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%d-%d-F%d", c.size, c.ss, c.bits), func(t *testing.T) {
			dir := t.TempDir()
			ref := filepath.Join(dir, "ref.img")
			if err := os.WriteFile(ref, nil, 0644); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(ref, c.size); err != nil {
				t.Fatal(err)
			}
			args := []string{"-i", "1234abcd", "-n", "ESP", "-S", fmt.Sprint(c.ss)}
			if c.bits != 0 {
				args = append(args, "-F", fmt.Sprint(c.bits))
			}
			if out, err := exec.Command(mkfs, append(args, ref)...).CombinedOutput(); err != nil {
				t.Fatalf("mkfs.fat %v: %v\n%s", args, err, out)
			}
			p := Params{SectorSize: c.ss, FATBits: c.bits, VolumeID: 0x1234abcd, Label: "ESP", Time: time.Unix(1, 0)}
			img := writeImage(t, dir, c.size, empty, p)
			g, err := newGeometry(c.size, c.ss, c.bits)
			if err != nil {
				t.Fatal(err)
			}
			n := g.clusterOffset(2)
			if g.fatBits == 32 {
				n += g.clusterBytes()
			}
			a, b := readHead(t, ref, n), readHead(t, img, n)
			// Label entry times: creation cs/time/date, access date, write time/date.
			root := int(g.reserved+numFATs*g.fatLength) * c.ss
			for _, i := range []int{13, 14, 15, 16, 17, 18, 19, 22, 23, 24, 25} {
				a[root+i], b[root+i] = 0, 0
			}
			if i := firstDiff(a, b); i >= 0 {
				t.Fatalf("differs from mkfs.fat at byte %#x: mkfs.fat % x, gorepart % x", i, a[i:min(i+16, len(a))], b[i:min(i+16, len(b))])
			}
			fsckClean(t, img)
		})
	}
}

func readHead(t *testing.T, path string, n int64) []byte {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, n)
	if _, err := io.ReadFull(f, b); err != nil {
		t.Fatal(err)
	}
	return b
}

func firstDiff(a, b []byte) int {
	if bytes.Equal(a, b) {
		return -1
	}
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return len(a)
}
