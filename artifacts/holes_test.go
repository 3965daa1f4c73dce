package artifacts

import (
	"bytes"
	"crypto/sha256"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestHolesSkipped compresses a 1 GiB sparse file (data in three places,
// a partial hole chunk at the end) and compares what zstd -d and xz -d
// give back with the file, by hash.
func TestHolesSkipped(t *testing.T) {
	const size = 1<<30 + 12345
	path := filepath.Join(t.TempDir(), "sparse.raw")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	payload := testImage(3<<20, 5)
	for _, off := range []int64{4096, 300<<20 + 17, 1<<30 - 5<<20} {
		if _, err := f.WriteAt(payload, off); err != nil {
			t.Fatal(err)
		}
	}
	want := sha256.New()
	if _, err := io.Copy(want, io.NewSectionReader(f, 0, size)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ alg, tool, pkg string }{{Zstd, "zstd", "zstd"}, {Xz, "xz", "xz-utils"}} {
		tool := needTool(t, c.tool, c.pkg)
		var out bytes.Buffer
		if err := Compress(&out, f, size, Params{Algorithm: c.alg, Level: 1, Workers: 2}); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(tool, "-d", "-c")
		cmd.Stdin = &out
		got := sha256.New()
		cmd.Stdout = got
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s -d: %v", c.tool, err)
		}
		if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
			t.Errorf("%s: decompressed bytes differ from the sparse file", c.alg)
		}
	}
}
