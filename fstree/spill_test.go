package fstree

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/heapstat"
	"github.com/gorepart/gorepart/internal/treefuzz"
)

// checkSpilled builds o again with SpillDir and checks that the spilled
// tree and its warnings are those of the in-memory build mem.
func checkSpilled(t testing.TB, o BuildOptions, mem *Tree, memWarn []Warning) {
	t.Helper()
	o.SpillDir = t.TempDir()
	sp, w, err := Build(o)
	if err != nil {
		t.Fatalf("Build with SpillDir: %v", err)
	}
	defer sp.Close()
	if !reflect.DeepEqual(w, memWarn) {
		t.Errorf("warnings with SpillDir %v, in memory %v", w, memWarn)
	}
	compareTrees(t, mem, sp)
}

// compareTrees walks two trees with List and reports every difference in
// names and Inode fields (source paths and in-memory data included), and
// in hardlink structure: the classes of equal non-zero LinkKeys of b must
// be the classes of equal keys (pointers, in memory) of a. b's root must
// be held in memory. Their summaries must be equal.
func compareTrees(t testing.TB, a, b *Tree) {
	t.Helper()
	if b.Root.spilled() {
		t.Errorf("root is spilled")
	}
	classA, classB := map[string]string{}, map[string]string{}
	firstA, firstB := map[LinkKey]string{}, map[LinkKey]string{}
	class := func(first map[LinkKey]string, out map[string]string, p string, n *Inode) {
		k := n.LinkKey()
		if k.IsZero() {
			out[p] = p
			return
		}
		if f, ok := first[k]; ok {
			out[p] = f
			return
		}
		first[k], out[p] = p, p
	}
	errs := 0
	fail := func(format string, args ...any) {
		t.Helper()
		if errs++; errs <= 20 {
			t.Errorf(format, args...)
		}
	}
	var cmp func(p string, x, y *Inode)
	cmp = func(p string, x, y *Inode) {
		if d := inodeDiff(x, y); d != "" {
			fail("%s: %s", p, d)
			return
		}
		if x.Kind != Dir {
			return
		}
		lx, err := x.List()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		ly, err := y.List()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if len(lx) != len(ly) {
			fail("%s: %d entries, spilled %d", p, len(lx), len(ly))
			return
		}
		for i := range lx {
			if lx[i].Name != ly[i].Name {
				fail("%s: entry %d is %q, spilled %q", p, i, lx[i].Name, ly[i].Name)
				return
			}
			if i > 0 && ly[i-1].Name >= ly[i].Name {
				fail("%s: spilled entries not sorted", p)
			}
			cp := p + "/" + lx[i].Name
			class(firstA, classA, cp, lx[i].Inode)
			class(firstB, classB, cp, ly[i].Inode)
			cmp(cp, lx[i].Inode, ly[i].Inode)
		}
	}
	cmp("", a.Root, b.Root)
	if !reflect.DeepEqual(classA, classB) {
		for p, c := range classA {
			if classB[p] != c {
				fail("%s: hardlink class %s, spilled %s", p, c, classB[p])
			}
		}
	}
	sa, err := Summarize(a)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := Summarize(b)
	if err != nil {
		t.Fatal(err)
	}
	if sa != sb {
		fail("summary %+v, spilled %+v", sa, sb)
	}
}

// inodeDiff describes how y differs from x in what an Inode answers.
func inodeDiff(x, y *Inode) string {
	var d []string
	add := func(what string, a, b any) { d = append(d, fmt.Sprintf("%s %v, spilled %v", what, a, b)) }
	if x.Kind != y.Kind {
		add("kind", x.Kind, y.Kind)
	}
	if x.Sparse != y.Sparse {
		add("sparse", x.Sparse, y.Sparse)
	}
	if x.Mode != y.Mode || x.UID != y.UID || x.GID != y.GID {
		add("mode/owner", []uint32{x.Mode, x.UID, x.GID}, []uint32{y.Mode, y.UID, y.GID})
	}
	if !x.Mtime.Equal(y.Mtime) || x.Mtime.UnixNano() != y.Mtime.UnixNano() || x.Mtime.Location() != y.Mtime.Location() {
		add("mtime", x.Mtime, y.Mtime)
	}
	if !reflect.DeepEqual(x.Xattrs, y.Xattrs) {
		add("xattrs", x.Xattrs, y.Xattrs)
	}
	if x.Size != y.Size {
		add("size", x.Size, y.Size)
	}
	if x.HasSource() != y.HasSource() || x.SourcePath() != y.SourcePath() {
		add("source", x.SourcePath(), y.SourcePath())
	}
	if !bytes.Equal(x.Data(), y.Data()) {
		add("data", x.Data(), y.Data())
	}
	if x.Target != y.Target {
		add("target", x.Target, y.Target)
	}
	if x.Major != y.Major || x.Minor != y.Minor {
		add("device", []uint32{x.Major, x.Minor}, []uint32{y.Major, y.Minor})
	}
	return strings.Join(d, "; ")
}

