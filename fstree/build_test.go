package fstree

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestBuildNodeTypes reads a tree holding every file type and checks each
// node's metadata. Device nodes need root; they are made when the test
// runs as root (as in CI) and checked then.
func TestBuildNodeTypes(t *testing.T) {
	s := newSrc(t)
	s.dir("d", 0o750)
	s.file("d/exe", "#!/bin/sh\n", 0o4755)
	s.file("d/empty", "", 0o600)
	s.file("d/data", "hello", 0o644)
	s.xattr("d/data", "user.b", "2")
	s.xattr("d/data", "user.a", "1")
	s.symlink("d/link", "../somewhere/else")
	s.mknod("d/fifo", unix.S_IFIFO|0o640, 0)
	s.mknod("d/sock", unix.S_IFSOCK|0o600, 0)
	root := os.Geteuid() == 0
	if root {
		s.mknod("d/null", unix.S_IFCHR|0o666, unix.Mkdev(1, 3))
		s.mknod("d/loop9", unix.S_IFBLK|0o660, unix.Mkdev(7, 9))
	}
	s.mtime("d", t0.Add(time.Hour))
	s.dir("sticky", 0o1777)
	s.mtime("sticky", t0)

	tree, warns := s.build(BuildOptions{Copies: []Copy{cp("/d", "/usr/d"), cp("/sticky", "/sticky")}, Owner: OwnerRoot})
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	want := []string{
		"/ dir 0755 0:0 0001-01-01T00:00:00Z",
		"/sticky dir 1777 0:0 2001-09-09T01:46:40Z",
		"/usr dir 0755 0:0 0001-01-01T00:00:00Z",
		"/usr/d dir 0750 0:0 2001-09-09T02:46:40Z",
		"/usr/d/data file 0644 0:0 2001-09-09T01:46:40Z size=5 user.a=\"1\" user.b=\"2\"",
		"/usr/d/empty file 0600 0:0 2001-09-09T01:46:40Z size=0",
		"/usr/d/exe file 4755 0:0 2001-09-09T01:46:40Z size=10",
		"/usr/d/fifo fifo 0640 0:0 2001-09-09T01:46:40Z",
		"/usr/d/link symlink 0777 0:0 2001-09-09T01:46:40Z ->../somewhere/else",
		"/usr/d/sock socket 0600 0:0 2001-09-09T01:46:40Z",
	}
	if root {
		want = append(want,
			"/usr/d/loop9 block device 0660 0:0 2001-09-09T01:46:40Z dev=7:9",
			"/usr/d/null char device 0666 0:0 2001-09-09T01:46:40Z dev=1:3")
		slices.Sort(want)
	}
	if got := dump(tree); !slices.Equal(got, want) {
		t.Errorf("tree:\n%s", diffLines(want, got))
	}
	data := node(t, tree, "/usr/d/data")
	if data.SourcePath() != s.p("d/data") || readAll(t, data) != "hello" {
		t.Errorf("data: source %q content %q", data.SourcePath(), readAll(t, data))
	}
	if l := node(t, tree, "/usr/d").Lookup("link").Inode; l.SourcePath() != "" {
		t.Errorf("symlink has a source path %q", l.SourcePath())
	}
}

