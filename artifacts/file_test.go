package artifacts

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestCompressFile writes image.raw.zst / .xz next to the image, with the
// mode asked for, and nothing else.
func TestCompressFile(t *testing.T) {
	dir := t.TempDir()
	data := testImage(3<<20+5, 21)
	src := filepath.Join(dir, "image.raw")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	for _, c := range []struct{ alg, name, tool, pkg string }{
		{Zstd, "image.raw.zst", "zstd", "zstd"},
		{ZstdSeekable, "image.raw.zst", "zstd", "zstd"},
		{Xz, "image.raw.xz", "xz", "xz-utils"},
	} {
		tool := needTool(t, c.tool, c.pkg)
		path, err := CompressFile(out, src, 0o444, Params{Algorithm: c.alg, Level: 1, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if path != filepath.Join(out, c.name) {
			t.Errorf("%s: wrote %s, want %s", c.alg, path, c.name)
		}
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm() != 0o444 {
			t.Errorf("%s: mode %v, %v; want 0444", c.alg, st.Mode(), err)
		}
		got, err := exec.Command(tool, "-d", "-c", path).Output()
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s: %s -d: %v, equal %v", c.alg, c.tool, err, bytes.Equal(got, data))
		}
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
	if _, err := CompressFile(out, filepath.Join(dir, "missing.raw"), 0o644, Params{Algorithm: Zstd}); err == nil {
		t.Error("missing source accepted")
	}
	if _, err := CompressFile(out, src, 0o644, Params{Algorithm: Zstd, Level: 99}); err == nil {
		t.Error("bad level accepted")
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Errorf("left behind after failures: %v", ents)
	}
}
