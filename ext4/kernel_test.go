//go:build ext4_kernel

// Run with: go test -tags ext4_kernel -run TestKernelCheck ./ext4/

package ext4

import (
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testutil"
	"github.com/gorepart/gorepart/internal/vmcheck"
)

// TestKernelCheck wraps a generated filesystem in a GPT image and has
// Linux 6.1 mount it in qemu (internal/vmcheck), read every file and
// fail on any EXT4-fs error. The repository's TestKernelCheckExample
// covers the ext4 root of the example image in CI; this generated tree
// (htree with non-ASCII names, 40-level paths, xattrs, devices) is an
// opt-in suite (build tag ext4_kernel), a minute of qemu.
func TestKernelCheck(t *testing.T) {
	tree := genTree(3)
	deepChain(tree.Root, 40)
	for _, i := range []int{7, 13, 27} {
		d := genTree(i).Root
		d.Mode = 0755
		tree.Root.Entries = append(tree.Root.Entries, &fstree.Entry{Name: fmt.Sprintf("tree%d", i), Inode: d})
	}
	sortEntries(tree.Root)
	p := testParams()
	fsSize, err := MinSize(tree, p)
	if err != nil {
		t.Fatal(err)
	}
	fsSize = (fsSize*3/2 + 1<<20 - 1) &^ (1<<20 - 1)
	img := filepath.Join(t.TempDir(), "disk.raw")
	testutil.Disk(t, img, []testutil.DiskPart{{Type: "0FC63DAF-8483-4772-8E79-3D69D8477DE4", Name: "root", Size: fsSize,
		Write: func(w io.WriterAt) error { return Write(w, fsSize, tree, p) }}})
	part := testutil.TreeContents(t, &vmcheck.Partition{PartNo: 1, FSType: "ext4", Name: "root"}, tree, 1)
	testutil.VMCheck(t, img, &vmcheck.Spec{PartitionCount: 1, Partitions: []*vmcheck.Partition{part}})
}