// TestBuildOwnership checks the policies. As root (CI) the source file is
// given a foreign owner; otherwise it keeps the test user's.
func TestBuildOwnership(t *testing.T) {
	s := newSrc(t)
	s.dir("d", 0o755)
	s.file("d/f", "x", 0o644)
	uid, gid := uint32(os.Getuid()), uint32(os.Getgid())
	if os.Geteuid() == 0 {
		uid, gid = 1234, 5678
		if err := os.Lchown(s.p("d/f"), int(uid), int(gid)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		owner        OwnerPolicy
		unprivileged bool
		uid, gid     uint32
	}{
		{OwnerKeep, false, uid, gid},
		{OwnerKeep, true, uid, gid},
		{OwnerRoot, false, 0, 0},
		{OwnerAuto, false, uid, gid},
		{OwnerAuto, true, 0, 0},
	} {
		tree, _ := s.build(BuildOptions{Copies: []Copy{cp("/d", "/d")}, MakeDirs: []string{"/m"}, Owner: tc.owner, Unprivileged: tc.unprivileged})
		f := node(t, tree, "/d/f")
		if f.UID != tc.uid || f.GID != tc.gid {
			t.Errorf("%v unprivileged=%v: owner %d:%d, want %d:%d", tc.owner, tc.unprivileged, f.UID, f.GID, tc.uid, tc.gid)
		}
		if m := node(t, tree, "/m"); m.UID != 0 || m.GID != 0 {
			t.Errorf("%v: created directory owned by %d:%d", tc.owner, m.UID, m.GID)
		}
	}
}

func TestBuildHardlinks(t *testing.T) {
	s := newSrc(t)
	s.dir("a", 0o755)
	s.file("a/one", "same", 0o644)
	s.dir("a/sub", 0o755)
	s.link("a/one", "a/sub/two")
	s.link("a/one", "a/three")
	s.dir("b", 0o755)
	s.link("a/one", "b/four")
	copies := []Copy{cp("/a", "/a"), cp("/b", "/b")}

	// Default: every entry is its own inode.
	tree, _ := s.build(BuildOptions{Copies: copies})
	one, three, two, four := node(t, tree, "/a/one"), node(t, tree, "/a/three"), node(t, tree, "/a/sub/two"), node(t, tree, "/b/four")
	if one == three || one == two || one == four {
		t.Errorf("hardlinks kept by default")
	}
	if s := summarize(t, tree); s.HardlinkGroups != 0 || s.Files != 4 {
		t.Errorf("summary: %+v", s)
	}
	for _, n := range []*Inode{one, two, three, four} {
		if readAll(t, n) != "same" {
			t.Errorf("content of a broken link differs")
		}
	}

	// KeepHardlinks: one group per line, the first in walk order wins.
	tree, _ = s.build(BuildOptions{Copies: copies, KeepHardlinks: true})
	one, three, two, four = node(t, tree, "/a/one"), node(t, tree, "/a/three"), node(t, tree, "/a/sub/two"), node(t, tree, "/b/four")
	if one != three || one != two {
		t.Errorf("hardlinks in one line not kept")
	}
	if one == four {
		t.Errorf("hardlink joined across lines")
	}
	if one.SourcePath() != s.p("a/one") {
		t.Errorf("group source %q, want the first name in walk order", one.SourcePath())
	}
	if s := summarize(t, tree); s.HardlinkGroups != 1 || s.HardlinkNames != 3 || s.Files != 2 {
		t.Errorf("summary: %+v", s)
	}
	if n := LinkCounts(tree)[one]; n != 3 {
		t.Errorf("link count %d, want 3", n)
	}
}

func TestBuildXattrsRoot(t *testing.T) {
	s := newSrc(t)
	s.dir("rootfs", 0o700)
	s.xattr("rootfs", "user.origin", "rootfs")
	s.file("rootfs/etc/os-release", "ID=test\n", 0o644)
	s.mtime("rootfs", t0)
	s.dir("other", 0o711)
	s.file("other/x", "", 0o644)

	// A file copied to "/" first does not count; the first directory
	// source copied to "/" gives the root its metadata.
	tree, _ := s.build(BuildOptions{
		Copies:     []Copy{cp("/other/x", "/x"), cp("/rootfs", "/"), cp("/other", "/")},
		RootXattrs: []Xattr{{Name: "user.validatefs.mount_point", Value: []byte("/\x00")}, {Name: "user.origin", Value: []byte("set")}},
		Owner:      OwnerRoot,
	})
	r := tree.Root
	if r.Mode != 0o700 || !r.Mtime.Equal(t0) {
		t.Errorf("root mode %o mtime %v, want 0700 %v", r.Mode, r.Mtime, t0)
	}
	want := []Xattr{{"user.origin", []byte("set")}, {"user.validatefs.mount_point", []byte("/\x00")}}
	if !xattrsEqual(r.Xattrs, want) {
		t.Errorf("root xattrs %q, want %q", r.Xattrs, want)
	}
	if tree.Root.Lookup("etc") == nil || tree.Root.Lookup("x") == nil {
		t.Errorf("merged root misses entries: %v", dump(tree))
	}

	// No directory source for "/": 0755, the default time.
	def := time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("X", 3600))
	tree, _ = s.build(BuildOptions{Copies: []Copy{cp("/other", "/o")}, DefaultTime: def})
	if tree.Root.Mode != 0o755 || !tree.Root.Mtime.Equal(def) || tree.Root.Mtime.Location() != time.UTC {
		t.Errorf("root %o %v", tree.Root.Mode, tree.Root.Mtime)
	}
}

func xattrsEqual(a, b []Xattr) bool {
	return slices.EqualFunc(a, b, func(x, y Xattr) bool { return x.Name == y.Name && string(x.Value) == string(y.Value) })
}

func TestBuildSourceDateEpoch(t *testing.T) {
	s := newSrc(t)
	epoch := time.Unix(1500000000, 0).UTC()
	s.dir("d", 0o755)
	s.file("d/old", "o", 0o644)
	s.file("d/new", "n", 0o644)
	s.mtime("d/new", epoch.Add(time.Hour+time.Nanosecond))
	s.mtime("d", epoch.Add(-time.Hour+7))
	s.file("f", "file", 0o600)
	s.mtime("f", epoch.Add(24*time.Hour))

	tree, _ := s.build(BuildOptions{
		Copies:          []Copy{cp("/d", "/deep/er/d"), cp("/f", "/etc/f")},
		MakeDirs:        []string{"/var/lib/x"},
		MakeSymlinks:    []SymlinkSpec{{Path: "/var/lib/l", Target: "x"}},
		SourceDateEpoch: &epoch,
		DefaultTime:     time.Unix(2000000000, 0),
	})
	check := func(p string, want time.Time) {
		t.Helper()
		n := node(t, tree, p)
		if e := entryAt(tree, p); e != nil {
			n = e.Inode
		}
		if !n.Mtime.Equal(want) {
			t.Errorf("%s: mtime %v, want %v", p, n.Mtime, want)
		}
	}
	check("/", epoch)
	check("/deep", epoch)
	check("/deep/er", epoch)
	check("/deep/er/d", epoch.Add(-time.Hour+7)) // earlier: kept, nanoseconds too
	check("/deep/er/d/old", t0)
	check("/deep/er/d/new", epoch) // later: clamped
	check("/etc/f", epoch)
	check("/etc", epoch) // parent of a file source
	check("/var/lib/x", epoch)
	check("/var/lib/l", epoch)
	_ = Walk(tree.Root, func(p string, e *Entry) error {
		if e.Inode.Mtime.After(epoch) {
			t.Errorf("%s: mtime %v after the epoch", p, e.Inode.Mtime)
		}
		return nil
	})
}

