package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// nobody is the uid and gid the test runs as when it starts as root.
const nobody = 65534

// AsNobody runs build(t, dir) as a user who is not root and returns dir,
// a directory every user may write, removed when the test ends. Started
// as root, the test binary is copied into dir and runs the test again as
// nobody, with env naming dir and PATH set to SearchPath; in that run
// AsNobody calls build and returns "", and the caller returns too. If the
// run as nobody skips, the test skips when skipOK, and fails otherwise.
func AsNobody(t *testing.T, env string, skipOK bool, build func(t *testing.T, dir string)) string {
	t.Helper()
	if dir := os.Getenv(env); dir != "" {
		build(t, dir)
		return ""
	}
	// Not t.TempDir: its parent is private to root.
	dir, err := os.MkdirTemp("", "gorepart-unpriv-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o777)
	if os.Geteuid() != 0 {
		build(t, dir)
		return dir
	}
	bin := filepath.Join(dir, filepath.Base(os.Args[0]))
	exe, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, exe, 0o755); err != nil {
		t.Fatal(err)
	}
	c := exec.Command(bin, "-test.run=^"+t.Name()+"$", "-test.v")
	c.Env = []string{env + "=" + dir, "PATH=" + SearchPath()}
	c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := c.CombinedOutput()
	skipped := strings.Contains(string(out), "--- SKIP")
	if skipped && skipOK {
		t.Skipf("as nobody: %s", out)
	}
	if err != nil || skipped {
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
	return dir
}
