package squashfs

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testtree"
	"github.com/gorepart/gorepart/internal/testutil"
	"golang.org/x/sys/unix"
)

// build plans and writes tr with p into a file in dir, checking that
// MinSize is the size written, and returns the image path and size.
func build(t testing.TB, dir string, tr *fstree.Tree, p Params) (string, int64) {
	t.Helper()
	if p.TempDir == "" {
		p.TempDir = dir
	}
	if p.Time.IsZero() {
		p.Time = testTime
	}
	pl, err := NewPlan(tr, p)
	if err != nil {
		t.Fatalf("NewPlan: %v", err)
	}
	defer pl.Close()
	size, err := pl.MinSize()
	if err != nil {
		t.Fatalf("MinSize: %v", err)
	}
	img := filepath.Join(dir, "img.squashfs")
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// A window of a larger file: Write must stop at MinSize.
	if err := f.Truncate(size + 8192); err != nil {
		t.Fatal(err)
	}
	if err := pl.Write(f, size+8192); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return img, size
}

// unsquash extracts img with unsquashfs (as root: owners and xattrs
// too) into a new directory under dir.
func unsquash(t testing.TB, img, dir string) string {
	t.Helper()
	tool := testutil.Tool(t, "unsquashfs", "squashfs-tools")
	out := filepath.Join(dir, "x")
	if b, err := exec.Command(tool, "-no-progress", "-d", out, img).CombinedOutput(); err != nil {
		t.Fatalf("unsquashfs: %v\n%s", err, b)
	}
	return out
}

// compareTree checks that dir holds tr: types, modes, owners, mtimes,
// contents, symlink targets, device numbers, xattrs (those squashfs
// stores; security.capability only with caps) and hardlinks (one inode
// with the right link count).
func compareTree(tr *fstree.Tree, dir string, caps bool) error {
	if err := compareNode(tr.Root, dir, "/", caps); err != nil {
		return err
	}
	inos := map[*fstree.Inode]uint64{}
	names := map[*fstree.Inode]int{}
	err := fstree.Walk(tr.Root, func(p string, e *fstree.Entry) error {
		names[e.Inode]++
		return nil
	})
	if err != nil {
		return err
	}
	return fstree.Walk(tr.Root, func(p string, e *fstree.Entry) error {
		path := filepath.Join(dir, p)
		if err := compareNode(e.Inode, path, p, caps); err != nil {
			return err
		}
		if e.Inode.Kind == fstree.Dir {
			return nil
		}
		var st unix.Stat_t
		if err := unix.Lstat(path, &st); err != nil {
			return err
		}
		if ino, ok := inos[e.Inode]; ok && ino != st.Ino {
			return fmt.Errorf("%s: not a hardlink of its other names", p)
		}
		inos[e.Inode] = st.Ino
		if int(st.Nlink) != names[e.Inode] {
			return fmt.Errorf("%s: %d links, want %d", p, st.Nlink, names[e.Inode])
		}
		return nil
	})
}

// compareNode checks one path: what testtree.CheckExtracted checks, then
// modes and mtimes (to the second) of all but symlinks, and xattrs.
func compareNode(in *fstree.Inode, path, name string, caps bool) error {
	st, err := testtree.CheckExtracted(in, path, name)
	if err != nil {
		return err
	}
	if in.Kind != fstree.Symlink && st.Mode&07777 != in.Mode {
		return fmt.Errorf("%s: mode %o, want %o", name, st.Mode&07777, in.Mode)
	}
	if in.Kind != fstree.Symlink && st.Mtim.Sec != in.Mtime.Unix() {
		return fmt.Errorf("%s: mtime %d, want %d", name, st.Mtim.Sec, in.Mtime.Unix())
	}
	return compareXattrs(in, path, name, caps)
}

// compareXattrs checks the user., trusted. and security. attributes of
// path; security.capability only with caps: unsquashfs 4.5 sets xattrs
// before it chowns, and chown drops file capabilities (the reader test
// and the kernel mount check them).
func compareXattrs(in *fstree.Inode, path, name string, caps bool) error {
	var want []string
	for _, a := range in.Xattrs {
		if xattrPrefix(a.Name) >= 0 && (caps || a.Name != "security.capability") {
			want = append(want, a.Name+"="+string(a.Value))
		}
	}
	buf := make([]byte, 1<<16)
	n, err := unix.Llistxattr(path, buf)
	if errors.Is(err, unix.EOPNOTSUPP) { // Linux's reply for an image without xattr table
		n, err = 0, nil
	}
	if err != nil {
		return fmt.Errorf("%s: listing xattrs: %v", name, err)
	}
	var got []string
	for _, x := range strings.Split(string(buf[:n]), "\x00") {
		if x == "" || xattrPrefix(x) < 0 || (!caps && x == "security.capability") {
			continue
		}
		v := make([]byte, 1<<16)
		m, err := unix.Lgetxattr(path, x, v)
		if err != nil {
			return fmt.Errorf("%s: xattr %s: %v", name, x, err)
		}
		got = append(got, x+"="+string(v[:m]))
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		return fmt.Errorf("%s: xattrs %q, want %q", name, got, want)
	}
	return nil
}
