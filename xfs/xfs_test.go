package xfs

import (
	"fmt"
	"testing"

	"github.com/gorepart/gorepart/fstree"
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
			// repart's AddValidateFS= xattrs, NUL-separated lists.
			tr.Root.Xattrs = []fstree.Xattr{
				{Name: "user.validatefs.gpt_label", Value: []byte("root-x86-64\x00")},
				{Name: "user.validatefs.gpt_type_uuid", Value: []byte("4f68bce3-e8cd-4db1-96e7-fbcaf984b709\x00")},
				{Name: "user.validatefs.mount_point", Value: []byte("/\x00")},
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
