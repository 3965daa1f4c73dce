package ext4

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

func TestQuickSmoke(t *testing.T) {
	tm := time.Unix(1700000000, 0)
	f := &fstree.Inode{Kind: fstree.File, Mode: 0644, Mtime: tm, Size: 3, Data: []byte("hi\n")}
	tree := &fstree.Tree{Root: &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Mtime: tm, Entries: []*fstree.Entry{
		{Name: "d", Inode: &fstree.Inode{Kind: fstree.Dir, Mode: 0755, Mtime: tm}},
		{Name: "f", Inode: f},
	}}}
	p := Params{Label: "lbl", Time: tm}
	copy(p.UUID[:], []byte{1, 35, 69, 103, 137, 171, 205, 239, 1, 35, 69, 103, 137, 171, 205, 239})
	p.HashSeed = p.UUID
	img := t.TempDir() + "/a.img"
	fh, _ := os.Create(img)
	fh.Truncate(64 << 20)
	if err := Write(fh, 64<<20, tree, p); err != nil {
		t.Fatal(err)
	}
	fh.Close()
	out, err := exec.Command("e2fsck", "-fn", img).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatal(err)
	}
	os.Rename(img, "/tmp/e4/a.img")
}
