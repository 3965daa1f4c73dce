package btrfs

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/mkfs"
	"github.com/gorepart/gorepart/internal/testutil"
)

func smallTree() *fstree.Tree {
	t0 := time.Unix(1700000000, 0)
	f := (&fstree.Inode{Kind: fstree.File, Mode: 0o644, Mtime: t0}).WithData([]byte("hello\n"))
	f.Size = 6
	d := &fstree.Inode{Kind: fstree.Dir, Mode: 0o755, Mtime: t0, Entries: []*fstree.Entry{{Name: "f", Inode: f}}}
	return &fstree.Tree{Root: &fstree.Inode{Kind: fstree.Dir, Mode: 0o755, Mtime: t0,
		Entries: []*fstree.Entry{{Name: "a", Inode: f}, {Name: "home", Inode: d}}}}
}

// TestRefused: what mkfs.btrfs would lose is refused before anything is
// staged, naming the reason, and nothing is left in TempDir.
func TestRefused(t *testing.T) {
	v := installed(t)
	type tc struct {
		name  string
		edit  func(*fstree.Tree, *Params)
		want  string
		until int // refused by releases before this one (0: all)
	}
	cases := []tc{
		{"device", func(tr *fstree.Tree, _ *Params) {
			tr.Root.Entries = append(tr.Root.Entries, &fstree.Entry{Name: "null", Inode: &fstree.Inode{Kind: fstree.CharDevice, Mode: 0o666, Major: 1, Minor: 3}})
		}, "device 1:3: mkfs.btrfs --rootdir records every device number as 0:0", 0},
		{"root xattrs", func(tr *fstree.Tree, _ *Params) {
			tr.Root.Xattrs = []fstree.Xattr{{Name: "user.validatefs.mount_point", Value: []byte("/")}}
		}, "AddValidateFS=no", releaseRootMeta},
		{"root mode", func(tr *fstree.Tree, _ *Params) { tr.Root.Mode = 0o700 }, "mode 0700", releaseRootMeta},
		{"subvolumes", func(_ *fstree.Tree, p *Params) { p.Subvolumes = []Subvolume{{Path: "/home"}} }, "needs btrfs-progs 6.12", releaseSubvol},
		{"compression", func(_ *fstree.Tree, p *Params) { p.Compression = "zstd" }, "needs btrfs-progs 6.13", releaseCompress},
		{"missing subvolume", func(_ *fstree.Tree, p *Params) { p.Subvolumes = []Subvolume{{Path: "/srv"}} }, "no such directory", 99_000},
		{"default not a subvolume", func(_ *fstree.Tree, p *Params) { p.DefaultSubvolume = "/home" }, "not one of the paths", 99_000},
		{"label", func(_ *fstree.Tree, p *Params) { p.Label = strings.Repeat("x", 256) }, "longer than 255 bytes", 99_000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr, p := smallTree(), params(t)
			c.edit(tr, &p)
			pl, err := NewPlan(tr, p)
			if c.until != 0 && v.Release() >= c.until && c.name != "missing subvolume" && c.until != 99_000 {
				if err != nil {
					t.Fatalf("btrfs-progs %s: %v", v, err)
				}
				pl.Close()
				return
			}
			if err == nil {
				pl.Close()
				t.Fatalf("not refused")
			}
			if c.name == "missing subvolume" && v.Release() < releaseSubvol {
				c.want = "needs btrfs-progs 6.12"
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not say %q", err, c.want)
			}
		})
	}
}

// TestMissingTool: the error names the program and its Debian and Nix
// packages.
func TestMissingTool(t *testing.T) {
	p := params(t)
	p.Path = t.TempDir()
	_, err := NewPlan(smallTree(), p)
	testutil.WantError(t, err, mkfs.ErrNotFound, "mkfs.btrfs not found", "apt-get install btrfs-progs", "pkgs.btrfs-progs")
}

// TestToolFailure: a size too small and a failing mkfs.btrfs give clear
// errors (the latter carrying mkfs.btrfs's message), and Close leaves
// nothing behind.
func TestToolFailure(t *testing.T) {
	p := params(t)
	pl, err := NewPlan(smallTree(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	f, err := os.CreateTemp(t.TempDir(), "img")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := pl.Write(f, 1<<20); err == nil || !strings.Contains(err.Error(), "more than the 1048576 given") {
		t.Fatalf("got %v, want a size error", err)
	}
	if err := pl.Close(); err != nil {
		t.Fatal(err)
	}
	if err := pl.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	p.ExtraArgs = []string{"--no-such-option"}
	pl, err = NewPlan(smallTree(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	err = pl.Write(f, 300<<20)
	if err == nil || !strings.Contains(err.Error(), "running mkfs.btrfs: exit status 1: ") || !strings.Contains(err.Error(), "no-such-option") {
		t.Fatalf("got %v, want mkfs.btrfs's error", err)
	}
}
