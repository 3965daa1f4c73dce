package fstree

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// src builds a source tree for a test. Every helper sets the mode with
// chmod and the mtime explicitly, so the tree does not depend on umask or
// the clock.
type src struct {
	t    *testing.T
	root string
}

func newSrc(t *testing.T) *src {
	t.Helper()
	return &src{t: t, root: t.TempDir()}
}

func (s *src) p(rel string) string { return filepath.Join(s.root, rel) }

var t0 = time.Unix(1000000000, 0).UTC()

func (s *src) dir(rel string, mode os.FileMode) {
	s.t.Helper()
	if err := os.MkdirAll(s.p(rel), 0o755); err != nil {
		s.t.Fatal(err)
	}
	s.chmod(rel, mode)
}

func (s *src) file(rel, content string, mode os.FileMode) {
	s.t.Helper()
	if err := os.MkdirAll(filepath.Dir(s.p(rel)), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(s.p(rel), []byte(content), 0o600); err != nil {
		s.t.Fatal(err)
	}
	s.chmod(rel, mode)
	s.mtime(rel, t0)
}

func (s *src) symlink(rel, target string) {
	s.t.Helper()
	if err := os.Symlink(target, s.p(rel)); err != nil {
		s.t.Fatal(err)
	}
	s.mtime(rel, t0)
}

func (s *src) link(old, rel string) {
	s.t.Helper()
	if err := os.Link(s.p(old), s.p(rel)); err != nil {
		s.t.Fatal(err)
	}
}

func (s *src) mknod(rel string, mode uint32, dev uint64) {
	s.t.Helper()
	if err := unix.Mknod(s.p(rel), mode, int(dev)); err != nil {
		s.t.Fatalf("mknod %s: %v", rel, err)
	}
	s.chmod(rel, os.FileMode(mode&0o777))
	s.mtime(rel, t0)
}

func (s *src) chmod(rel string, mode os.FileMode) {
	s.t.Helper()
	if err := unix.Chmod(s.p(rel), uint32(mode)); err != nil {
		s.t.Fatal(err)
	}
}

func (s *src) mtime(rel string, t time.Time) {
	s.t.Helper()
	ts := []unix.Timespec{unix.NsecToTimespec(t.UnixNano()), unix.NsecToTimespec(t.UnixNano())}
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, s.p(rel), ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		s.t.Fatal(err)
	}
}

func (s *src) xattr(rel, name, value string) {
	s.t.Helper()
	if err := unix.Lsetxattr(s.p(rel), name, []byte(value), 0); err != nil {
		s.t.Fatalf("setting xattr %s on %s (the test directory's filesystem must support user xattrs: use ext4 or tmpfs): %v", name, rel, err)
	}
}

// build runs Build with the copy source set to the test tree.
func (s *src) build(o BuildOptions) (*Tree, []Warning) {
	s.t.Helper()
	if o.CopySource == "" {
		o.CopySource = s.root
	}
	tree, w, err := Build(o)
	if err != nil {
		s.t.Fatalf("Build: %v", err)
	}
	checkSpilled(s.t, o, tree, w)
	return tree, w
}

// buildErr runs Build and returns its error, failing if there is none.
func (s *src) buildErr(o BuildOptions) error {
	s.t.Helper()
	if o.CopySource == "" {
		o.CopySource = s.root
	}
	_, _, err := Build(o)
	if err == nil {
		s.t.Fatalf("Build succeeded, want an error")
	}
	o.SpillDir = s.t.TempDir()
	if _, _, serr := Build(o); serr == nil || serr.Error() != err.Error() {
		s.t.Errorf("Build with SpillDir: error %v, in memory %v", serr, err)
	}
	return err
}

func cp(source, target string) Copy { return Copy{Source: source, Target: target} }

// dump lists every node as one line: path, kind, mode, owner, mtime,
// size, symlink target, device numbers, xattrs, and the index of the
// hardlink group (the first path naming the inode). Source paths are left
// out, so trees read from different places compare equal.
func dump(t *Tree) []string {
	first := map[LinkKey]string{}
	line := func(p string, n *Inode) string {
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s %04o %d:%d %s", p, n.Kind, n.Mode, n.UID, n.GID, n.Mtime.Format(time.RFC3339Nano))
		switch n.Kind {
		case File:
			fmt.Fprintf(&b, " size=%d", n.Size)
		case Symlink:
			fmt.Fprintf(&b, " ->%s", n.Target)
		case CharDevice, BlockDevice:
			fmt.Fprintf(&b, " dev=%d:%d", n.Major, n.Minor)
		}
		for _, x := range n.Xattrs {
			fmt.Fprintf(&b, " %s=%q", x.Name, x.Value)
		}
		if k := n.LinkKey(); k.IsZero() {
		} else if f, ok := first[k]; ok {
			fmt.Fprintf(&b, " link=%s", f)
		} else {
			first[k] = p
		}
		return b.String()
	}
	out := []string{line("/", t.Root)}
	_ = Walk(t.Root, func(p string, e *Entry) error {
		out = append(out, line("/"+p, e.Inode))
		return nil
	})
	return out
}

// node returns the inode at p, failing the test if it is missing.
func node(t *testing.T, tree *Tree, p string) *Inode {
	t.Helper()
	n, err := resolve(tree.Root, p, nil)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return n
}

// entryAt returns the entry at p without following a final symlink.
func entryAt(tree *Tree, p string) *Entry {
	parent, name := splitTarget(p)
	d, err := resolve(tree.Root, parent, nil)
	if err != nil || d.Kind != Dir {
		return nil
	}
	return d.Lookup(name)
}

func readAll(t *testing.T, n *Inode) string {
	t.Helper()
	r, err := n.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func diffLines(a, b []string) string {
	var out strings.Builder
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			fmt.Fprintf(&out, "-%s\n+%s\n", x, y)
		}
	}
	return out.String()
}

// summarize is Summarize failing the test on error.
func summarize(t testing.TB, tree *Tree) Summary {
	t.Helper()
	s, err := Summarize(tree)
	if err != nil {
		t.Fatalf("Summarize: %v", err)
	}
	return s
}
