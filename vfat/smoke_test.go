package vfat

import (
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

func file(data string, mt time.Time) *fstree.Inode {
	return (&fstree.Inode{Kind: fstree.File, Mode: 0644, Size: int64(len(data)), Mtime: mt}).WithData([]byte(data))
}

func dir(mt time.Time, ents ...*fstree.Entry) *fstree.Inode {
	return &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Mtime: mt, Entries: ents}
}

func ent(name string, in *fstree.Inode) *fstree.Entry { return &fstree.Entry{Name: name, Inode: in} }

func TestSmoke(t *testing.T) {
	mt := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	tr := &fstree.Tree{Root: dir(mt,
		ent("EFI", dir(mt,
			ent("BOOT", dir(mt, ent("BOOTX64.EFI", file("hello efi", mt)))))),
		ent("loader", dir(mt,
			ent("entries", dir(mt, ent("Long File Name Entry.conf", file("title x\n", mt)))),
			ent("loader.conf", file("timeout 3\n", mt)))),
	)}
	p := Params{SectorSize: 512, FATBits: 32, VolumeID: 0x12345678, Label: "ESP", Time: mt}
	img := writeImage(t, t.TempDir(), 100<<20, tr, p)
	fsckClean(t, img)
	mtoolsCheck(t, img, tr)
}
