package squashfs

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testtree"
	"github.com/gorepart/gorepart/internal/testutil"
)

// TestKernelMount loop-mounts images of random trees, one per
// compression, with the host's Linux squashfs driver and compares every
// entry with the tree: each path is looked up by the kernel, through the
// index in large directories. It needs root and loop devices; without
// them it is skipped (the VM check of the image assembler mounts
// squashfs partitions too).
func TestKernelMount(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting needs root")
	}
	if _, err := os.Stat("/dev/loop-control"); err != nil {
		t.Skip("no loop devices")
	}
	mount := testutil.Tool(t, "mount", "mount")
	for i, comp := range []string{"gzip", "xz", "lz4", "zstd"} {
		bs := DefaultBlockSize
		if i%2 == 1 {
			bs = 4096
		}
		tr := withBigDir(genTree(int64(40+i), bs))
		dir := t.TempDir()
		img, _ := build(t, dir, tr, Params{Compression: comp, BlockSize: bs, TailEnds: i >= 2})
		mnt := filepath.Join(dir, "mnt")
		if err := os.Mkdir(mnt, 0755); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(mount, "-t", "squashfs", "-o", "loop,ro", img, mnt).CombinedOutput(); err != nil {
			t.Fatalf("mount: %v\n%s", err, out)
		}
		err := compareTree(tr, mnt, true)
		if out, uerr := exec.Command("umount", mnt).CombinedOutput(); uerr != nil {
			t.Errorf("umount: %v\n%s", uerr, out)
		}
		if err != nil {
			t.Fatalf("%s: %v", comp, err)
		}
	}
}

// withBigDir adds a directory of 3000 entries to tr: an extended inode
// with an index of about 20 points.
func withBigDir(tr *fstree.Tree) *fstree.Tree {
	big := &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Mtime: testTime}
	for i := 0; i < 3000; i++ {
		data := []byte(fmt.Sprintf("%03d", i%1000))
		in := (&fstree.Inode{Kind: fstree.File, Mode: 0644, Mtime: testTime, Size: int64(len(data))}).WithData(data)
		big.Entries = append(big.Entries, &fstree.Entry{Name: fmt.Sprintf("a-fairly-long-file-name-%05d", i), Inode: in})
	}
	tr.Root.Entries = append(tr.Root.Entries, &fstree.Entry{Name: "zz-big", Inode: big})
	testtree.Sort(tr.Root)
	return tr
}
