package ext4

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testutil"
)

func testParams() Params {
	p := Params{Label: "gorepart-test", Time: time.Unix(1700000000, 0)}
	copy(p.UUID[:], []byte{0x4f, 0x68, 0xbc, 0xe3, 0xe8, 0xcd, 0x4d, 0xb1, 0x96, 0xe7, 0xfb, 0xca, 0xf9, 0x84, 0xb7, 0x09})
	p.HashSeed = p.UUID
	return p
}

// writeImage writes t into a new sparse file of size bytes (MinSize when
// size is 0) and returns its path.
func writeImage(t testing.TB, tree *fstree.Tree, size int64, p Params) string {
	t.Helper()
	if size == 0 {
		var err error
		if size, err = MinSize(tree, p); err != nil {
			t.Fatalf("MinSize: %v", err)
		}
	}
	return testutil.WriteImage(t, filepath.Join(t.TempDir(), "fs.img"), size, func(w io.WriterAt) (int64, error) {
		return size, Write(w, size, tree, p)
	})
}

// fsck runs e2fsck -fn and fails on any complaint.
func fsck(t testing.TB, img string) {
	t.Helper()
	e2fsck := testutil.Tool(t, "e2fsck", "e2fsprogs")
	out, err := exec.Command(e2fsck, "-fn", img).CombinedOutput()
	if err != nil {
		t.Fatalf("e2fsck -fn: %v\n%s", err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" && !strings.HasPrefix(l, "e2fsck ") && !strings.HasPrefix(l, "Pass ") && !strings.Contains(l, " files (") {
			t.Fatalf("e2fsck -fn: unexpected output %q\n%s", l, out)
		}
	}
}

// debugfs runs a command file against img and returns the output.
func debugfs(t testing.TB, img string, cmds []string) string {
	t.Helper()
	bin := testutil.Tool(t, "debugfs", "e2fsprogs")
	cf := filepath.Join(t.TempDir(), "cmds")
	if err := os.WriteFile(cf, []byte(strings.Join(cmds, "\n")+"\n"), 0644); err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	cmd := exec.Command(bin, "-f", cf, img)
	cmd.Stdout = &stdout
	cmd.Stderr = io.Discard
	if err := cmd.Run(); err != nil {
		t.Fatalf("debugfs: %v", err)
	}
	return stdout.String()
}

type lsEntry struct {
	ino      uint32
	mode     uint32
	uid, gid uint32
	name     string
}

// dirListing is one directory as debugfs "ls -p" shows it.
type dirListing struct {
	self    uint32 // inode of "."
	entries []lsEntry
}

// lsPaths lists directories by path with debugfs "ls -p", all in one run.
func lsPaths(t testing.TB, img string, paths []string) []dirListing {
	var cmds []string
	for _, p := range paths {
		cmds = append(cmds, fmt.Sprintf("ls -p %q", p))
	}
	out := debugfs(t, img, cmds)
	res := make([]dirListing, 0, len(paths))
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "debugfs: ls -p ") {
			res = append(res, dirListing{})
			continue
		}
		if !strings.HasPrefix(l, "/") || len(res) == 0 {
			continue
		}
		f := strings.Split(l, "/")
		// /ino/mode/uid/gid/name/size/
		if len(f) < 7 {
			t.Fatalf("ls -p line %q", l)
		}
		name := strings.Join(f[5:len(f)-2], "/")
		ino, _ := strconv.ParseUint(f[1], 10, 32)
		mode, _ := strconv.ParseUint(f[2], 8, 32)
		uid, _ := strconv.ParseUint(f[3], 10, 32)
		gid, _ := strconv.ParseUint(f[4], 10, 32)
		cur := &res[len(res)-1]
		switch {
		case name == ".":
			cur.self = uint32(ino)
		case name == ".." || ino == 0:
		default:
			cur.entries = append(cur.entries, lsEntry{uint32(ino), uint32(mode), uint32(uid), uint32(gid), name})
		}
	}
	if len(res) != len(paths) {
		t.Fatalf("debugfs listed %d of %d directories", len(res), len(paths))
	}
	return res
}

