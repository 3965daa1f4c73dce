package iso9660

import (
	"os"
	"os/exec"
	"testing"
)

// needTool returns the path of an external tool. A missing tool fails the
// test in CI (CI=true or GOREPART_CI=1) and skips it elsewhere, naming the
// Debian package to install.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	msg := name + " not found: apt-get install " + pkg
	if os.Getenv("CI") == "true" || os.Getenv("GOREPART_CI") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}