// TestSpillRandomTrees builds random source trees (the property test's
// generator, plus hardlinks inside and across lines, xattrs, excludes,
// MakeDirectories= and MakeSymlinks=) in memory and spilled, with and
// without KeepHardlinks, and compares the two trees. It also checks that
// a spilled tree's hardlink keys do not depend on Parallelism.
func TestSpillRandomTrees(t *testing.T) {
	seeds := treefuzz.Seeds()
	if len(seeds) < 50 {
		seeds = append(seeds, seeds[len(seeds)-1]+1)
		for len(seeds) < 50 {
			seeds = append(seeds, seeds[len(seeds)-1]+1)
		}
	}
	for _, seed := range seeds {
		r := rand.New(rand.NewPCG(uint64(seed), 0x5b111))
		root := t.TempDir()
		randomTree(r, 3).write(t, filepath.Join(root, "a"))
		randomTree(r, 2).write(t, filepath.Join(root, "b"))
		randomLinks(t, r, root)
		o := BuildOptions{
			CopySource:    root,
			Owner:         OwnerRoot,
			KeepHardlinks: seed%2 == 0,
			Parallelism:   1 + seed%3,
		}
		switch seed % 4 {
		case 0:
			o.Copies = []Copy{cp("/a", "/"), cp("/b", "/")}
		case 1:
			o.Copies = []Copy{cp("/a", "/"), cp("/b", "/x/y"), cp("/a/d0", "/d0"), cp("/b/f0", "/x/f")}
		case 2:
			o.Copies = []Copy{cp("/b", "/x"), cp("/a", "/"), cp("/a", "/x")}
			o.ExcludeTargets = []string{"/d1/", "/x/d2"}
		case 3:
			o.Copies = []Copy{cp("/a", "/a"), cp("/a/d1", "/a/d0/d1")}
			o.ExcludeFiles = []string{"/a/d2/"}
		}
		if r.IntN(2) == 0 {
			o.MakeDirs = []string{"/d0/new", "/m/n"}
			o.MakeSymlinks = []SymlinkSpec{{Path: "/m/sl", Target: "../d0"}}
		}
		mem, w, err := Build(o)
		if err != nil {
			o.SpillDir = t.TempDir()
			if _, _, serr := Build(o); serr == nil || serr.Error() != err.Error() {
				t.Errorf("seed %d: Build with SpillDir: error %v, in memory %v", seed, serr, err)
			}
			continue
		}
		checkSpilled(t, o, mem, w)
		if !o.KeepHardlinks {
			continue
		}
		o.SpillDir = t.TempDir()
		var keys [2][]string
		for i, par := range []int{1, 3} {
			o.Parallelism = par
			sp, _, err := Build(o)
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			_ = Walk(sp.Root, func(p string, e *Entry) error {
				keys[i] = append(keys[i], fmt.Sprintf("%s %v", p, e.Inode.LinkKey().id))
				return nil
			})
			sp.Close()
		}
		if !slices.Equal(keys[0], keys[1]) {
			t.Errorf("seed %d: hardlink keys depend on Parallelism:\n%s", seed, diffLines(keys[0], keys[1]))
		}
	}
}

