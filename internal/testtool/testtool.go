// Package testtool finds the external programs that tests check images
// with. A missing program fails the test in CI (CI=true or GOREPART_CI=1),
// so CI cannot pass by skipping, and skips it elsewhere, naming the Debian
// package to install.
package testtool

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// sbin are searched after PATH: Debian keeps mkfs tools there and a
// non-root PATH often lacks it.
var sbin = []string{"/usr/sbin", "/sbin"}

// CI reports whether the tests run in CI.
func CI() bool {
	return os.Getenv("CI") == "true" || os.Getenv("GOREPART_CI") == "1"
}

// Lookup returns the path of name, searching PATH and then the sbin
// directories, or "".
func Lookup(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, d := range sbin {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// Need returns the path of name, or ends the test: a failure in CI, a skip
// elsewhere, naming the Debian package.
func Need(t testing.TB, name, debianPkg string) string {
	t.Helper()
	if p := Lookup(name); p != "" {
		return p
	}
	if CI() {
		t.Fatalf("%s not found: apt-get install %s", name, debianPkg)
	}
	t.Skipf("%s not found: apt-get install %s", name, debianPkg)
	return ""
}

// Path is PATH followed by the sbin directories, for the writers' tool
// search path in tests.
func Path() string {
	p := os.Getenv("PATH")
	for _, d := range sbin {
		p += string(os.PathListSeparator) + d
	}
	return p
}
