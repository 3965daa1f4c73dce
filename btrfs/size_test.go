package btrfs

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gorepart/gorepart/internal/filecopy"
	"github.com/gorepart/gorepart/internal/mkfs"
	"github.com/gorepart/gorepart/internal/testtree"
	"github.com/gorepart/gorepart/internal/testutil"
)

// TestMinimize: MinSize is the size of the filesystem mkfs.btrfs --shrink
// makes (the same as running it by hand on a copy of the tree), and Write
// writes exactly that filesystem, MinSize bytes, into a larger partition.
func TestMinimize(t *testing.T) {
	tr, err := testtree.Gen(11, t.TempDir(), testtree.Options{Owners: os.Geteuid() == 0, Xattrs: true})
	if err != nil {
		t.Fatal(err)
	}
	p := params(t)
	p.Unprivileged = os.Geteuid() != 0
	p.Minimize = true
	pl, err := NewPlan(tr, p)
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	min, err := pl.MinSize()
	if err != nil {
		t.Fatal(err)
	}
	// By hand, from the plan's own staging directory.
	byHand := filepath.Join(t.TempDir(), "hand.img")
	if err := os.WriteFile(byHand, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	c := exec.Command(testutil.Tool(t, "mkfs.btrfs", "btrfs-progs"), args(&p, pl.root, byHand)...)
	c.Env = env(&p)
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("mkfs.btrfs --shrink: %v\n%s", err, out)
	}
	if st, _ := os.Stat(byHand); st.Size() != min {
		t.Errorf("MinSize %d, mkfs.btrfs --shrink made %d bytes", min, st.Size())
	}
	img := filepath.Join(t.TempDir(), "img")
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	size := min + 64<<20
	f.Truncate(size)
	if err := pl.Write(f, size); err != nil {
		t.Fatal(err)
	}
	exts, err := filecopy.DataExtents(f, 0, size)
	if err != nil {
		t.Fatal(err)
	}
	if last := exts[len(exts)-1]; last.Offset+last.Length > min {
		t.Errorf("Write wrote up to byte %d, past MinSize %d", last.Offset+last.Length, min)
	}
	if got := superField(t, img, "total_bytes"); got != strconv.FormatInt(min, 10) {
		t.Errorf("total_bytes %s, want %d", got, min)
	}
	check(t, img)
}

// TestSize: without Minimize the filesystem spans the size given, with
// 4 KiB sectors even for 512-byte devices (repart's max(ss, 4096)).
func TestSize(t *testing.T) {
	p := params(t)
	img := build(t, smallTree(), p, 300<<20)
	if got := superField(t, img, "total_bytes"); got != strconv.Itoa(300<<20) {
		t.Errorf("total_bytes %s, want %d", got, 300<<20)
	}
	if got := superField(t, img, "sectorsize"); got != "4096" {
		t.Errorf("sectorsize %s", got)
	}
	if got := superField(t, img, "label"); got != p.Label {
		t.Errorf("label %q", got)
	}
	if got := superField(t, img, "fsid"); got != mkfs.UUIDString(testUUID) {
		t.Errorf("fsid %s", got)
	}
	check(t, img)
}
