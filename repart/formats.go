package repart

import (
	"github.com/gorepart/gorepart/btrfs"
	"github.com/gorepart/gorepart/erofs"
	"github.com/gorepart/gorepart/ext4"
	"github.com/gorepart/gorepart/fsformat"
	"github.com/gorepart/gorepart/squashfs"
	"github.com/gorepart/gorepart/vfat"
	"github.com/gorepart/gorepart/xfs"
)

// formats is the dispatch table of the filesystem writers: a new format is
// one package with an Open function (package fsformat) and one line here.
var formats = []fsformat.Format{
	{Name: "vfat", Open: vfat.Open},
	{Name: "ext4", Walks: true, HolesUnread: true, Open: ext4.Open},
	{Name: "erofs", ReadOnly: true, Walks: true, HolesUnread: true, Open: erofs.Open},
	{Name: "squashfs", ReadOnly: true, Walks: true, HolesUnread: true, Open: squashfs.Open},
	{Name: "btrfs", ShrinkToFit: true, Walks: true, Open: btrfs.Open},
	{Name: "xfs", GuessFactor: 2, Walks: true, Open: xfs.Open},
}

// lookupFormat returns the writer of a filesystem format.
func lookupFormat(name string) (fsformat.Format, bool) {
	for _, f := range formats {
		if f.Name == name {
			return f, true
		}
	}
	return fsformat.Format{}, false
}
