package fstree

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// model is a node of a randomly generated source tree.
type model struct {
	kind     Kind // Dir, File or Symlink
	mode     uint32
	mtime    time.Time
	content  string // file data or symlink target
	children map[string]*model
}

// Names decide the kind, so two random trees only collide dir with dir
// and leaf with leaf of the same kind. Some names test byte ordering.
var propNames = map[Kind][]string{
	Dir:     {"d0", "d1", "d2", "D", "d\xc3\xa9"},
	File:    {"f0", "f1", "f2", "f-", "F", "f\xff", "f.0", "f 1"},
	Symlink: {"l0", "l1", "L"},
}

func randomTree(r *rand.Rand, depth int) *model {
	m := &model{kind: Dir, mode: 0o700 | uint32(r.IntN(0o100)), mtime: randTime(r), children: map[string]*model{}}
	for _, k := range []Kind{Dir, File, Symlink} {
		for _, n := range propNames[k] {
			if r.IntN(3) != 0 || (k == Dir && depth == 0) {
				continue
			}
			switch k {
			case Dir:
				m.children[n] = randomTree(r, depth-1)
			case File:
				m.children[n] = &model{kind: File, mode: uint32(r.IntN(0o10000)) | 0o400, mtime: randTime(r),
					content: strings.Repeat("x", r.IntN(100))}
			case Symlink:
				m.children[n] = &model{kind: Symlink, mode: 0o777, mtime: randTime(r), content: fmt.Sprintf("../t%d", r.IntN(10))}
			}
		}
	}
	return m
}

func randTime(r *rand.Rand) time.Time {
	return time.Unix(int64(r.IntN(2000000000)), int64(r.IntN(1000000000))).UTC()
}

// write creates m at p; directory metadata is set after the contents.
func (m *model) write(t *testing.T, p string) {
	t.Helper()
	s := &src{t: t, root: filepath.Dir(p)}
	rel := filepath.Base(p)
	switch m.kind {
	case Dir:
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
		for n, c := range m.children {
			c.write(t, filepath.Join(p, n))
		}
		s.chmod(rel, os.FileMode(m.mode))
	case File:
		s.file(rel, m.content, os.FileMode(m.mode))
	case Symlink:
		s.symlink(rel, m.content)
	}
	s.mtime(rel, m.mtime)
}

// overlay applies a later copy line with the builder's rules: directories
// merge keeping the first one's metadata, a leaf replaces a leaf.
func (m *model) overlay(o *model) {
	for n, c := range o.children {
		if old, ok := m.children[n]; ok && old.kind == Dir && c.kind == Dir {
			old.overlay(c)
			continue
		}
		m.children[n] = c
	}
}

func (m *model) dump(p string, out *[]string) {
	line := fmt.Sprintf("%s %s %04o 0:0 %s", p, m.kind, m.mode, m.mtime.Format(time.RFC3339Nano))
	switch m.kind {
	case File:
		line += fmt.Sprintf(" size=%d", len(m.content))
	case Symlink:
		line += " ->" + m.content
	}
	*out = append(*out, line)
	names := make([]string, 0, len(m.children))
	for n := range m.children {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		cp := p + "/" + n
		if p == "/" {
			cp = "/" + n
		}
		m.children[n].dump(cp, out)
	}
}

// TestBuildProperty builds random pairs of overlapping trees copied onto
// "/" one after the other and checks the result against an independent
// model of the merge rules, plus the tree invariants every writer relies
// on. The seeds are fixed, so failures reproduce.
func TestBuildProperty(t *testing.T) {
	for seed := range uint64(25) {
		r := rand.New(rand.NewPCG(seed, 0x5eed))
		a, b := randomTree(r, 3), randomTree(r, 3)
		root := t.TempDir()
		a.write(t, filepath.Join(root, "a"))
		b.write(t, filepath.Join(root, "b"))

		o := BuildOptions{Copies: []Copy{cp("/a", "/"), cp("/b", "/")}, CopySource: root, Owner: OwnerRoot,
			Parallelism: 1 + int(seed%3)}
		tree, w, err := Build(o)
		if err != nil || len(w) != 0 {
			t.Fatalf("seed %d: %v %v", seed, err, w)
		}
		checkSpilled(t, o, tree, w)
		a.overlay(b)
		var want []string
		a.dump("/", &want)
		if got := dump(tree); !slices.Equal(got, want) {
			t.Fatalf("seed %d: tree differs from the model:\n%s", seed, diffLines(want, got))
		}
		checkInvariants(t, tree)
		s := summarize(t, tree)
		if int(s.Entries) != len(want)-1 || s.Inodes != s.Entries+1 {
			t.Errorf("seed %d: summary %+v for %d nodes", seed, s, len(want))
		}
	}
}

// checkInvariants checks what writers rely on: entries strictly sorted by
// name bytewise, names valid, UTC times, kinds consistent with fields.
func checkInvariants(t *testing.T, tree *Tree) {
	t.Helper()
	var check func(p string, d *Inode)
	check = func(p string, d *Inode) {
		for i, e := range d.Entries {
			if e.Name == "" || e.Name == "." || e.Name == ".." || strings.ContainsAny(e.Name, "/\x00") {
				t.Errorf("%s: bad name %q", p, e.Name)
			}
			if i > 0 && d.Entries[i-1].Name >= e.Name {
				t.Errorf("%s: entries not strictly sorted: %q, %q", p, d.Entries[i-1].Name, e.Name)
			}
			n := e.Inode
			if n.Mtime.Location() != time.UTC {
				t.Errorf("%s/%s: mtime not in UTC", p, e.Name)
			}
			if n.Mode&^0o7777 != 0 || (n.Kind != Dir && len(n.Entries) > 0) || (n.Kind != Symlink && n.Target != "") ||
				(n.Kind != File && (n.HasSource() || n.Size != 0)) {
				t.Errorf("%s/%s: inconsistent %+v", p, e.Name, n)
			}
			if n.Kind == Dir {
				check(p+"/"+e.Name, n)
			}
		}
	}
	check("", tree.Root)
}