var kindType = map[fstree.Kind]uint32{
	fstree.File: sIFREG, fstree.Dir: sIFDIR, fstree.Symlink: sIFLNK, fstree.CharDevice: sIFCHR,
	fstree.BlockDevice: sIFBLK, fstree.FIFO: sIFIFO, fstree.Socket: sIFSOCK,
}

// compareImage checks img against tree with independent readers: debugfs
// ls/stat/ea_list/ea_get and rdump.
func compareImage(t testing.TB, img string, tree *fstree.Tree) {
	t.Helper()
	compareMeta(t, img, tree)
	compareRdump(t, img, tree)
}

// compareMeta checks names, inode sharing, modes, owners, link counts,
// sizes, device numbers, mtimes and xattrs with debugfs ls, stat, ea_list
// and ea_get.
func compareMeta(t testing.TB, img string, tree *fstree.Tree) {
	t.Helper()
	inoOf := map[*fstree.Inode]uint32{tree.Root: rootIno}
	names := map[*fstree.Inode]int{}
	// List every directory of the tree in one debugfs run.
	dirs, paths := []*fstree.Inode{tree.Root}, []string{"/"}
	fstree.Walk(tree.Root, func(path string, e *fstree.Entry) error {
		if e.Inode.Kind == fstree.Dir {
			dirs, paths = append(dirs, e.Inode), append(paths, "/"+path)
		}
		return nil
	})
	listing := lsPaths(t, img, paths)
	for i, d := range dirs {
		got := listing[i].entries
		if prev, ok := inoOf[d]; ok && prev != listing[i].self {
			t.Fatalf("%s: inode %d, want %d", paths[i], listing[i].self, prev)
		}
		inoOf[d] = listing[i].self
		want := d.Entries
		if d == tree.Root && d.Lookup("lost+found") == nil {
			var w []*fstree.Entry
			for _, e := range got {
				if e.name == "lost+found" {
					w = append(w, &fstree.Entry{Name: e.name, Inode: &fstree.Inode{Kind: fstree.Dir, Mode: 0700}})
					inoOf[w[len(w)-1].Inode] = e.ino
				}
			}
			want = append(w, want...)
		}
		if len(got) != len(want) {
			t.Fatalf("directory %s: %d entries, want %d", paths[i], len(got), len(want))
		}
		byName := map[string]lsEntry{}
		for _, e := range got {
			byName[e.name] = e
		}
		for _, e := range want {
			g, ok := byName[e.Name]
			if !ok {
				t.Fatalf("directory %s: %q missing", paths[i], e.Name)
			}
			in := e.Inode
			if prev, ok := inoOf[in]; ok && prev != g.ino {
				t.Fatalf("%q: inode %d, want %d (hardlink)", e.Name, g.ino, prev)
			}
			inoOf[in] = g.ino
			names[in]++
			if wm := kindType[in.Kind] | in.Mode&07777; g.mode != wm {
				t.Fatalf("%q: mode %o, want %o", e.Name, g.mode, wm)
			}
			if g.uid != in.UID || g.gid != in.GID {
				t.Fatalf("%q: owner %d:%d, want %d:%d", e.Name, g.uid, g.gid, in.UID, in.GID)
			}
		}
	}
	seenIno := map[uint32]*fstree.Inode{}
	for in, ino := range inoOf {
		if o, ok := seenIno[ino]; ok && o != in {
			t.Fatalf("inode %d shared by distinct tree inodes", ino)
		}
		seenIno[ino] = in
	}

	// stat, ea_list and ea_get for every inode.
	dir := t.TempDir()
	var cmds []string
	type xq struct {
		in   *fstree.Inode
		file string
		x    fstree.Xattr
	}
	var xqs []xq
	for in, ino := range inoOf {
		cmds = append(cmds, fmt.Sprintf("stat <%d>", ino), fmt.Sprintf("ea_list <%d>", ino))
		for i, x := range in.Xattrs {
			f := filepath.Join(dir, fmt.Sprintf("x%d.%d", ino, i))
			cmds = append(cmds, fmt.Sprintf("ea_get -f %s <%d> %s", f, ino, x.Name))
			xqs = append(xqs, xq{in, f, x})
		}
	}
	out := debugfs(t, img, cmds)
	stats := parseStats(out)
	for in, ino := range inoOf {
		s, ok := stats[ino]
		if !ok {
			t.Fatalf("no stat output for inode %d", ino)
		}
		links := names[in]
		if in.Kind == fstree.Dir {
			links = 2
			for _, e := range in.Entries {
				if e.Inode.Kind == fstree.Dir {
					links++
				}
			}
			if in == tree.Root && in.Lookup("lost+found") == nil {
				links++
			}
		}
		if s.links != links {
			t.Fatalf("inode %d: %d links, want %d", ino, s.links, links)
		}
		if in.Kind == fstree.CharDevice || in.Kind == fstree.BlockDevice {
			if s.major != in.Major || s.minor != in.Minor {
				t.Fatalf("inode %d: device %d:%d, want %d:%d", ino, s.major, s.minor, in.Major, in.Minor)
			}
		}
		if in.Kind == fstree.File && s.size != in.Size {
			t.Fatalf("inode %d: size %d, want %d", ino, s.size, in.Size)
		}
		if in.Kind != fstree.Dir || in.Mtime != (time.Time{}) {
			if s.mtime != in.Mtime.Unix() {
				t.Fatalf("inode %d: mtime %d, want %d", ino, s.mtime, in.Mtime.Unix())
			}
		}
		if s.xattrs != len(in.Xattrs) {
			t.Fatalf("inode %d: %d xattrs listed, want %d\n%s", ino, s.xattrs, len(in.Xattrs), s.raw)
		}
	}
	for _, q := range xqs {
		v, err := os.ReadFile(q.file)
		if err != nil && len(q.x.Value) > 0 {
			t.Fatalf("ea_get %s: %v", q.x.Name, err)
		}
		if strings.HasPrefix(q.x.Name, "system.posix_acl_") {
			// debugfs reads undefined ACL ids back as 0.
			v1, err1 := aclToDisk(v)
			v2, err2 := aclToDisk(q.x.Value)
			if err1 != nil || err2 != nil || !bytes.Equal(v1, v2) {
				t.Fatalf("xattr %s: %.64x, want %.64x", q.x.Name, v, q.x.Value)
			}
			continue
		}
		if !bytes.Equal(v, q.x.Value) {
			t.Fatalf("xattr %s: %.64q (%d bytes), want %.64q (%d bytes)", q.x.Name, v, len(v), q.x.Value, len(q.x.Value))
		}
	}
}