// randomLinks adds hardlinks to random regular files of the tree at root
// (in both halves, so some groups cross copy lines), and xattrs to some
// files and directories.
func randomLinks(t *testing.T, r *rand.Rand, root string) {
	t.Helper()
	var files, dirs []string
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case d.Type().IsRegular():
			files = append(files, p)
		case d.IsDir() && p != root:
			dirs = append(dirs, p)
		}
		return nil
	})
	if len(files) == 0 || len(dirs) == 0 {
		return
	}
	for i := range r.IntN(8) {
		old := files[r.IntN(len(files))]
		dir := dirs[r.IntN(len(dirs))]
		name := fmt.Sprintf("h%d", i)
		if err := os.Link(old, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	s := &src{t: t, root: root}
	for range r.IntN(4) {
		p, _ := filepath.Rel(root, files[r.IntN(len(files))])
		s.xattr(p, "user.f", p)
	}
	for range r.IntN(3) {
		p, _ := filepath.Rel(root, dirs[r.IntN(len(dirs))])
		s.xattr(p, "user.d", "")
	}
}

// TestSpillNodeTypes covers what the random trees lack: devices, FIFOs,
// sparse files, many xattrs, long names and targets, in a spilled tree
// read through List, Lookup and Walk; and that List returns new values
// each time.
func TestSpillNodeTypes(t *testing.T) {
	s := newSrc(t)
	s.dir("d/sub", 0o750)
	s.file("d/sub/big", "", 0o644)
	if err := os.Truncate(s.p("d/sub/big"), 1<<20); err != nil {
		t.Fatal(err)
	}
	s.file("d/"+strings.Repeat("n", 255), "long", 0o600)
	s.symlink("d/l", strings.Repeat("t/", 1000))
	s.mknod("d/fifo", 0o010644, 0)
	for i := range 12 {
		s.xattr("d/sub", fmt.Sprintf("user.x%02d", i), strings.Repeat("v", i*20))
	}
	s.xattr("d/sub/big", "user.empty", "")
	o := BuildOptions{Copies: []Copy{cp("/d", "/d")}, CopySource: s.root, SpillDir: t.TempDir()}
	tree, _, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	d := tree.Root.Lookup("d").Inode
	if !d.spilled() {
		t.Fatalf("/d is not spilled")
	}
	sub := d.Lookup("sub")
	if sub == nil || len(sub.Inode.Xattrs) != 12 {
		t.Fatalf("/d/sub: %+v", sub)
	}
	big := sub.Inode.Lookup("big").Inode
	if !big.Sparse || big.Size != 1<<20 || big.SourcePath() != s.p("d/sub/big") || readAll(t, big) != string(make([]byte, 1<<20)) {
		t.Errorf("/d/sub/big: %+v", big)
	}
	if l1, l2 := mustList(t, d), mustList(t, d); l1[0] == l2[0] || l1[0].Inode == l2[0].Inode || !reflect.DeepEqual(l1, l2) {
		t.Errorf("List returned the same values twice, or different ones")
	}
	s.build(BuildOptions{Copies: []Copy{cp("/d", "/d")}, KeepHardlinks: true})
}

func mustList(t *testing.T, d *Inode) []*Entry {
	t.Helper()
	l, err := d.List()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestSpillClose: after Close, List of a spilled directory (and Walk
// and Summarize) fails with an error wrapping os.ErrClosed; Close is
// idempotent and a no-op on a tree held in memory.
func TestSpillClose(t *testing.T) {
	s := newSrc(t)
	s.file("d/e/f", "x", 0o644)
	tree, _, err := Build(BuildOptions{Copies: []Copy{cp("/d", "/d")}, CopySource: s.root, SpillDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	d := tree.Root.Lookup("d").Inode
	if _, err := d.List(); err != nil {
		t.Fatal(err)
	}
	if err := tree.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tree.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	_, err = d.List()
	if !errors.Is(err, os.ErrClosed) || !strings.Contains(err.Error(), "reading spilled directory "+s.p("d")) {
		t.Errorf("List after Close: %v", err)
	}
	if err := Walk(tree.Root, func(string, *Entry) error { return nil }); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Walk after Close: %v", err)
	}
	if _, err := Summarize(tree); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Summarize after Close: %v", err)
	}
	if d.Lookup("e") != nil {
		t.Errorf("Lookup after Close found an entry")
	}
	mem := &Tree{Root: &Inode{Kind: Dir}}
	if err := mem.Close(); err != nil {
		t.Errorf("Close of an in-memory tree: %v", err)
	}
}

// TestSpillMemoryFlat is issue #6's criterion for the tree: the heap a
// spilled tree retains must not grow with its entries. It builds trees of
// N and 2N files (directories of 10 files; k and 2k copy lines of one
// generated source of 2000 files, each to its own target, as making 60000
// files would take most of a minute on a slow disk), keeps each tree
// alive and compares the retained heap: the growth from N to 2N must be
// below 16 bytes per extra file plus a constant (what remains per
// directory is its 16-byte index entry). The in-memory build of the same
// trees is measured too and must exceed that bound, or the test would not
// tell the two apart: with N = 20000 it retains about 200 bytes per extra
// file (~4 MB; ~32 KB spilled).
func TestSpillMemoryFlat(t *testing.T) {
	const perCopy, copies = 2000, 10
	const n = perCopy * copies
	source := t.TempDir()
	genFlat(t, source, perCopy)
	limit := int64(16*n + 64<<10)
	grow := func(spill bool) int64 {
		return retained(t, source, 2*copies, spill) - retained(t, source, copies, spill)
	}
	memGrowth, spillGrowth := grow(false), grow(true)
	t.Logf("retained heap growth from %d to %d files: in memory %d bytes (%.0f B/file), spilled %d bytes (%.1f B/file); limit %d",
		n, 2*n, memGrowth, float64(memGrowth)/n, spillGrowth, float64(spillGrowth)/n, limit)
	if spillGrowth >= limit {
		t.Errorf("spilled tree grew by %d bytes for %d more files, limit %d", spillGrowth, n, limit)
	}
	if memGrowth < limit {
		t.Errorf("in-memory tree grew by only %d bytes for %d more files: the test cannot tell", memGrowth, n)
	}
}

// genFlat makes files small files in directories of 10.
func genFlat(t *testing.T, root string, files int) {
	t.Helper()
	for d := range files / 10 {
		dir := filepath.Join(root, fmt.Sprintf("dir%06d", d))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for f := range 10 {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("file-%d.txt", f)), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// retained is the heap held, once collections stop freeing and while the
// tree is alive, by a tree of copies copy lines of source (to /c00, /c01,
// ...).
func retained(t *testing.T, source string, copies int, spill bool) int64 {
	t.Helper()
	o := BuildOptions{CopySource: source, Owner: OwnerRoot}
	for i := range copies {
		o.Copies = append(o.Copies, cp("/", fmt.Sprintf("/c%02d", i)))
	}
	if spill {
		o.SpillDir = t.TempDir()
	}
	before := heapstat.Live()
	tree, _, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	after := heapstat.Live()
	runtime.KeepAlive(tree)
	if err := tree.Close(); err != nil {
		t.Fatal(err)
	}
	return after - before
}

// TestSpillConcurrentList walks one spilled tree from several goroutines
// at once (run with -race) and expects the same listing from each; a
// SpillDir that does not exist is an error.
func TestSpillConcurrentList(t *testing.T) {
	root := t.TempDir()
	fwd := make([]int, len(detSpec))
	for i := range fwd {
		fwd[i] = i
	}
	makeSpec(t, root, fwd)
	randomTree(rand.New(rand.NewPCG(3, 3)), 3).write(t, filepath.Join(root, "random"))
	o := BuildOptions{Copies: []Copy{cp("/", "/")}, CopySource: root, KeepHardlinks: true, SpillDir: t.TempDir()}
	tree, _, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	want := dump(tree)
	got := make([][]string, 4)
	done := make(chan struct{})
	for i := range got {
		go func() {
			defer func() { done <- struct{}{} }()
			got[i] = dump(tree)
		}()
	}
	for range got {
		<-done
	}
	for i := range got {
		if !slices.Equal(got[i], want) {
			t.Errorf("walker %d:\n%s", i, diffLines(want, got[i]))
		}
	}
	if !slices.ContainsFunc(want, func(l string) bool { return strings.Contains(l, " link=") }) {
		t.Errorf("no hardlinks in the dump")
	}
	o.SpillDir = filepath.Join(root, "missing")
	if _, _, err := Build(o); err == nil || !strings.Contains(err.Error(), "creating spill file") {
		t.Errorf("missing SpillDir: %v", err)
	}
}
