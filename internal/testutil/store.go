package testutil

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/storegen"
)

// StoreTree generates a benchmark tree (internal/storegen, seed 1) of
// the scale into a temporary directory and returns it; the cleanup makes
// its read-only directories writable so that it can be removed.
func StoreTree(t testing.TB, scale string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "store")
	t.Cleanup(func() { MakeWritable(dir) })
	if _, err := storegen.Generate(dir, storegen.Params{Scale: scale, Seed: 1}, nil); err != nil {
		t.Fatalf("generating the %s tree: %v", scale, err)
	}
	return dir
}

// MakeWritable gives every directory below dir mode 0755.
func MakeWritable(dir string) {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o755)
		}
		return nil
	})
}

// WarmCache reads every regular file of tr once, so that a benchmark's
// first contender does not pay for reading them from disk.
func WarmCache(t testing.TB, tr *fstree.Tree) {
	t.Helper()
	err := fstree.Walk(tr.Root, func(p string, e *fstree.Entry) error {
		if e.Inode.Kind != fstree.File {
			return nil
		}
		f, err := e.Inode.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(io.Discard, f)
		return err
	})
	if err != nil {
		t.Fatalf("warming the cache: %v", err)
	}
}