type statInfo struct {
	links        int
	major, minor uint32
	size         int64
	mtime        int64
	xattrs       int
	raw          string
}

var (
	reInode = regexp.MustCompile(`^Inode: (\d+) `)
	reLinks = regexp.MustCompile(`^Links: (\d+) `)
	reSize  = regexp.MustCompile(`Size: (\d+)$`)
	reDev   = regexp.MustCompile(`^(?:\(New-style\) )?Device major/minor number: \d+:\d+ \(hex ([0-9a-f]+):([0-9a-f]+)\)`)
	reMtime = regexp.MustCompile(`^ *mtime: 0x([0-9a-f]+):([0-9a-f]+)`)
	reEA    = regexp.MustCompile(`^  \S.* \(\d+\)( = |$)`)
)

func parseStats(out string) map[uint32]*statInfo {
	res := map[uint32]*statInfo{}
	var cur *statInfo
	inEA := false
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		l := sc.Text()
		if m := reInode.FindStringSubmatch(l); m != nil {
			v, _ := strconv.Atoi(m[1])
			cur = &statInfo{}
			res[uint32(v)] = cur
		}
		if cur == nil {
			continue
		}
		cur.raw += l + "\n"
		if m := reLinks.FindStringSubmatch(l); m != nil {
			cur.links, _ = strconv.Atoi(m[1])
		}
		if strings.HasPrefix(l, "User:") {
			if m := reSize.FindStringSubmatch(l); m != nil {
				cur.size, _ = strconv.ParseInt(m[1], 10, 64)
			}
		}
		if m := reDev.FindStringSubmatch(l); m != nil {
			a, _ := strconv.ParseUint(m[1], 16, 32)
			b, _ := strconv.ParseUint(m[2], 16, 32)
			cur.major, cur.minor = uint32(a), uint32(b)
		}
		if m := reMtime.FindStringSubmatch(l); m != nil {
			lo, _ := strconv.ParseUint(m[1], 16, 32)
			ex, _ := strconv.ParseUint(m[2], 16, 32)
			cur.mtime = int64(int32(uint32(lo))) + int64(ex&3)<<32
		}
		if strings.HasPrefix(l, "debugfs: ") {
			inEA = strings.HasPrefix(l, "debugfs: ea_list")
		}
		if inEA && reEA.MatchString(l) {
			cur.xattrs++
		}
	}
	return res
}

