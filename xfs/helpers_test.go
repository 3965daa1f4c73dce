package xfs

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fsformat"
	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testutil"
)

var testUUID = [16]byte{0x5b, 0x1d, 0x2f, 0x0e, 0x11, 0x22, 0x43, 0x44, 0x85, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc}

var testTime = time.Unix(1700000000, 0)

// params are the test defaults: a private temporary directory (checked
// to be empty again at the end of the test) and PATH with sbin.
func params(t *testing.T) Params {
	t.Helper()
	testutil.Tool(t, "mkfs.xfs", "xfsprogs")
	return Params{Label: "root-x86-64"[:12-1], UUID: testUUID, SectorSize: 512, Time: testTime, TempDir: testutil.CleanTempDir(t), Path: testutil.SearchPath()}
}

// build plans tr and writes it into a new image of size bytes (0: its
// MinSize), returning the path.
func build(t *testing.T, tr *fstree.Tree, p Params, size int64) string {
	t.Helper()
	newPlan := func() (fsformat.Plan, error) { return NewPlan(tr, p) }
	return testutil.BuildPlan(t, newPlan, filepath.Join(t.TempDir(), "xfs.img"), size)
}
