package xfs

import (
	"fmt"
	"testing"

	"github.com/gorepart/gorepart/internal/testtree"
)

// TestRoundTrip writes generated trees and reads them back with xfsprogs
// alone: xfs_repair -n is clean, and names, kinds, modes (sticky bits
// included), owners, times to the nanosecond, devices, symlink targets,
// xattrs and contents are the tree's.
func TestRoundTrip(t *testing.T) {
	for seed := int64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			tr, err := testtree.Gen(seed, t.TempDir(), testtree.Options{Devices: true, Owners: true, Sticky: true, Xattrs: true, Sparse: true})
			if err != nil {
				t.Fatal(err)
			}
			img := build(t, tr, params(t), 0)
			repair(t, img)
			got := readFS(t, img)
			if err := testtree.Compare(tr, got, testtree.Checks{Mtime: true, Atime: true, DirAtime: true, Nsec: true, Xattrs: true, Data: true}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
