package xfs

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
	if dir := os.Getenv(helperEnv); dir != "" {
		buildAs(t, dir)
		return
	}
	dir, err := os.MkdirTemp("", "gorepart-unpriv-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o777)
	if os.Geteuid() != 0 {
		buildAs(t, dir)
	} else {
		bin := filepath.Join(dir, "xfs.test")
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
		if out, err := c.CombinedOutput(); err != nil || strings.Contains(string(out), "--- SKIP") {
			t.Fatalf("as nobody: %v\n%s", err, out)
		}
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
	size, err := pl.MinSize()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "img"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Truncate(size)
	if err := pl.Write(f, size); err != nil {
		t.Fatal(err)
	}
	if err := pl.Close(); err != nil {
		t.Fatal(err)
	}
	assertEmpty(t, tmp)
}