func TestBuildMissingSource(t *testing.T) {
	s := newSrc(t)
	s.file("a", "a", 0o644)
	tree, warns := s.build(BuildOptions{Copies: []Copy{
		{Source: "/nope", Target: "/x", Origin: "10-root.conf:3"},
		cp("/a", "/a"),
		{Source: "/gone/dir", Target: "/", Origin: "10-root.conf:5"},
	}})
	if len(warns) != 2 || !strings.Contains(warns[0].Msg, "10-root.conf:3") || !strings.Contains(warns[1].Msg, "10-root.conf:5") {
		t.Errorf("warnings %v", warns)
	}
	if tree.Root.Lookup("x") != nil || tree.Root.Lookup("a") == nil {
		t.Errorf("tree %v", dump(tree))
	}
}

func TestBuildSymlinkSources(t *testing.T) {
	s := newSrc(t)
	s.dir("real", 0o755)
	s.file("real/f", "f", 0o644)
	s.symlink("dirlink", "real")
	s.symlink("filelink", "real/f")
	s.symlink("dangling", "nowhere")
	s.symlink("loop1", "loop2")
	s.symlink("loop2", "loop1")
	// Absolute symlinks resolve inside the copy source, never on the host.
	s.dir("usr/lib", 0o755)
	s.file("usr/lib/libx.so", "lib", 0o644)
	s.symlink("lib", "/usr/lib")

	tree, warns := s.build(BuildOptions{Copies: []Copy{
		cp("/dirlink", "/d"),
		cp("/filelink", "/f"),
		cp("/dangling", "/dangling"),
		cp("/loop1", "/loop"),
		cp("/lib/libx.so", "/libx.so"),
	}})
	if len(warns) != 0 {
		t.Errorf("warnings %v", warns)
	}
	if d := node(t, tree, "/d"); d.Kind != Dir || d.Lookup("f") == nil {
		t.Errorf("directory symlink source not resolved: %v", dump(tree))
	}
	for p, target := range map[string]string{"/f": "real/f", "/dangling": "nowhere", "/loop": "loop2"} {
		e := entryAt(tree, p)
		if e == nil || e.Inode.Kind != Symlink || e.Inode.Target != target {
			t.Errorf("%s: want a symlink to %s: %v", p, target, dump(tree))
		}
	}
	if n := node(t, tree, "/libx.so"); n.SourcePath() != s.p("usr/lib/libx.so") {
		t.Errorf("source resolved to %q", n.SourcePath())
	}
}

// A loop of directory symlinks inside a source is stored, not followed.
func TestBuildSymlinkLoopInTree(t *testing.T) {
	s := newSrc(t)
	s.dir("d/a", 0o755)
	s.symlink("d/a/up", "..")
	s.symlink("d/a/self", ".")
	s.symlink("d/x", "y")
	s.symlink("d/y", "x")
	done := make(chan struct{})
	go func() {
		defer close(done)
		tree, _ := s.build(BuildOptions{Copies: []Copy{cp("/d", "/d")}})
		if got := summarize(t, tree); got.Symlinks != 4 {
			t.Errorf("symlinks %d, want 4", got.Symlinks)
		}
		// Resolving a target through the loop is an error, not a hang.
		_, _, err := Build(BuildOptions{CopySource: s.root, Copies: []Copy{cp("/d", "/d"), cp("/d/a", "/d/x/sub")}})
		if err == nil || !strings.Contains(err.Error(), "too many levels") {
			t.Errorf("copy through a symlink loop: %v", err)
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Build hangs on a symlink loop")
	}
}

func TestBuildParallelismIndependent(t *testing.T) {
	s := newSrc(t)
	for i := range 40 {
		for j := range 5 {
			s.file(strings.Repeat("d", i%7+1)+"/"+string(rune('a'+i))+"/"+string(rune('z'-j)), "x", 0o644)
		}
	}
	var ref []string
	for _, p := range []int{1, 2, 3, 8} {
		tree, _ := s.build(BuildOptions{Copies: []Copy{cp("/", "/")}, Parallelism: p})
		got := dump(tree)
		if ref == nil {
			ref = got
		} else if !slices.Equal(ref, got) {
			t.Errorf("parallelism %d changes the tree:\n%s", p, diffLines(ref, got))
		}
	}
}
