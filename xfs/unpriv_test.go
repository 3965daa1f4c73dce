package xfs

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testtree"
	"github.com/gorepart/gorepart/internal/testutil"
)

const helperEnv = "GOREPART_XFS_UNPRIVILEGED_DIR"

func unprivTree(t *testing.T, src string) *fstree.Tree {
	tr, err := testtree.Gen(9, src, testtree.Options{Devices: true, Owners: true, Sticky: true, Sparse: true})
	if err != nil {
		t.Fatal(err)
	}
	tr.Root.Xattrs = []fstree.Xattr{{Name: "user.validatefs.mount_point", Value: []byte("/home\x00")}}
	return tr
}

// TestUnprivileged: no privilege is needed, also for devices and other
// owners (as root, the test runs itself again as nobody).
func TestUnprivileged(t *testing.T) {
	dir := testutil.AsNobody(t, helperEnv, false, buildAs)
	if dir == "" {
		return
	}
	img := filepath.Join(dir, "img")
	repair(t, img)
	tr := unprivTree(t, t.TempDir())
	if err := testtree.Compare(tr, readFS(t, img), testtree.Checks{Mtime: true, Atime: true, DirAtime: true, Nsec: true, Xattrs: true, Data: true}); err != nil {
		t.Fatal(err)
	}
}

func buildAs(t *testing.T, dir string) {
	src, tmp := filepath.Join(dir, "src"), filepath.Join(dir, "tmp")
	for _, d := range []string{src, tmp} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	p := Params{Label: "home", UUID: testUUID, Time: testTime, TempDir: tmp, Path: testutil.SearchPath()}
	pl, err := NewPlan(unprivTree(t, src), p)
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	testutil.WritePlan(t, pl, filepath.Join(dir, "img"), 0)
	if err := pl.Close(); err != nil {
		t.Fatal(err)
	}
	testutil.AssertEmpty(t, tmp)
}
