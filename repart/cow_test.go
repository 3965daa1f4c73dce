package repart

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gorepart/gorepart/definitions"
)

// TestCOW: --cow=no sets NOCOW on a new image, --cow=yes clears it, and
// an image rewritten in place of an existing one keeps the attribute.
// Where the filesystem has no NOCOW (anything but btrfs) the builds
// still succeed, as repart's do.
func TestCOW(t *testing.T) {
	dir := t.TempDir()
	var sfs unix.Statfs_t
	if err := unix.Statfs(dir, &sfs); err != nil {
		t.Fatal(err)
	}
	btrfs := sfs.Type == unix.BTRFS_SUPER_MAGIC
	seed := mustUUID(t, "750b6cd5-c4ae-4012-a15e-7be3c29e6a47")
	attr := func(path string) bool {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		return noCOW(f)
	}
	no, yes := false, true
	for _, tc := range []struct {
		name  string
		cow   *bool
		nocow bool
	}{{"nocow.raw", &no, true}, {"cow.raw", &yes, false}} {
		img := filepath.Join(dir, tc.name)
		if _, err := Build(context.Background(), nil, BuildOptions{Image: img, Empty: "create", COW: tc.cow,
			Plan: Options{Seed: seed, Size: 1 << 20}}); err != nil {
			t.Fatal(err)
		}
		if got := attr(img); btrfs && got != tc.nocow {
			t.Errorf("%s: NOCOW %v, want %v", tc.name, got, tc.nocow)
		} else if !btrfs && got {
			t.Errorf("%s: NOCOW set on a filesystem without it", tc.name)
		}
	}
	// Rewriting keeps the existing image's attribute.
	img := filepath.Join(dir, "nocow.raw")
	if _, err := Build(context.Background(), []*definitions.Definition{fixedDef("10-root.conf", parseType(t, "root-x86-64"), 4096)},
		BuildOptions{Image: img, Plan: Options{Seed: seed}}); err != nil {
		t.Fatal(err)
	}
	if btrfs && !attr(img) {
		t.Error("the rewritten image lost NOCOW")
	}
	if !btrfs {
		t.Logf("%s is not btrfs: only the builds were checked, not the attribute", dir)
	}
}
