package btrfs

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fsformat"
	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/mkfs"
	"github.com/gorepart/gorepart/internal/testtree"
	"github.com/gorepart/gorepart/internal/testutil"
)

var testUUID = [16]byte{0x5b, 0x1d, 0x2f, 0x0e, 0x11, 0x22, 0x43, 0x44, 0x85, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc}

// params are the test defaults: a private temporary directory (checked
// to be empty again at the end of the test) and PATH with sbin.
func params(t *testing.T) Params {
	t.Helper()
	testutil.Tool(t, "mkfs.btrfs", "btrfs-progs")
	return Params{Label: "root-x86-64", UUID: testUUID, SectorSize: 512, TempDir: testutil.CleanTempDir(t), Path: testutil.SearchPath()}
}

// build plans tr and writes it into a new image file of size bytes (with
// Params.Minimize, the file is MinSize bytes), returning its path.
func build(t *testing.T, tr *fstree.Tree, p Params, size int64) string {
	t.Helper()
	if p.Minimize {
		size = 0
	}
	newPlan := func() (fsformat.Plan, error) { return NewPlan(tr, p) }
	return testutil.BuildPlan(t, newPlan, filepath.Join(t.TempDir(), "btrfs.img"), size)
}

// installed is the release of the installed mkfs.btrfs.
func installed(t *testing.T) mkfs.Version {
	t.Helper()
	p := params(t)
	prog, err := mkfs.Find(tool(), p.Path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := programVersion(prog, &p)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// rootTimeIsMkfs accepts, before btrfs-progs 6.11, the mkfs time that
// mkfs.btrfs gives the top directory (doc.go) in place of the tree's.
func rootTimeIsMkfs(t *testing.T, v mkfs.Version, got map[string]*testtree.Node, tr *fstree.Tree) {
	t.Helper()
	if v.Release() >= releaseRootMeta {
		return
	}
	if d := time.Since(got["/"].Mtime); d < 0 || d > time.Hour {
		t.Errorf("top directory mtime %v: not the mkfs time", got["/"].Mtime)
	}
	got["/"].Mtime = tr.Root.Mtime.Truncate(time.Second)
}
