package vfat

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// TestSpilledTree writes an ESP built from disk with
// fstree.BuildOptions.SpillDir (directories read back through List) and
// expects the minimum size and the image of the same tree built in
// memory, byte for byte; the spilled tree's image must pass fsck.vfat and
// read back with mtools. Writing a closed spilled tree is an error.
func TestSpilledTree(t *testing.T) {
	src := t.TempDir()
	makeESP(t, src, 1<<20, []int{0, 1, 2, 3, 4, 5, 6, 7, 8})
	epoch := time.Unix(1700000000, 0)
	o := fstree.BuildOptions{
		Copies:          []fstree.Copy{{Source: "/", Target: "/"}, {Source: "/EFI/BOOT", Target: "/EFI/again"}},
		CopySource:      src,
		SourceDateEpoch: &epoch,
		Owner:           fstree.OwnerRoot,
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
	p := Params{SectorSize: 512, FATBits: 32, VolumeID: 0x793a442b, Label: "ESP", Time: epoch}
	ms, err := MinSize(mem, p)
	if err != nil {
		t.Fatal(err)
	}
	ss, err := MinSize(sp, p)
	if err != nil {
		t.Fatal(err)
	}
	if ms != ss {
		t.Errorf("MinSize: in memory %d, spilled %d", ms, ss)
	}
	a := writeImage(t, t.TempDir(), 64<<20, mem, p)
	b := writeImage(t, t.TempDir(), 64<<20, sp, p)
	fsckClean(t, b)
	mtoolsCheck(t, b, sp)
	ab, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	bb, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ab, bb) {
		t.Errorf("spilled tree gives another image")
	}
	if err := sp.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := MinSize(sp, p); err == nil || !strings.Contains(err.Error(), "reading spilled directory") {
		t.Errorf("MinSize of a closed spilled tree: %v", err)
	}
}
