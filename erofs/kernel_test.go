package erofs

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testutil"
	"github.com/gorepart/gorepart/internal/vmcheck"
)

// TestKernelCheck puts an uncompressed, an lz4 and an lz4hc image of
// generated trees into a GPT disk and has Linux 6.1 mount them in qemu
// (internal/vmcheck) and compare every file's sha256, symlinks, modes
// and owners, with no erofs errors in dmesg. With $EROFS_BENCH_SRC, that
// tree (a synthetic Nix store) goes in too, lz4hc, every 25th path
// listed (the guest still reads every file).
func TestKernelCheck(t *testing.T) {
	dir := t.TempDir()
	trees := []*fstree.Tree{genTree(100), genTree(101), genTree(102)}
	comps := []string{"", "lz4", "lz4hc"}
	if src := os.Getenv("EROFS_BENCH_SRC"); src != "" {
		trees = append(trees, buildTree(t, src))
		comps = append(comps, "lz4hc")
	}
	var parts []testutil.DiskPart
	spec := &vmcheck.Spec{PartitionCount: len(trees)}
	for i, tr := range trees {
		img := testutil.WriteImage(t, filepath.Join(dir, fmt.Sprintf("p%d.erofs", i+1)), 0, func(w io.WriterAt) (int64, error) {
			return Write(w, tr, Params{BuildTime: testBuildTime, Compression: comps[i], CompressionLevel: -1})
		})
		parts = append(parts, testutil.DiskPart{Type: "0FC63DAF-8483-4772-8E79-3D69D8477DE4", File: img})
		every := 1
		if i >= 3 {
			every = 25
		}
		spec.Partitions = append(spec.Partitions, testutil.TreeContents(t, &vmcheck.Partition{PartNo: i + 1, FSType: "erofs"}, tr, every))
	}
	disk := filepath.Join(dir, "disk.raw")
	testutil.Disk(t, disk, parts)
	testutil.VMCheck(t, disk, spec)
}
