package xfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/mkfs"
	"github.com/gorepart/gorepart/internal/testutil"
)

func smallTree() *fstree.Tree {
	f := (&fstree.Inode{Kind: fstree.File, Mode: 0o644, Mtime: testTime}).WithData([]byte("hello\n"))
	f.Size = 6
	d := &fstree.Inode{Kind: fstree.Dir, Mode: 0o755, Mtime: testTime, Entries: []*fstree.Entry{{Name: "f", Inode: f}}}
	return &fstree.Tree{Root: &fstree.Inode{Kind: fstree.Dir, Mode: 0o755, Mtime: testTime,
		Entries: []*fstree.Entry{{Name: "a", Inode: (&fstree.Inode{Kind: fstree.File, Mode: 0o600, Mtime: testTime}).WithData(nil)}, {Name: "home", Inode: d}}}}
}

func add(tr *fstree.Tree, name string, in *fstree.Inode) {
	in.Mtime = testTime
	tr.Root.Entries = append(tr.Root.Entries, &fstree.Entry{Name: name, Inode: in})
}

// TestRefused: what a protofile cannot say, or xfs cannot store, is
// refused by NewPlan naming the reason, and nothing is left in TempDir.
func TestRefused(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Truncate(big, 1<<31)
	file := func() *fstree.Inode { return (&fstree.Inode{Kind: fstree.File, Mode: 0o644}).WithData([]byte("x")) }
	for _, tc := range []struct {
		name string
		edit func(*fstree.Tree, *Params)
		want string
	}{
		{"space", func(tr *fstree.Tree, _ *Params) { add(tr, "a b", file()) }, `name "a b": mkfs.xfs protofiles cannot hold names with spaces`},
		{"colon", func(tr *fstree.Tree, _ *Params) { add(tr, ":x", file()) }, `starting with ':'`},
		{"dollar", func(tr *fstree.Tree, _ *Params) { add(tr, "$", file()) }, `or "$"`},
		{"target", func(tr *fstree.Tree, _ *Params) {
			add(tr, "l", &fstree.Inode{Kind: fstree.Symlink, Mode: 0o777, Target: "a b"})
		}, `symlink target "a b"`},
		{"socket", func(tr *fstree.Tree, _ *Params) { add(tr, "s", &fstree.Inode{Kind: fstree.Socket, Mode: 0o755}) }, "a socket cannot be made"},
		{"hardlink", func(tr *fstree.Tree, _ *Params) {
			tr.Root.Entries = append(tr.Root.Entries, &fstree.Entry{Name: "z", Inode: tr.Root.Entries[1].Inode.Entries[0].Inode})
		}, "hardlinked files"},
		{"device", func(tr *fstree.Tree, _ *Params) {
			add(tr, "d", &fstree.Inode{Kind: fstree.CharDevice, Mode: 0o600, Major: 600, Minor: 1})
		}, "device 600:1 does not fit"},
		{"namespace", func(tr *fstree.Tree, _ *Params) {
			tr.Root.Xattrs = []fstree.Xattr{{Name: "system.foo", Value: []byte("x")}}
		}, "xfs stores only the user, trusted, security and POSIX ACL namespaces"},
		{"value", func(tr *fstree.Tree, _ *Params) {
			tr.Root.Xattrs = []fstree.Xattr{{Name: "user.big", Value: make([]byte, 256)}}
		}, "holds values of at most 255 bytes"},
		{"xattr name", func(tr *fstree.Tree, _ *Params) {
			tr.Root.Xattrs = []fstree.Xattr{{Name: "user.a b", Value: []byte("x")}}
		}, "xfs_db cannot set a name"},
		{"2 GiB", func(tr *fstree.Tree, _ *Params) {
			in := &fstree.Inode{Kind: fstree.File, Mode: 0o644, Size: 1 << 31}
			in.SetSource(big)
			add(tr, "big", in)
		}, "before xfsprogs 6.13"},
		{"label", func(_ *fstree.Tree, p *Params) { p.Label = "thirteen-byte" }, "longer than 12 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, p := smallTree(), params(t)
			tc.edit(tr, &p)
			pl, err := NewPlan(tr, p)
			if tc.name == "2 GiB" && err == nil && pl.version.Release() >= releaseProtoCopy {
				pl.Close()
				return
			}
			if err == nil {
				pl.Close()
				t.Fatal("not refused")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

// TestLongSymlink: before xfsprogs 6.13 mkfs.xfs writes a symlink target
// that does not fit in the inode without the version 5 block header
// (xfs_repair then clears it); the build fails instead.
func TestLongSymlink(t *testing.T) {
	tr, p := smallTree(), params(t)
	add(tr, "l", &fstree.Inode{Kind: fstree.Symlink, Mode: 0o777, Target: strings.Repeat("x/", 300)})
	pl, err := NewPlan(tr, p)
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	if pl.version.Release() >= releaseProtoCopy {
		t.Skipf("xfsprogs %s writes long symlinks properly", pl.version)
	}
	_, err = pl.MinSize()
	if err == nil || !strings.Contains(err.Error(), "/l: a symlink target of 600 bytes") {
		t.Fatalf("got %v", err)
	}
}

// TestMissingTool: the error names the program and its Debian and Nix
// packages.
func TestMissingTool(t *testing.T) {
	p := params(t)
	p.Path = t.TempDir()
	_, err := NewPlan(smallTree(), p)
	testutil.WantError(t, err, mkfs.ErrNotFound, "mkfs.xfs not found", "apt-get install xfsprogs", "pkgs.xfsprogs")
}

// TestToolFailure: a failing mkfs.xfs gives its message in the error, a
// size below 300 MiB is refused, and nothing is left behind.
func TestToolFailure(t *testing.T) {
	p := params(t)
	p.ExtraArgs = []string{"-d", "nosuchoption=1"}
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
	err = pl.Write(f, 400<<20)
	if err == nil || !strings.Contains(err.Error(), "running mkfs.xfs: exit status 1: ") || !strings.Contains(err.Error(), "nosuchoption") {
		t.Fatalf("got %v, want mkfs.xfs's message", err)
	}
	pl.Close()
	p.ExtraArgs = nil
	pl, err = NewPlan(smallTree(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	if err := pl.Write(f, 200<<20); err == nil || !strings.Contains(err.Error(), "larger than 300MB") {
		t.Fatalf("got %v", err)
	}
	if err := pl.Close(); err != nil {
		t.Fatal(err)
	}
	if err := pl.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
