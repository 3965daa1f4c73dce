package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// InCI reports whether the tests run in CI (CI=true or GOREPART_CI=1),
// where a missing tool is a failure instead of a skip.
func InCI() bool {
	return os.Getenv("CI") == "true" || os.Getenv("GOREPART_CI") == "1"
}

// Missing ends the test for a missing prerequisite: in CI it fails,
// elsewhere it skips; both print how to install it.
func Missing(t testing.TB, what, pkg string) {
	t.Helper()
	msg := what + " not found: apt-get install -y " + pkg
	if InCI() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Tool returns the path of an external program (from PATH, else /usr/sbin
// or /sbin), or ends the test naming the Debian package that provides it.
func Tool(t testing.TB, name, pkg string) string {
	t.Helper()
	if p, ok := LookTool(name); ok {
		return p
	}
	Missing(t, name, pkg)
	return ""
}

// sbin are searched after PATH: Debian keeps mkfs tools there and a
// non-root PATH often lacks them.
var sbin = []string{"/usr/sbin", "/sbin"}

// LookTool finds a program in PATH, else in /usr/sbin or /sbin (which a
// non-root PATH may lack).
func LookTool(name string) (string, bool) {
	if p, err := exec.LookPath(name); err == nil {
		return p, true
	}
	for _, dir := range sbin {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}

// SearchPath is PATH followed by the sbin directories: the search path
// tests give the writers that run external programs (btrfs, xfs).
func SearchPath() string {
	p := os.Getenv("PATH")
	for _, d := range sbin {
		p += string(os.PathListSeparator) + d
	}
	return p
}
