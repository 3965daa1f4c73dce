package artifacts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteSHA256Sums(t *testing.T) {
	sha256sum := needTool(t, "sha256sum", "coreutils")
	dir := t.TempDir()
	files := map[string]string{
		"image.raw.zst":               "zstd bytes",
		"image.usr-x86-64.raw":        strings.Repeat("u", 10000),
		"image.usr-x86-64-verity.raw": "",
		"A upper first.raw":           "x",
	}
	var names []string
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o444); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := WriteSHA256Sums(dir, names); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sha256sum, "--strict", "-c", SHA256SumsName)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, out)
	}
	text, err := os.ReadFile(filepath.Join(dir, SHA256SumsName))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")
	want := []string{"A upper first.raw", "image.raw.zst", "image.usr-x86-64-verity.raw", "image.usr-x86-64.raw"}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), text)
	}
	for i, l := range lines {
		if !strings.HasSuffix(l, "  "+want[i]) || len(l) != 64+2+len(want[i]) {
			t.Errorf("line %d = %q, want digest then %q", i, l, want[i])
		}
	}
	// The empty file's digest is the well-known one.
	if !strings.HasPrefix(lines[2], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") {
		t.Errorf("empty file line %q", lines[2])
	}
	// A changed file fails verification.
	if err := os.Chmod(filepath.Join(dir, "image.raw.zst"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "image.raw.zst"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(sha256sum, "--strict", "-c", SHA256SumsName)
	cmd.Dir = dir
	if err := cmd.Run(); err == nil {
		t.Error("sha256sum -c passed after a file changed")
	}
}

func TestWriteSHA256SumsRefuses(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, names := range [][]string{
		{"missing"}, {"../a"}, {"/etc/passwd"}, {"a", "a"}, {"new\nline"}, {"back\\slash"}, {SHA256SumsName}, {""},
	} {
		if err := WriteSHA256Sums(dir, names); err == nil {
			t.Errorf("WriteSHA256Sums(%q) accepted", names)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, SHA256SumsName)); !os.IsNotExist(err) {
		t.Errorf("SHA256SUMS left behind after failures: %v", err)
	}
}
