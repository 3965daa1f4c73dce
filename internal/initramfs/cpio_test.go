package initramfs_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/initramfs"
	"github.com/gorepart/gorepart/internal/testutil"
)

// TestCpioReadByCpio writes an archive with each kind of entry and has
// GNU cpio list it and extract it.
func TestCpioReadByCpio(t *testing.T) {
	cpio := testutil.Tool(t, "cpio", "cpio")
	var buf bytes.Buffer
	c := initramfs.NewWriter(&buf)
	c.Add("bin", fs.ModeDir|0o755, nil)
	c.Add("bin/busybox", 0o755, []byte("#!/bin/sh\necho odd length!\n"))
	c.Add("bin/sh", fs.ModeSymlink|0o777, []byte("busybox"))
	c.Add("empty", 0o644, nil)
	c.Char("console", 0o600, 5, 1)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.Len()%4 != 0 {
		t.Errorf("archive is %d bytes, not padded to 4", buf.Len())
	}

	list := exec.Command(cpio, "-itv", "--quiet")
	list.Stdin = bytes.NewReader(buf.Bytes())
	out, err := list.CombinedOutput()
	if err != nil {
		t.Fatalf("cpio -t: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	want := []string{`^drwxr-xr-x .* bin$`, `^-rwxr-xr-x .* 27 .* bin/busybox$`, `^lrwxrwxrwx .* bin/sh -> busybox$`,
		`^-rw-r--r-- .* 0 .* empty$`, `^crw------- .* 5,\s+1 .* console$`}
	if len(lines) != len(want) {
		t.Fatalf("cpio -t lists %d entries, want %d:\n%s", len(lines), len(want), out)
	}
	for i, re := range want {
		if !regexp.MustCompile(re).MatchString(lines[i]) {
			t.Errorf("entry %d: %q does not match %s", i, lines[i], re)
		}
	}

	dir := t.TempDir()
	extract := exec.Command(cpio, "-id", "--quiet", "--no-absolute-filenames", "bin/*", "empty")
	extract.Dir = dir
	extract.Stdin = bytes.NewReader(buf.Bytes())
	if out, err := extract.CombinedOutput(); err != nil {
		t.Fatalf("cpio -i: %v\n%s", err, out)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "bin/busybox")); err != nil || string(b) != "#!/bin/sh\necho odd length!\n" {
		t.Errorf("bin/busybox extracted as %q (%v)", b, err)
	}
	if l, err := os.Readlink(filepath.Join(dir, "bin/sh")); err != nil || l != "busybox" {
		t.Errorf("bin/sh extracted as link to %q (%v)", l, err)
	}
}
