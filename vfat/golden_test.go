package vfat

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/golden"
)

// TestGoldenESP writes the golden cases' ESP tree (testdata/golden) into
// the vfat partitions those cases give it: 300 MiB at the default 4096-byte
// file system sectors (esp-vfat-fixed), 100 MiB at 512 (esp-min-rules),
// the 260 MiB 4K minimum, and an empty XBOOTLDR. Volume IDs and labels are
// the ones repart logged for them.
func TestGoldenESP(t *testing.T) {
	dir, err := golden.Dir()
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(golden.Trees(dir), "esp")
	epoch := time.Unix(1, 0) // the golden runs use SOURCE_DATE_EPOCH=1
	tr := dirTree(t, src, epoch)
	for _, c := range []struct {
		name  string
		size  int64
		ss    int
		id    uint32
		label string
		empty bool
	}{
		{"esp-vfat-fixed", 300 << 20, 4096, 0x793a442b, "esp", false},
		{"esp-min-rules", 100 << 20, 512, 0x793a442b, "esp", false},
		{"esp-4k-minimum", 260 << 20, 4096, 0x793a442b, "esp", false},
		{"xbootldr", 100 << 20, 512, 0xf7776e70, "xbootldr", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := tr
			if c.empty {
				in = emptyTree(epoch)
			}
			var warns []string
			p := Params{SectorSize: c.ss, FATBits: 32, VolumeID: c.id, Label: MangleLabel(c.label), Time: epoch,
				Warn: func(m string) { warns = append(warns, m) }}
			img := writeImage(t, t.TempDir(), c.size, in, p)
			if len(warns) != 0 {
				t.Errorf("warnings: %q", warns)
			}
			fsckClean(t, img)
			mtoolsCheck(t, img, in)
		})
	}
}

func emptyTree(mt time.Time) *fstree.Tree {
	return &fstree.Tree{Root: &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Mtime: mt}}
}
