package ext4

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/gorepart/gorepart/internal/testutil"
)

// TestGeometryMatchesMke2fs compares block count (after dropping a small
// last group), inode counts, reserved GDT blocks and journal size with what
// mkfs.ext4, called as repart calls it, makes of the same size.
func TestGeometryMatchesMke2fs(t *testing.T) {
	mkfs := testutil.Tool(t, "mkfs.ext4", "e2fsprogs")
	dumpe2fs := testutil.Tool(t, "dumpe2fs", "e2fsprogs")
	sizes := []int64{8 << 20, 64 << 20, 128<<20 - 4096, 128 << 20, 129<<20 + 4096*7, 1 << 30, 1<<30 + 4096*60, 3<<30 + 4096*3000, 33 << 30}
	for _, size := range sizes {
		img := filepath.Join(t.TempDir(), "ref.img")
		f, err := os.Create(img)
		if err != nil {
			t.Fatal(err)
		}
		f.Truncate(size)
		f.Close()
		cmd := exec.Command(mkfs, "-q", "-I", "256", "-m", "0", "-E", "nodiscard,lazy_itable_init=1", "-b", "4096", "-T", "default", img)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("mkfs.ext4: %v\n%s", err, out)
		}
		out, err := exec.Command(dumpe2fs, "-h", img).Output()
		if err != nil {
			t.Fatalf("dumpe2fs: %v", err)
		}
		field := func(name string) uint64 {
			m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `:\s+(\d+)`).FindSubmatch(out)
			if m == nil {
				return 0 // dumpe2fs leaves out zero reserved GDT blocks
			}
			v, _ := strconv.ParseUint(string(m[1]), 10, 64)
			return v
		}
		g, err := newGeometry(size)
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(g.blocks, g.inodes, g.ipg, g.rsvGDT, g.journalBlocks)
		want := fmt.Sprint(field("Block count"), field("Inode count"), field("Inodes per group"), field("Reserved GDT blocks"), field("Total journal blocks"))
		if got != want {
			t.Errorf("%d bytes: blocks, inodes, inodes/group, reserved GDT, journal = %s; mke2fs %s", size, got, want)
		}
	}
}
