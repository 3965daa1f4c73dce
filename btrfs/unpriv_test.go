package btrfs

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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
	if dir := os.Getenv(helperEnv); dir != "" {
		buildUnprivileged(t, dir)
		return
	}
	// Not t.TempDir: its parent is private to root.
	dir, err := os.MkdirTemp("", "gorepart-unpriv-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o777)
	if os.Geteuid() != 0 {
		buildUnprivileged(t, dir)
	} else {
		bin := filepath.Join(dir, "btrfs.test")
		exe, err := os.ReadFile(os.Args[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bin, exe, 0o755); err != nil {
			t.Fatal(err)
		}
		c := exec.Command(bin, "-test.run=^TestUnprivileged$", "-test.v")
		c.Env = []string{helperEnv + "=" + dir, "PATH=" + testutil.SearchPath()}
		c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		out, err := c.CombinedOutput()
		if strings.Contains(string(out), "--- SKIP") {
			t.Skipf("as nobody: %s", out)
		}
		if err != nil {
			t.Fatalf("as nobody: %v\n%s", err, out)
		}
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
	f, err := os.Create(filepath.Join(dir, "img"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	if err := pl.Write(f, size); err != nil {
		t.Fatal(err)
	}
	if err := pl.Close(); err != nil {
		t.Fatal(err)
	}
	assertEmpty(t, tmp)
}
