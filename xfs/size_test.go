package xfs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/mkfs"
	"github.com/gorepart/gorepart/internal/testtree"
)

// TestMinSizeFloor: a small tree fits mkfs.xfs's minimum, 300 MiB, and
// the superblock has the label, UUID and sector size asked for.
func TestMinSizeFloor(t *testing.T) {
	p := params(t)
	pl, err := NewPlan(smallTree(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	if n, err := pl.MinSize(); err != nil || n != minSize {
		t.Fatalf("MinSize = %d, %v; want %d", n, err, minSize)
	}
	img := build(t, smallTree(), p, 0)
	repair(t, img)
	out := xfsDB(t, img, "sb 0", "print uuid fname sectsize dblocks blocksize")
	for _, want := range []string{"uuid = " + mkfs.UUIDString(testUUID), `fname = "` + p.Label + `\000`, "sectsize = 512", "dblocks = 76800"} {
		if !strings.Contains(out, want) {
			t.Errorf("superblock lacks %q:\n%s", want, out)
		}
	}
}

// TestMinSizeLargeFile: a file larger than an allocation group of the
// 300 MiB filesystem cannot be one extent there (mkfs.xfs 6.1 would
// overwrite the next group's headers with its tail: the build detects
// it), so MinSize grows until the file fits, and stops within its
// precision of the smallest size that works.
func TestMinSizeLargeFile(t *testing.T) {
	src := filepath.Join(t.TempDir(), "big")
	data := bytes.Repeat([]byte("0123456789abcdef"), 80<<20/16)
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	tr := smallTree()
	in := &fstree.Inode{Kind: fstree.File, Mode: 0o644, Size: int64(len(data))}
	in.SetSource(src)
	add(tr, "big", in)
	p := params(t)
	pl, err := NewPlan(tr, p)
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	n, err := pl.MinSize()
	if err != nil {
		t.Fatal(err)
	}
	if n <= minSize {
		t.Fatalf("MinSize %d: the 80 MiB file fit a 300 MiB filesystem's 75 MiB groups?", n)
	}
	step := max(int64(mib), n/64)
	if _, err := pl.make(n-step, true); !errors.Is(err, errTooSmall) {
		t.Errorf("%d bytes (MinSize less %d) hold the tree too: %v", n-step, step, err)
	}
	t.Logf("MinSize %d MiB", n>>20)
	img := filepath.Join(t.TempDir(), "img")
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Truncate(n)
	if err := pl.Write(f, n); err != nil {
		t.Fatal(err)
	}
	repair(t, img)
	got := readFS(t, img)
	if err := testtree.Compare(tr, got, testtree.Checks{Mtime: true, Data: true}); err != nil {
		t.Fatal(err)
	}
}

// TestRepartTrialBytes: repart's measure of a trial filesystem, without
// the log: a few hundred KiB of metadata for a small tree, plus the data.
func TestRepartTrialBytes(t *testing.T) {
	p := params(t)
	pl, err := NewPlan(smallTree(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	a, err := pl.RepartTrialBytes()
	if err != nil {
		t.Fatal(err)
	}
	if a < 64<<10 || a > 2<<20 {
		t.Errorf("RepartTrialBytes = %d", a)
	}
	b, _ := pl.RepartTrialBytes()
	if a != b {
		t.Errorf("RepartTrialBytes varies: %d, %d", a, b)
	}
	t.Logf("RepartTrialBytes %d", a)
}

// TestReproducible: two builds of a tree with the same Params are
// byte-identical, a second apart, from different temporary directories.
func TestReproducible(t *testing.T) {
	tr, err := testtree.Gen(5, t.TempDir(), testtree.Options{Devices: true, Owners: true, Sticky: true, Xattrs: true, Sparse: true})
	if err != nil {
		t.Fatal(err)
	}
	p := params(t)
	sde := testTime
	p.SourceDateEpoch = &sde
	a := build(t, tr, p, 0)
	time.Sleep(1100 * time.Millisecond)
	p2 := p
	p2.TempDir = t.TempDir()
	b := build(t, tr, p2, 0)
	n, first, err := testtree.DiffFiles(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d bytes differ, the first at %d", n, first)
	}
}
