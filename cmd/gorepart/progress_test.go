package main

import (
	"bytes"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func progressFixture(t *testing.T) (defs, src, out string) {
	dir := t.TempDir()
	defs, src, out = filepath.Join(dir, "repart.d"), filepath.Join(dir, "src"), filepath.Join(dir, "out")
	for _, d := range []string{defs, src, out} {
		os.MkdirAll(d, 0o755)
	}
	data := make([]byte, 48<<20)
	rand.Read(data)
	for _, n := range []string{"a", "b", "c", "d"} {
		os.WriteFile(filepath.Join(src, n), data, 0o644)
	}
	os.WriteFile(filepath.Join(defs, "10-root.conf"), []byte("[Partition]\nType=root\nFormat=ext4\nMinimize=guess\nCopyFiles=/:/\n"), 0o644)
	os.WriteFile(filepath.Join(defs, "20-esp.conf"), []byte("[Partition]\nType=esp\nFormat=vfat\nCopyFiles=/a:/a\n"), 0o644)
	return defs, src, out
}

// TestProgressOnTerminal runs the command under a pseudo-terminal
// (script(1)) and checks that progress lines are drawn in place and end
// with a newline before the table.
func TestProgressOnTerminal(t *testing.T) {
	defs, src, out := progressFixture(t)
	self, _ := os.Executable()
	cmdline := strings.Join([]string{self, "--empty=create", "--size=auto", "--dry-run=no", "--definitions=" + defs,
		"--copy-source=" + src, filepath.Join(out, "image.raw")}, " ")
	cmd := exec.Command("script", "-qefc", cmdline, "/dev/null")
	cmd.Env = append(os.Environ(), "GOREPART_RUN_MAIN=1", "SOURCE_DATE_EPOCH=1")
	got, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("script: %v\n%q", err, got)
	}
	s := string(got)
	// Intermediate lines depend on timing; the final one is always drawn
	// over the line in place.
	if !strings.Contains(s, "\r\x1b[KWrote partition 0 (ext4") {
		t.Errorf("no in-place progress line for the ext4 partition:\n%q", s)
	}
	for _, want := range []string{"Wrote partition 0 (ext4, \"root-x86-64\"): 4 files", "Wrote partition 1 (vfat", "TYPE"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%q", want, s)
		}
	}
	// The last progress line is finished before the table starts.
	if i := strings.LastIndex(s, "Wrote partition"); i < 0 || !strings.Contains(s[i:], "\n") {
		t.Errorf("final progress line not terminated:\n%q", s)
	}
}

// TestProgressWithoutTerminal: no control characters, one line per stage.
func TestProgressWithoutTerminal(t *testing.T) {
	defs, src, out := progressFixture(t)
	self, _ := os.Executable()
	cmd := exec.Command(self, "--empty=create", "--size=auto", "--dry-run=no", "--definitions="+defs,
		"--copy-source="+src, filepath.Join(out, "image.raw"))
	cmd.Env = append(os.Environ(), "GOREPART_RUN_MAIN=1", "SOURCE_DATE_EPOCH=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	for i, c := range stderr.Bytes() {
		if c < 0x20 && c != '\n' {
			t.Fatalf("control character %#x at byte %d of stderr:\n%q", c, i, stderr.String())
		}
	}
	if n := strings.Count(stderr.String(), "Wrote partition"); n != 2 {
		t.Errorf("%d 'Wrote partition' lines, want 2:\n%s", n, stderr.String())
	}
	if strings.Contains(stderr.String(), "Writing partition") {
		t.Errorf("intermediate progress lines without a terminal:\n%s", stderr.String())
	}
}
