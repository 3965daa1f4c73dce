package staging

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testtree"
	"golang.org/x/sys/unix"
)

// read describes a staged directory as testtree nodes, with lstat and
// the xattr calls. Contents are read once every node is stat'ed, so that
// reading a file does not change the atime seen under another name.
func read(t *testing.T, dir string) map[string]*testtree.Node {
	t.Helper()
	got := map[string]*testtree.Node{}
	var files []string
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		// fi was taken before Walk read the directory (and changed its
		// atime).
		st := fi.Sys().(*syscall.Stat_t)
		rel := "/" + strings.TrimPrefix(strings.TrimPrefix(p, dir), "/")
		n := &testtree.Node{Ino: st.Ino, Mode: st.Mode & 0o7777, UID: st.Uid, GID: st.Gid, Nlink: uint32(st.Nlink),
			Mtime: time.Unix(st.Mtim.Unix()), Atime: time.Unix(st.Atim.Unix()), Xattrs: map[string][]byte{}}
		rdev := uint64(st.Rdev)
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFDIR:
			n.Kind = fstree.Dir
		case unix.S_IFREG:
			n.Kind, n.Size = fstree.File, st.Size
			files = append(files, p)
		case unix.S_IFLNK:
			n.Kind = fstree.Symlink
			n.Target, _ = os.Readlink(p)
		case unix.S_IFCHR, unix.S_IFBLK:
			n.Kind = fstree.CharDevice
			if st.Mode&unix.S_IFMT == unix.S_IFBLK {
				n.Kind = fstree.BlockDevice
			}
			n.Major, n.Minor = unix.Major(rdev), unix.Minor(rdev)
		case unix.S_IFIFO:
			n.Kind = fstree.FIFO
		case unix.S_IFSOCK:
			n.Kind = fstree.Socket
		}
		buf := make([]byte, 65536)
		k, _ := unix.Llistxattr(p, buf)
		for _, name := range strings.Split(string(buf[:k]), "\x00") {
			if name == "" {
				continue
			}
			v := make([]byte, 65536)
			m, err := unix.Lgetxattr(p, name, v)
			if err != nil {
				return err
			}
			n.Xattrs[name] = v[:m]
		}
		got[rel] = n
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range files {
		n := got["/"+strings.TrimPrefix(strings.TrimPrefix(p, dir), "/")]
		if n.Data, err = os.ReadFile(p); err != nil {
			t.Fatal(err)
		}
	}
	return got
}

// TestCreate stages generated trees with every kind of node and compares
// the directory with the tree: kinds, modes, owners, times to the
// nanosecond, hardlinks, xattrs, contents; sparse files keep their holes.
func TestCreate(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown, mknod and trusted.* xattrs need root")
	}
	for seed := int64(1); seed <= 8; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			tr, err := testtree.Gen(seed, t.TempDir(), testtree.Options{Hardlinks: true, Devices: true, Owners: true,
				Sticky: true, Xattrs: true, Spaces: true, Sparse: true})
			if err != nil {
				t.Fatal(err)
			}
			tr.Root.Mode, tr.Root.UID, tr.Root.GID = 0o750, 12, 34
			tr.Root.Xattrs = []fstree.Xattr{{Name: "user.validatefs.mount_point", Value: []byte("/\x00")}}
			parent := t.TempDir()
			dir, err := Create(tr, parent, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := read(t, dir)
			if err := testtree.Compare(tr, got, testtree.Checks{Mtime: true, Atime: true, DirAtime: true, Nsec: true, Nlink: true, Xattrs: true, Data: true}); err != nil {
				t.Error(err)
			}
			checkHoles(t, tr, dir)
			if err := Remove(dir); err != nil {
				t.Fatal(err)
			}
			if es, _ := os.ReadDir(parent); len(es) != 0 {
				t.Errorf("Remove left %v", es)
			}
		})
	}
}

// checkHoles: a sparse source gives a staged file that allocates about
// as much as the source (a block or two of filesystem metadata aside),
// not its 1 MiB hole.
func checkHoles(t *testing.T, tr *fstree.Tree, dir string) {
	fstree.Walk(tr.Root, func(p string, e *fstree.Entry) error {
		in := e.Inode
		if in.Kind != fstree.File || !in.Sparse {
			return nil
		}
		var a, b unix.Stat_t
		unix.Stat(in.SourcePath(), &a)
		unix.Lstat(filepath.Join(dir, p), &b)
		if b.Blocks > a.Blocks+16 {
			t.Errorf("%s: %d blocks staged, the source has %d", p, b.Blocks, a.Blocks)
		}
		return nil
	})
}

// TestUnprivileged: trees an unprivileged caller cannot stage are refused
// before anything is created.
func TestUnprivileged(t *testing.T) {
	f := (&fstree.Inode{Kind: fstree.File, Mode: 0o644}).WithData([]byte("x"))
	for _, tc := range []struct {
		in   *fstree.Inode
		want string
	}{
		{&fstree.Inode{Kind: fstree.File, Mode: 0o644, UID: 1000, GID: 100}, "/n is owned by 1000:100"},
		{&fstree.Inode{Kind: fstree.CharDevice, Mode: 0o644, Major: 1, Minor: 3}, "/n is a device node"},
	} {
		tr := &fstree.Tree{Root: &fstree.Inode{Kind: fstree.Dir, Mode: 0o755, Entries: []*fstree.Entry{{Name: "f", Inode: f}, {Name: "n", Inode: tc.in}}}}
		parent := t.TempDir()
		_, err := Create(tr, parent, Options{Unprivileged: true})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
		if es, _ := os.ReadDir(parent); len(es) != 0 {
			t.Errorf("left %v", es)
		}
	}
}

// TestRemoveReadOnly: Remove deletes directories their owner cannot write
// (staged as the tree says, e.g. 0500).
func TestRemoveReadOnly(t *testing.T) {
	dir := t.TempDir()
	s := filepath.Join(dir, "s")
	os.MkdirAll(filepath.Join(s, "a/b"), 0o755)
	os.WriteFile(filepath.Join(s, "a/b/f"), []byte("x"), 0o400)
	os.Chmod(filepath.Join(s, "a/b"), 0o500)
	os.Chmod(filepath.Join(s, "a"), 0)
	if err := Remove(s); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(s); !os.IsNotExist(err) {
		t.Errorf("still there: %v", err)
	}
}
