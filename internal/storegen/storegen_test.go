package storegen

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// manifest digests a tree: every entry's path, type, permission bits,
// size, mtime, link count, and content hash or symlink target, in
// lexical order.
func manifest(t *testing.T, root string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		fi, err := os.Lstat(path)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		extra := ""
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			extra, err = os.Readlink(path)
		case fi.Mode().IsRegular():
			var f *os.File
			if f, err = os.Open(path); err == nil {
				fh := sha256.New()
				_, err = io.Copy(fh, f)
				f.Close()
				extra = hex.EncodeToString(fh.Sum(nil))
			}
		}
		size, nlink := fmt.Sprint(fi.Size()), fmt.Sprint(st.Nlink)
		if fi.IsDir() {
			size, nlink = "-", "-"
		}
		fmt.Fprintf(h, "%s %o %s %d %s %s\n", rel, st.Mode, size, fi.ModTime().UnixNano(), nlink, extra)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestTinyTree generates the tiny tree and compares it with the one
// gen-store.py wrote (--scale tiny --seed 1; the manifest digest of
// that tree, made with this function).
func TestTinyTree(t *testing.T) {
	out := filepath.Join(t.TempDir(), "tree")
	defer chmodWritable(out)
	st, err := Generate(out, Params{Scale: "tiny", Seed: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const want = "scale=tiny seed=1 paths=20 files=2010 (+3 hardlinks) symlinks=54 dirs=934 empty_dirs=7 bytes=25903377 (24.7 MiB) binaries=12 (16.1 MiB) text=8.6 MiB"
	if got := st.Summary(Params{Scale: "tiny", Seed: 1}); got != want {
		t.Errorf("summary\n%s\nwant (gen-store.py)\n%s", got, want)
	}
	if got := manifest(t, out); got != tinyManifest {
		t.Errorf("manifest digest %s, gen-store.py's tree %s", got, tinyManifest)
	}
	if _, err := Generate(out, Params{Scale: "tiny", Seed: 1}, nil); err == nil {
		t.Error("Generate into a full store is no error")
	}
}

// tinyManifest is manifest() of gen-store.py --scale tiny --seed 1.
const tinyManifest = "ce4bbf2ca3049db7654ecfb7e1b3437e094955cd4da2002892476d181a78f57f"

// TestPlan compares the totals with gen-store.py's summary lines (small
// and large as bench/RESULTS.md quotes them).
func TestPlan(t *testing.T) {
	cases := []struct {
		p    Params
		want string
	}{
		{Params{Scale: "small", Seed: 1}, "scale=small seed=1 paths=200 files=20453 (+17 hardlinks) symlinks=430 dirs=9334 empty_dirs=35 bytes=153272448 (146.2 MiB) binaries=62 (74.4 MiB) text=71.3 MiB"},
		{Params{Scale: "large", Seed: 1}, "scale=large seed=1 paths=1500 files=150565 (+121 hardlinks) symlinks=3434 dirs=69131 empty_dirs=307 bytes=1608504831 (1534.0 MiB) binaries=737 (975.2 MiB) text=555.1 MiB"},
		// gen-store.py --scale small --paths 300 --seed 7 --plan-only
		{Params{Scale: "small", Paths: 300, Seed: 7}, "scale=small seed=7 paths=300 files=31169 (+24 hardlinks) symlinks=664 dirs=14015 empty_dirs=61 bytes=264532267 (252.3 MiB) binaries=100 (137.7 MiB) text=114.0 MiB"},
	}
	for _, c := range cases {
		if testing.Short() && c.p.Scale == "large" {
			continue
		}
		st, err := Plan(c.p)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Summary(c.p); got != c.want {
			t.Errorf("%+v:\n%s\nwant (gen-store.py)\n%s", c.p, got, c.want)
		}
	}
	if _, err := Plan(Params{Scale: "huge"}); err == nil {
		t.Error("an unknown scale is no error")
	}
}

// chmodWritable lets the test's cleanup remove a read-only tree.
func chmodWritable(root string) {
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(path, 0o755)
		}
		return nil
	})
}
