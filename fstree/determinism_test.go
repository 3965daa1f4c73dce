package fstree

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// specEntry is one node of a source tree described in memory.
type specEntry struct {
	path, kind, content string // kind: dir, file, symlink, fifo, link (hardlink to content)
	mode                os.FileMode
	xattr               string
}

var detSpec = []specEntry{
	{path: "etc", kind: "dir", mode: 0o755},
	{path: "etc/hostname", kind: "file", content: "box\n", mode: 0o644},
	{path: "etc/shadow", kind: "file", content: "root:*:1::::::\n", mode: 0o600, xattr: "user.secret"},
	{path: "etc/ssl", kind: "dir", mode: 0o750, xattr: "user.dir"},
	{path: "etc/ssl/cert.pem", kind: "file", content: "-----BEGIN-----\n", mode: 0o444},
	{path: "etc/ssl/ca.pem", kind: "link", content: "etc/ssl/cert.pem"},
	{path: "etc/localtime", kind: "symlink", content: "/usr/share/zoneinfo/UTC"},
	{path: "usr", kind: "dir", mode: 0o755},
	{path: "usr/bin", kind: "dir", mode: 0o755},
	{path: "usr/bin/B", kind: "file", content: "upper", mode: 0o755},
	{path: "usr/bin/a", kind: "file", content: "lower", mode: 0o4711},
	{path: "usr/bin/_", kind: "file", content: "", mode: 0o700},
	{path: "usr/bin/\xc3\xa9", kind: "file", content: "utf8 name", mode: 0o644},
	{path: "usr/bin/a-alias", kind: "link", content: "usr/bin/a"},
	{path: "usr/share", kind: "dir", mode: 0o2775},
	{path: "usr/share/empty", kind: "dir", mode: 0o1777},
	{path: "usr/share/pipe", kind: "fifo", mode: 0o620},
	{path: "usr/share/z", kind: "symlink", content: "../bin/B"},
}

// makeSpec creates the tree under root in the given order of spec
// entries. Directories get their mode and mtime after everything else,
// deepest first, so creating children does not change them.
func makeSpec(t *testing.T, root string, order []int) {
	t.Helper()
	s := &src{t: t, root: root}
	mt := func(i int) time.Time { return t0.Add(time.Duration(i) * 1234567891) }
	for _, i := range order {
		e := detSpec[i]
		switch e.kind {
		case "dir":
			if err := os.MkdirAll(s.p(e.path), 0o777); err != nil {
				t.Fatal(err)
			}
		case "file":
			if err := os.MkdirAll(s.p(e.path[:strings.LastIndexByte(e.path, '/')]), 0o777); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(s.p(e.path), []byte(e.content), 0o666); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Second pass: things that need their targets or parents.
	for _, i := range order {
		e := detSpec[i]
		switch e.kind {
		case "symlink":
			s.symlink(e.path, e.content)
		case "fifo":
			if err := unix.Mkfifo(s.p(e.path), 0o666); err != nil {
				t.Fatal(err)
			}
		case "link":
			s.link(e.content, e.path)
		}
	}
	for _, i := range order {
		e := detSpec[i]
		if e.kind == "dir" || e.kind == "link" || e.kind == "symlink" {
			continue
		}
		s.chmod(e.path, e.mode)
		if e.xattr != "" {
			s.xattr(e.path, e.xattr, e.path)
		}
		s.mtime(e.path, mt(i))
	}
	dirs := []int{}
	for _, i := range order {
		if detSpec[i].kind == "dir" {
			dirs = append(dirs, i)
		}
	}
	slices.SortStableFunc(dirs, func(a, b int) int {
		return strings.Count(detSpec[b].path, "/") - strings.Count(detSpec[a].path, "/")
	})
	for _, i := range dirs {
		e := detSpec[i]
		s.chmod(e.path, e.mode)
		if e.xattr != "" {
			s.xattr(e.path, e.xattr, "d")
		}
		s.mtime(e.path, mt(i))
	}
	s.chmod(".", 0o755)
	s.mtime(".", t0)
}

// TestBuildDeterministic builds the same tree made in two different
// orders, under different umasks and time zones, and expects identical
// node lists and, with source paths made relative, deeply equal trees.
func TestBuildDeterministic(t *testing.T) {
	fwd := make([]int, len(detSpec))
	for i := range fwd {
		fwd[i] = i
	}
	rev := slices.Clone(fwd)
	slices.Reverse(rev)

	type env struct {
		order []int
		umask int
		tz    *time.Location
	}
	epoch := time.Unix(1200000000, 0)
	var ref *Tree
	var refDump []string
	for _, e := range []env{
		{fwd, 0o022, time.UTC},
		{rev, 0o077, time.FixedZone("UTC+13", 13*3600)},
		{fwd[len(fwd)/2:], 0o000, time.FixedZone("UTC-9:30", -(9*3600 + 1800))},
	} {
		if len(e.order) < len(detSpec) {
			e.order = append(slices.Clone(e.order), fwd[:len(fwd)/2]...)
		}
		root := t.TempDir()
		old := syscall.Umask(e.umask)
		oldLocal := time.Local
		time.Local = e.tz
		makeSpec(t, root, e.order)
		for _, keep := range []bool{false, true} {
			o := BuildOptions{
				Copies:          []Copy{cp("/", "/"), cp("/usr/bin", "/opt/bin")},
				CopySource:      root,
				MakeDirs:        []string{"/var/lib/new"},
				Owner:           OwnerRoot,
				SourceDateEpoch: &epoch,
				KeepHardlinks:   keep,
			}
			tree, w, err := Build(o)
			if err != nil || len(w) != 0 {
				t.Fatalf("Build: %v %v", err, w)
			}
			checkSpilled(t, o, tree, w)
			relSources(tree, root)
			if !keep {
				got := dump(tree)
				if refDump == nil {
					ref, refDump = tree, got
				} else {
					if !slices.Equal(refDump, got) {
						t.Errorf("umask %o, %s: node lists differ:\n%s", e.umask, e.tz, diffLines(refDump, got))
					}
					if !reflect.DeepEqual(ref, tree) {
						t.Errorf("umask %o, %s: trees differ", e.umask, e.tz)
					}
				}
			} else if s := summarize(t, tree); s.HardlinkGroups != 3 {
				// Two groups in "/" (ca.pem, a-alias), one in /opt/bin.
				t.Errorf("hardlink groups %d, want 3", s.HardlinkGroups)
			}
		}
		time.Local = oldLocal
		syscall.Umask(old)
	}
	// The root, the spec, /opt and /opt/bin with the 5 entries of
	// usr/bin, /var/lib/new and its 2 parents.
	if want := 1 + len(detSpec) + 2 + 5 + 3; len(refDump) != want {
		t.Errorf("%d nodes, want %d", len(refDump), want)
	}
}

// relSources makes every Source path relative to root.
func relSources(tree *Tree, root string) {
	_ = Walk(tree.Root, func(_ string, e *Entry) error {
		if e.Inode.HasSource() {
			e.Inode.SetSource(strings.TrimPrefix(e.Inode.SourcePath(), root))
		}
		return nil
	})
}
