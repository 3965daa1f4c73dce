package main

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// copyTree copies the example tree with explicit permissions (so the
// source is the same whatever the umask), creating entries in the given
// order, optionally hardlinking files with the same content.
func copyTree(t *testing.T, src, dst string, reverse, hardlink bool) {
	t.Helper()
	type entry struct {
		rel  string
		info fs.FileInfo
	}
	var entries []entry
	filepath.Walk(src, func(path string, info fs.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		entries = append(entries, entry{rel, info})
		return nil
	})
	// Directories first (parents before children), then the rest in
	// the chosen order.
	sort.SliceStable(entries, func(i, j int) bool {
		di, dj := entries[i].info.IsDir(), entries[j].info.IsDir()
		if di != dj {
			return di
		}
		if di {
			return entries[i].rel < entries[j].rel
		}
		if reverse {
			return entries[i].rel > entries[j].rel
		}
		return entries[i].rel < entries[j].rel
	})
	byContent := map[string]string{}
	for _, e := range entries {
		path := filepath.Join(dst, e.rel)
		switch {
		case e.info.IsDir():
			os.MkdirAll(path, 0o755)
		case e.info.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(filepath.Join(src, e.rel))
			os.Symlink(target, path)
		default:
			data, _ := os.ReadFile(filepath.Join(src, e.rel))
			sum := sha256.Sum256(data)
			key := hex.EncodeToString(sum[:]) + e.info.Mode().Perm().String()
			if first, ok := byContent[key]; ok && hardlink {
				if err := os.Link(first, path); err != nil {
					t.Fatal(err)
				}
				continue
			}
			byContent[key] = path
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if e.info.Mode()&fs.ModeSymlink == 0 {
			os.Chmod(path, e.info.Mode().Perm())
		}
	}
	// Directory permissions after their contents exist.
	for _, e := range entries {
		if e.info.IsDir() {
			os.Chmod(filepath.Join(dst, e.rel), e.info.Mode().Perm())
		}
	}
}

// TestReproducible builds the example image twice under different
// conditions — umask, TZ, locale, source creation order, hardlinked
// duplicates, working directory — and requires identical bytes for the
// image and every split file.
func TestReproducible(t *testing.T) {
	examples := filepath.Join(repoDir(t), "testdata", "examples")
	self, _ := os.Executable()
	build := func(name, umask, tz string, reverse, hardlink bool) map[string]string {
		dir := filepath.Join(t.TempDir(), name)
		tree := filepath.Join(dir, "tree")
		copyTree(t, filepath.Join(examples, "tree"), tree, reverse, hardlink)
		// A duplicate file, to be hardlinked in one of the builds.
		data, _ := os.ReadFile(filepath.Join(tree, "usr/share/doc/gorepart/README"))
		os.WriteFile(filepath.Join(tree, "usr/share/doc/gorepart/README.copy"), data, 0o644)
		if hardlink {
			os.Remove(filepath.Join(tree, "usr/share/doc/gorepart/README.copy"))
			os.Link(filepath.Join(tree, "usr/share/doc/gorepart/README"), filepath.Join(tree, "usr/share/doc/gorepart/README.copy"))
		}
		out := filepath.Join(dir, "out")
		os.MkdirAll(out, 0o755)
		script := "umask " + umask + " && exec \"$0\" \"$@\""
		args := []string{"-c", script, self, "--empty=create", "--size=auto", "--dry-run=no", "--split=yes", "--json=pretty",
			"--seed=0867da16-f251-457d-a9e8-c31f9a3c220b", "--sector-size=512", "--owner=root",
			"--image-id=example", "--image-version=1", "--definitions=" + filepath.Join(examples, "repart.d"),
			"--copy-source=" + tree, "example.raw"}
		cmd := exec.Command("/bin/sh", args...)
		cmd.Dir = out
		cmd.Env = append(os.Environ(), "GOREPART_RUN_MAIN=1", "SOURCE_DATE_EPOCH=1700000000", "TZ="+tz, "LC_ALL="+map[string]string{"UTC": "C", "Asia/Kolkata": "de_DE.UTF-8"}[tz])
		if res, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, res)
		}
		sums := map[string]string{}
		files, _ := filepath.Glob(filepath.Join(out, "example*.raw"))
		for _, f := range files {
			data, _ := os.ReadFile(f)
			sum := sha256.Sum256(data)
			sums[filepath.Base(f)] = hex.EncodeToString(sum[:])
		}
		return sums
	}
	a := build("a", "022", "UTC", false, false)
	b := build("b", "077", "Asia/Kolkata", true, true)
	if len(a) < 3 {
		t.Fatalf("expected the image and split files, got %v", a)
	}
	for name, sum := range a {
		if b[name] != sum {
			t.Errorf("%s differs: %s vs %s", name, sum, b[name])
		}
	}
	if len(a) != len(b) {
		t.Errorf("different files: %v vs %v", keys(a), keys(b))
	}
}

func keys(m map[string]string) string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	sort.Strings(k)
	return strings.Join(k, " ")
}
