package fstree

import (
	"slices"
	"strings"
	"testing"
)

// paths lists the paths of a tree, "/" first.
func paths(t *Tree) []string {
	out := []string{"/"}
	_ = Walk(t.Root, func(p string, _ *Entry) error {
		out = append(out, "/"+p)
		return nil
	})
	return out
}

func TestBuildExcludes(t *testing.T) {
	s := newSrc(t)
	for _, f := range []string{
		"proc/1/status", "sys/kernel/x", "dev/null-ish", "tmp/junk", "run/lock", "var/tmp/t", "var/lib/keep",
		"etc/keep", "etc/secret/key", "etc/cache/a", "etc/cache/b", "etc/passwd",
		"usr/bin/sh", "home/u/f", "efi/EFI/x", "srv/www",
		"data/log/one", "data/log/two", "data/db",
	} {
		s.file(f, f, 0o644)
	}
	for _, tc := range []struct {
		name string
		o    BuildOptions
		want []string
	}{{
		name: "defaults: API VFS and temporary directories at the top are emptied",
		o:    BuildOptions{Copies: []Copy{cp("/", "/")}, ExcludeFiles: []string{"/etc", "/usr", "/home", "/efi", "/srv", "/data"}},
		want: []string{"/", "/dev", "/proc", "/run", "/sys", "/tmp", "/var", "/var/lib", "/var/lib/keep", "/var/tmp"},
	}, {
		name: "defaults apply to the copy source, not to each line's source",
		o:    BuildOptions{Copies: []Copy{cp("/var", "/")}},
		want: []string{"/", "/lib", "/lib/keep", "/tmp"},
	}, {
		name: "ExcludeFiles: inode vs contents",
		o:    BuildOptions{Copies: []Copy{cp("/etc", "/etc")}, ExcludeFiles: []string{"/etc/secret", "/etc/cache/", "/etc/passwd"}},
		want: []string{"/", "/etc", "/etc/cache", "/etc/keep"},
	}, {
		name: "ExcludeFiles covering a line's source skips the line",
		o:    BuildOptions{Copies: []Copy{cp("/etc/keep", "/k"), cp("/etc/secret", "/s"), cp("/usr", "/usr")}, ExcludeFiles: []string{"/etc"}},
		want: []string{"/", "/usr", "/usr/bin", "/usr/bin/sh"},
	}, {
		name: "a file source below an excluded directory is skipped",
		o:    BuildOptions{Copies: []Copy{cp("/etc/cache/a", "/a"), cp("/etc/keep", "/k")}, ExcludeFiles: []string{"/etc/cache/"}},
		want: []string{"/", "/k"},
	}, {
		// The built-in rules keep the host's /tmp, /run ... out of a copied
		// tree; what a line names is copied (repart 262 drops it silently).
		name: "named sources under the built-in excludes are copied",
		o:    BuildOptions{Copies: []Copy{cp("/tmp/junk", "/j"), cp("/var/tmp/t", "/etc/t"), cp("/run", "/r"), cp("/tmp", "/t")}},
		want: []string{"/", "/etc", "/etc/t", "/j", "/r", "/r/lock", "/t", "/t/junk"},
	}, {
		name: "named sources below an explicit ExcludeFiles= are still skipped",
		o:    BuildOptions{Copies: []Copy{cp("/tmp/junk", "/j"), cp("/etc/keep", "/k")}, ExcludeFiles: []string{"/tmp/"}},
		want: []string{"/", "/k"},
	}, {
		name: "ExcludeFilesTarget maps into the source",
		o: BuildOptions{Copies: []Copy{cp("/data", "/srv/data"), cp("/etc", "/etc")},
			ExcludeTargets: []string{"/srv/data/log/", "/srv/data/db", "/etc"}},
		want: []string{"/", "/srv", "/srv/data", "/srv/data/log"},
	}, {
		name: "root partition: other partitions' mount points are emptied",
		o: BuildOptions{Copies: []Copy{cp("/", "/")}, RootPartition: true, OtherMountPoints: []string{"/usr", "/home", "/efi"},
			ExcludeFiles: []string{"/etc", "/data", "/var", "/proc", "/sys", "/dev", "/tmp", "/run"}},
		// ExcludeFiles=/proc cannot remove /proc itself: the default
		// rule came first and the first rule for an inode wins.
		want: []string{"/", "/dev", "/efi", "/home", "/proc", "/run", "/srv", "/srv/www", "/sys", "/tmp", "/usr"},
	}, {
		name: "not a root partition: mount points are copied",
		o:    BuildOptions{Copies: []Copy{cp("/usr", "/usr")}, OtherMountPoints: []string{"/usr"}},
		want: []string{"/", "/usr", "/usr/bin", "/usr/bin/sh"},
	}, {
		name: "root partition: API VFS names below the line's source are emptied",
		o:    BuildOptions{Copies: []Copy{cp("/var", "/")}, RootPartition: true},
		want: []string{"/", "/lib", "/lib/keep", "/tmp"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			tree, w := s.build(tc.o)
			if len(w) != 0 {
				t.Errorf("warnings %v", w)
			}
			if got := paths(tree); !slices.Equal(got, tc.want) {
				t.Errorf("got  %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestBuildOverride(t *testing.T) {
	s := newSrc(t)
	s.file("a/etc/motd", "first", 0o644)
	s.file("a/etc/only-a", "a", 0o644)
	s.file("a/bin", "a file", 0o755)
	s.dir("a/opt", 0o700)
	s.file("b/etc/motd", "second", 0o600)
	s.file("b/etc/only-b", "b", 0o644)
	s.file("b/opt/x", "x", 0o644)
	s.dir("b/bin", 0o755)
	s.file("b/bin/sh", "sh", 0o755)
	s.file("motd", "third", 0o640)
	s.symlink("motd-link", "motd")

	tree, w := s.build(BuildOptions{Copies: []Copy{cp("/a", "/"), cp("/b/etc", "/etc"), cp("/b/opt", "/opt")}})
	if len(w) != 0 {
		t.Errorf("warnings %v", w)
	}
	if got := readAll(t, node(t, tree, "/etc/motd")); got != "second" {
		t.Errorf("motd %q, want the later line's", got)
	}
	if node(t, tree, "/etc/only-a") == nil || node(t, tree, "/etc/only-b") == nil {
		t.Errorf("merge lost entries")
	}
	if o := node(t, tree, "/opt"); o.Mode != 0o700 || o.Lookup("x") == nil {
		t.Errorf("merged directory keeps the first line's metadata: mode %o", o.Mode)
	}

	// A file source replaces a file and a symlink.
	tree, _ = s.build(BuildOptions{Copies: []Copy{cp("/a", "/"), cp("/motd", "/etc/motd"), cp("/motd-link", "/bin"), cp("/motd", "/bin")}})
	if got := readAll(t, node(t, tree, "/etc/motd")); got != "third" {
		t.Errorf("motd %q", got)
	}
	if n := node(t, tree, "/bin"); n.Kind != File || readAll(t, n) != "third" {
		t.Errorf("/bin: %v", dump(tree))
	}

	// A file inside a directory source does not replace a directory: kept, warned.
	tree, w = s.build(BuildOptions{Copies: []Copy{cp("/b", "/"), cp("/a", "/")}})
	if n := node(t, tree, "/bin"); n.Kind != Dir || n.Lookup("sh") == nil {
		t.Errorf("/bin replaced: %v", dump(tree))
	}
	if len(w) != 1 || w[0].Path != "/bin" {
		t.Errorf("warnings %v", w)
	}
}

func TestBuildErrors(t *testing.T) {
	s := newSrc(t)
	s.file("f", "f", 0o644)
	s.file("d/sub/x", "x", 0o644)
	s.file("e/sub", "a file", 0o644)
	s.mknod("fifo", 0o010644, 0)
	for _, tc := range []struct {
		name string
		o    BuildOptions
		want []string
	}{{
		name: "file onto a directory names both lines",
		o:    BuildOptions{Copies: []Copy{{Source: "/d", Target: "/x", Origin: "a.conf:1"}, {Source: "/f", Target: "/x/sub", Origin: "b.conf:7"}}},
		want: []string{"b.conf:7", "a.conf:1", "/x/sub", "onto directory"},
	}, {
		name: "file onto a directory made as a parent",
		o:    BuildOptions{Copies: []Copy{{Source: "/f", Target: "/p/q/r", Origin: "a.conf:2"}, {Source: "/f", Target: "/p/q", Origin: "b.conf:3"}}},
		want: []string{"b.conf:3", "a.conf:2"},
	}, {
		name: "directory onto a file",
		o:    BuildOptions{Copies: []Copy{{Source: "/f", Target: "/x", Origin: "a.conf:1"}, {Source: "/d", Target: "/x", Origin: "b.conf:2"}}},
		want: []string{"b.conf:2", "a.conf:1", "onto file /x"},
	}, {
		name: "directory onto a file inside a merge",
		o:    BuildOptions{Copies: []Copy{{Source: "/e", Target: "/m", Origin: "a.conf:1"}, {Source: "/d", Target: "/m", Origin: "b.conf:2"}}},
		want: []string{"b.conf:2", "a.conf:1", "/d/sub onto file /m/sub"},
	}, {
		name: "directory onto a file inside a merge into the root",
		o:    BuildOptions{Copies: []Copy{{Source: "/e", Target: "/", Origin: "a.conf:1"}, {Source: "/d", Target: "/", Origin: "b.conf:2"}}},
		want: []string{"b.conf:2", "a.conf:1", "/d/sub onto file /sub"},
	}, {
		name: "dot-dot in a target",
		o:    BuildOptions{Copies: []Copy{cp("/f", "/a/../../etc/f")}},
		want: []string{`".."`},
	}, {
		name: "empty source",
		o:    BuildOptions{Copies: []Copy{{Source: "", Target: "/x", Origin: "c.conf:9"}}},
		want: []string{"c.conf:9", "empty source"},
	}, {
		name: "relative target",
		o:    BuildOptions{Copies: []Copy{cp("/f", "etc/f")}},
		want: []string{"not an absolute path"},
	}, {
		name: "file onto the root",
		o:    BuildOptions{Copies: []Copy{cp("/f", "/")}},
		want: []string{"is a directory"},
	}, {
		name: "file onto a trailing slash",
		o:    BuildOptions{Copies: []Copy{cp("/f", "/etc/")}},
		want: []string{"is a directory"},
	}, {
		name: "fifo source",
		o:    BuildOptions{Copies: []Copy{cp("/fifo", "/fifo")}},
		want: []string{"fifo, not a regular file"},
	}, {
		name: "file in the way of a parent",
		o:    BuildOptions{Copies: []Copy{cp("/f", "/f"), cp("/f", "/f/g")}},
		want: []string{"creating directory /f", "in the way"},
	}, {
		name: "MakeSymlinks into a missing parent",
		o:    BuildOptions{MakeSymlinks: []SymlinkSpec{{Path: "/no/such/l", Target: "x"}}},
		want: []string{"MakeSymlinks=/no/such/l:x", "does not exist"},
	}, {
		name: "MakeSymlinks onto an existing path",
		o:    BuildOptions{Copies: []Copy{cp("/f", "/f")}, MakeSymlinks: []SymlinkSpec{{Path: "/f", Target: "x"}}},
		want: []string{"already exists"},
	}, {
		name: "MakeDirectories through a file",
		o:    BuildOptions{Copies: []Copy{cp("/f", "/f")}, MakeDirs: []string{"/f/d"}},
		want: []string{"MakeDirectories=/f/d"},
	}, {
		name: "MakeDirectories with dot-dot",
		o:    BuildOptions{MakeDirs: []string{"/a/.."}},
		want: []string{`".."`},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.buildErr(tc.o)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestBuildMakeDirsSymlinks(t *testing.T) {
	s := newSrc(t)
	s.file("usr/lib/x", "x", 0o644)
	s.symlink("lib", "usr/lib")
	tree, _ := s.build(BuildOptions{
		Copies:       []Copy{cp("/", "/")},
		MakeDirs:     []string{"/var/lib/machines", "/usr", "/lib/modules"},
		MakeSymlinks: []SymlinkSpec{{Path: "/var/run", Target: "../run"}, {Path: "/lib/firmware", Target: "/nowhere"}},
	})
	want := []string{"/", "/lib", "/usr", "/usr/lib", "/usr/lib/firmware", "/usr/lib/modules", "/usr/lib/x",
		"/var", "/var/lib", "/var/lib/machines", "/var/run"}
	if got := paths(tree); !slices.Equal(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
	l := entryAt(tree, "/var/run").Inode
	if l.Kind != Symlink || l.Target != "../run" || l.Mode != 0o777 || l.UID != 0 {
		t.Errorf("symlink %+v", l)
	}
	if d := node(t, tree, "/var/lib/machines"); d.Mode != 0o755 {
		t.Errorf("made directory mode %o", d.Mode)
	}
}

// Manifest entries are not parsed from text: a target may hold ":" and
// spaces, and a host path source ignores the copy source.
func TestBuildManifestTargets(t *testing.T) {
	s := newSrc(t)
	s.file("store/abc-pkg/bin/tool", "t", 0o555)
	s.file("store/abc-pkg/share/a b:c", "odd", 0o444)
	other := newSrc(t) // the copy source: the host path must not be looked up here
	tree, w := other.build(BuildOptions{Copies: []Copy{
		{Source: s.p("store/abc-pkg"), Target: "/nix/store/abc-pkg", HostPath: true},
		{Source: s.p("store/abc-pkg/share/a b:c"), Target: "/etc/with space:and:colons", HostPath: true},
	}})
	if len(w) != 0 {
		t.Errorf("warnings %v", w)
	}
	if got := readAll(t, node(t, tree, "/etc/with space:and:colons")); got != "odd" {
		t.Errorf("content %q", got)
	}
	if node(t, tree, "/nix/store/abc-pkg/share/a b:c").Kind != File {
		t.Errorf("tree %v", paths(tree))
	}
}

// Targets resolve through symlinks already in the tree, as repart's
// chase() does in its staging directory; a file target's last component
// is not followed.
func TestBuildTargetsThroughSymlinks(t *testing.T) {
	s := newSrc(t)
	s.file("rootfs/usr/lib/x", "x", 0o644)
	s.symlink("rootfs/lib", "usr/lib")
	s.symlink("rootfs/abs", "/usr/lib")
	s.file("add/m", "m", 0o644)
	s.file("f", "f", 0o644)
	tree, w := s.build(BuildOptions{Copies: []Copy{
		cp("/rootfs", "/"),
		cp("/add", "/lib"),
		cp("/f", "/abs/f"),
		cp("/add", "/lib/sub/deeper"),
		cp("/f", "/abs"),
	}})
	if len(w) != 0 {
		t.Errorf("warnings %v", w)
	}
	want := []string{"/", "/abs", "/lib", "/usr", "/usr/lib", "/usr/lib/f", "/usr/lib/m", "/usr/lib/sub",
		"/usr/lib/sub/deeper", "/usr/lib/sub/deeper/m", "/usr/lib/x"}
	if got := paths(tree); !slices.Equal(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
	if n := entryAt(tree, "/lib").Inode; n.Kind != Symlink {
		t.Errorf("/lib replaced by a %s", n.Kind)
	}
	if n := entryAt(tree, "/abs").Inode; n.Kind != File {
		t.Errorf("/abs: a file source replaces a symlink, got a %s", n.Kind)
	}
}
