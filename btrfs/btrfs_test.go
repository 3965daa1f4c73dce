package btrfs

import (
	"fmt"
	"os"
	"testing"

	"github.com/gorepart/gorepart/internal/testtree"
)

// TestRoundTrip writes generated trees and reads them back with
// btrfs-progs: check --readonly is clean, and names, kinds, modes, owners,
// mtimes and atimes (whole seconds: mkfs.btrfs drops nanoseconds; not of
// directories, which mkfs.btrfs reads twice), link counts, symlink
// targets, xattrs and contents are the tree's.
func TestRoundTrip(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("staging owners needs root; TestUnprivileged covers the rest")
	}
	v := installed(t)
	for seed := int64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			tr, err := testtree.Gen(seed, t.TempDir(), testtree.Options{
				Hardlinks: true, Owners: true, Sticky: true, Xattrs: true, Spaces: true, Sparse: true, Sockets: true,
			})
			if err != nil {
				t.Fatal(err)
			}
			p := params(t)
			p.Minimize = seed%2 == 0
			img := build(t, tr, p, 256<<20)
			check(t, img)
			got := readFS(t, img)
			rootTimeIsMkfs(t, v, got, tr)
			if err := testtree.Compare(tr, got, testtree.Checks{Mtime: true, Atime: true, Nlink: true, Xattrs: true, Data: true}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