// compareRdump extracts the filesystem with debugfs rdump and compares
// names, file contents, symlink targets and permission bits.
func compareRdump(t testing.TB, img string, tree *fstree.Tree) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	if err := os.Mkdir(out, 0755); err != nil {
		t.Fatal(err)
	}
	debugfs(t, img, []string{"rdump / " + out})
	var cmp func(d *fstree.Inode, path string)
	cmp = func(d *fstree.Inode, path string) {
		ents, err := os.ReadDir(path)
		if err != nil {
			t.Fatalf("rdump: %v", err)
		}
		want := 0
		for _, e := range d.Entries {
			switch e.Inode.Kind {
			case fstree.File, fstree.Dir, fstree.Symlink:
				want++
			}
		}
		if d == tree.Root && d.Lookup("lost+found") == nil {
			want++
		}
		if len(ents) != want {
			t.Fatalf("rdump %s: %d entries, want %d", path, len(ents), want)
		}
		for _, e := range d.Entries {
			p := filepath.Join(path, e.Name)
			in := e.Inode
			switch in.Kind {
			case fstree.File:
				if err := sameContent(p, in); err != nil {
					t.Fatalf("rdump %s: %v", p, err)
				}
			case fstree.Symlink:
				got, err := os.Readlink(p)
				if err != nil || got != in.Target {
					t.Fatalf("rdump %s: symlink %q (%v), want %q", p, got, err, in.Target)
				}
				continue
			case fstree.Dir:
				cmp(in, p)
			default:
				continue
			}
			st, err := os.Lstat(p)
			if err != nil {
				t.Fatal(err)
			}
			if perm := uint32(st.Mode().Perm()); perm != in.Mode&0777 {
				t.Fatalf("rdump %s: mode %o, want %o", p, perm, in.Mode&0777)
			}
		}
	}
	cmp(tree.Root, out)
}

// sameContent compares the file at path with an inode's data in chunks.
func sameContent(path string, in *fstree.Inode) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := in.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() != in.Size {
		return fmt.Errorf("size %d, want %d", st.Size(), in.Size)
	}
	a, b := make([]byte, 1<<20), make([]byte, 1<<20)
	for off := int64(0); off < in.Size; off += int64(len(a)) {
		n := min(int64(len(a)), in.Size-off)
		if _, err := f.ReadAt(a[:n], off); err != nil && err != io.EOF {
			return err
		}
		if _, err := r.ReadAt(b[:n], off); err != nil && err != io.EOF {
			return err
		}
		if !bytes.Equal(a[:n], b[:n]) {
			return fmt.Errorf("content differs in [%d, %d)", off, off+n)
		}
	}
	return nil
}
