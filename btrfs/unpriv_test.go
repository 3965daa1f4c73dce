package btrfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testtree"
	"github.com/gorepart/gorepart/internal/testutil"
)

// helperEnv names the directory a re-executed test works in.
const helperEnv = "GOREPART_BTRFS_UNPRIVILEGED_DIR"

// unprivTree is the tree of TestUnprivileged: everything an unprivileged
// caller can stage (owners 0:0, no devices, user.* xattrs only).
func unprivTree(t *testing.T, src string) *fstree.Tree {
	tr, err := testtree.Gen(7, src, testtree.Options{Hardlinks: true, Sparse: true, Spaces: true})
	if err != nil {
		t.Fatal(err)
	}
	fstree.Walk(tr.Root, func(_ string, e *fstree.Entry) error {
		if e.Inode.Kind == fstree.File && e.Inode.Xattrs == nil {
			e.Inode.Xattrs = []fstree.Xattr{{Name: "user.comment", Value: []byte("made unprivileged")}}
		}
		return nil
	})
	return tr
}

// TestUnprivileged builds as a user who is not root (as root, the test
// runs itself again as nobody): the staging tree belongs to that user and
// mkfs.btrfs, run in a user namespace where the user is root, records
// every file as 0:0. The result is read back and compared with the tree.
func TestUnprivileged(t *testing.T) {
	dir := testutil.AsNobody(t, helperEnv, true, buildUnprivileged)
	if dir == "" {
		return
	}
	img := filepath.Join(dir, "img")
	check(t, img)
	tr := unprivTree(t, t.TempDir())
	got := readFS(t, img)
	rootTimeIsMkfs(t, installed(t), got, tr)
	if err := testtree.Compare(tr, got, testtree.Checks{Mtime: true, Atime: true, Nlink: true, Xattrs: true, Data: true}); err != nil {
		t.Fatal(err)
	}
}

// buildUnprivileged writes unprivTree into dir/img.
func buildUnprivileged(t *testing.T, dir string) {
	if os.Geteuid() == 0 {
		t.Fatal("running as root")
	}
	src := filepath.Join(dir, "src")
	tmp := filepath.Join(dir, "tmp")
	for _, d := range []string{src, tmp} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	tr := unprivTree(t, src)
	p := Params{Label: "home", UUID: testUUID, TempDir: tmp, Path: testutil.SearchPath(), Unprivileged: true, Minimize: true}
	pl, err := NewPlan(tr, p)
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	size, err := pl.MinSize()
	if err != nil {
		if strings.Contains(err.Error(), "user namespace") || strings.Contains(err.Error(), "operation not permitted") {
			t.Skipf("no user namespaces for unprivileged users here: %v", err)
		}
		t.Fatal(err)
	}
	testutil.WritePlan(t, pl, filepath.Join(dir, "img"), size)
	if err := pl.Close(); err != nil {
		t.Fatal(err)
	}
	testutil.AssertEmpty(t, tmp)
}
