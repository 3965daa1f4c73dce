package fstree

import (
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBuildMatchesFind cross-checks the scan against GNU find on the same
// source: every path, type, permission bits, owner, mtime to the
// nanosecond, file size and symlink target, and the hardlink groups
// (KeepHardlinks) against find's inode numbers.
func TestBuildMatchesFind(t *testing.T) {
	find, err := exec.LookPath("find")
	if err != nil {
		t.Fatalf("find not found (install findutils): %v", err)
	}
	root := t.TempDir()
	fwd := make([]int, len(detSpec))
	for i := range fwd {
		fwd[i] = i
	}
	makeSpec(t, root, fwd)
	r := rand.New(rand.NewPCG(7, 7))
	randomTree(r, 3).write(t, filepath.Join(root, "random"))

	out, err := exec.Command(find, root, "-mindepth", "1", "-printf", "/%P\t%y\t%m\t%U:%G\t%T@\t%s\t%i\t%l\n").Output()
	if err != nil {
		t.Fatalf("find: %v", err)
	}
	var want []string
	inodes := map[string]string{} // path -> find's inode number
	for _, l := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		f := strings.Split(l, "\t")
		if len(f) != 8 {
			t.Fatalf("find line %q", l)
		}
		p, typ, mode, owner, mtime, size, ino, target := f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]
		m, err := strconv.ParseUint(mode, 8, 32)
		if err != nil {
			t.Fatal(err)
		}
		line := fmt.Sprintf("%s %s %04o %s %s", p, findKind(typ), m, owner, findTime(t, mtime))
		switch typ {
		case "f":
			line += " size=" + size
		case "l":
			line += " ->" + target
		}
		want = append(want, line)
		inodes[p] = ino
	}
	slices.Sort(want)

	o := BuildOptions{Copies: []Copy{cp("/", "/")}, CopySource: root, Owner: OwnerKeep, KeepHardlinks: true}
	tree, w, err := Build(o)
	if err != nil || len(w) != 0 {
		t.Fatalf("Build: %v %v", err, w)
	}
	checkSpilled(t, o, tree, w)
	var got []string
	byInode := map[*Inode]string{}
	_ = Walk(tree.Root, func(p string, e *Entry) error {
		n := e.Inode
		line := fmt.Sprintf("/%s %s %04o %d:%d %s", p, n.Kind, n.Mode, n.UID, n.GID, n.Mtime.Format(time.RFC3339Nano))
		switch n.Kind {
		case File:
			line += fmt.Sprintf(" size=%d", n.Size)
		case Symlink:
			line += " ->" + n.Target
		}
		got = append(got, line)
		// Same *Inode exactly when find reports the same inode number.
		if n.Kind != Dir {
			if q, ok := byInode[n]; ok && inodes[q] != inodes["/"+p] {
				t.Errorf("/%s and %s share an inode but are not hardlinks", p, q)
			}
			byInode[n] = "/" + p
		}
		return nil
	})
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("tree differs from find:\n%s", diffLines(want, got))
	}
	groups := map[string]int{}
	for p, ino := range inodes {
		if e := entryAt(tree, p); e != nil && e.Inode.Kind != Dir {
			groups[ino]++
		}
	}
	nGroups := 0
	for _, n := range groups {
		if n > 1 {
			nGroups++
		}
	}
	if s := summarize(t, tree); int(s.HardlinkGroups) != nGroups || nGroups == 0 {
		t.Errorf("hardlink groups: tree %d, find %d", s.HardlinkGroups, nGroups)
	}
}

func findKind(y string) Kind {
	switch y {
	case "f":
		return File
	case "d":
		return Dir
	case "l":
		return Symlink
	case "c":
		return CharDevice
	case "b":
		return BlockDevice
	case "p":
		return FIFO
	case "s":
		return Socket
	}
	return Kind(255)
}

// findTime turns find's %T@ ("1234.5678901230") into RFC 3339 in UTC.
func findTime(t *testing.T, s string) string {
	t.Helper()
	sec, frac, _ := strings.Cut(s, ".")
	frac = (frac + "000000000")[:9]
	secs, err1 := strconv.ParseInt(sec, 10, 64)
	ns, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("find time %q", s)
	}
	return time.Unix(secs, ns).UTC().Format(time.RFC3339Nano)
}
