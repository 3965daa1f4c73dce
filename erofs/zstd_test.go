//go:build erofs_zstd_fsck

// Debian 12's erofs-utils 1.5 cannot read zstd, so this check is opt-in:
// EROFS_FSCK=/path/to/erofs-utils-1.8/fsck.erofs go test -tags erofs_zstd_fsck -run TestZstdFsck ./erofs/
// Without it, zstd images are checked by the test reader (TestReaderRoundTrip).

package erofs

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

// TestZstdFsck extracts zstd images of 200 generated trees with an
// erofs-utils >= 1.8 fsck.erofs ($EROFS_FSCK, else fsck.erofs in PATH) when
// one is available; Debian 12's 1.5 cannot read zstd, so then only the test
// reader checks zstd images (TestReaderRoundTrip).
func TestZstdFsck(t *testing.T) {
	fsck := os.Getenv("EROFS_FSCK")
	if fsck == "" {
		fsck, _ = exec.LookPath("fsck.erofs")
	}
	out, _ := exec.Command(fsck, "-V").CombinedOutput()
	m := regexp.MustCompile(`(\d+)\.(\d+)`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("no fsck.erofs (%q): set EROFS_FSCK to an erofs-utils >= 1.8 fsck.erofs", out)
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	if major == 1 && minor < 8 {
		t.Fatalf("fsck.erofs %s.%s cannot read zstd: set EROFS_FSCK to an erofs-utils >= 1.8 fsck.erofs", m[1], m[2])
	}
	for seed := int64(0); seed < 200; seed++ {
		tr := genTree(seed)
		dir := t.TempDir()
		img, _ := writeImage(t, dir, tr, Params{BuildTime: testBuildTime, Compression: "zstd", CompressionLevel: -1})
		x := dir + "/x"
		if out, err := exec.Command(fsck, "--extract="+x, img).CombinedOutput(); err != nil {
			t.Fatalf("seed %d: %s --extract: %v\n%s", seed, fsck, err, out)
		}
		if err := compareExtracted(tr, x); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
}
