package testutil

import (
	"io"
	"os"
	"testing"

	"github.com/gorepart/gorepart/fsformat"
)

// BuildPlan makes a plan with newPlan (a writer's NewPlan), writes it
// with WritePlan and closes it, failing the test on any error.
func BuildPlan(t testing.TB, newPlan func() (fsformat.Plan, error), path string, size int64) string {
	t.Helper()
	pl, err := newPlan()
	if err != nil {
		t.Fatalf("NewPlan: %v", err)
	}
	defer func() {
		if err := pl.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	return WritePlan(t, pl, path, size)
}

// WritePlan writes pl into a new file at path of size bytes (0: the
// plan's MinSize) and returns path.
func WritePlan(t testing.TB, pl fsformat.Plan, path string, size int64) string {
	t.Helper()
	if size == 0 {
		var err error
		if size, err = pl.MinSize(); err != nil {
			t.Fatalf("MinSize: %v", err)
		}
	}
	return WriteImage(t, path, size, func(w io.WriterAt) (int64, error) { return 0, pl.Write(w, size) })
}

// CleanTempDir returns a new temporary directory that must be empty
// again when the test ends: a plan's temporary files are its own to
// remove.
func CleanTempDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	t.Cleanup(func() { AssertEmpty(t, dir) })
	return dir
}

// AssertEmpty fails the test for each entry dir holds.
func AssertEmpty(t testing.TB, dir string) {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Errorf("reading %s: %v", dir, err)
	}
	for _, e := range es {
		t.Errorf("left behind in the temporary directory: %s", e.Name())
	}
}
