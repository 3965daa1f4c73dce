package vfat

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testutil"
)

// mtoolsEnv is the environment for mtools: UTC, UTF-8 file names.
func mtoolsEnv() []string {
	return append(os.Environ(), "TZ=UTC", "LC_ALL=C.UTF-8")
}

// writeImage writes t into a new sparse file of size bytes.
func writeImage(t testing.TB, dir string, size int64, tr *fstree.Tree, p Params) string {
	t.Helper()
	return testutil.WriteImage(t, filepath.Join(dir, "fat.img"), size, func(w io.WriterAt) (int64, error) {
		return size, Write(w, size, tr, p)
	})
}

// fsckClean runs fsck.vfat -n and fails on any finding. The warning about a
// FAT32 with few clusters is expected for tiny file systems.
func fsckClean(t testing.TB, img string) {
	t.Helper()
	out, err := exec.Command(testutil.Tool(t, "fsck.vfat", "dosfstools"), "-n", img).CombinedOutput()
	if err != nil {
		t.Fatalf("fsck.vfat -n %s: %v\n%s", img, err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		switch {
		case l == "", strings.HasPrefix(l, "fsck.fat "), strings.HasPrefix(l, "Checking we can access"),
			strings.HasPrefix(l, "Warning: Filesystem is FAT32 according to fat_length"),
			strings.HasPrefix(l, "  but has only"), strings.HasPrefix(l, "  This may lead to problems"),
			strings.Contains(l, " files, ") && strings.Contains(l, " clusters"):
		default:
			t.Fatalf("fsck.vfat -n %s reports: %q\n%s", img, l, out)
		}
	}
}

// expected lists every file and directory the image must hold (paths with
// a leading slash), skipping what FAT cannot store.
func expected(tr *fstree.Tree) map[string]*fstree.Inode {
	m := map[string]*fstree.Inode{}
	fstree.Walk(tr.Root, func(p string, e *fstree.Entry) error {
		if e.Inode.Kind == fstree.File || e.Inode.Kind == fstree.Dir {
			m["/"+p] = e.Inode
		}
		return nil
	})
	// Entries below a skipped node cannot exist; Walk only descends dirs.
	return m
}

// mtoolsCheck extracts the image with mcopy -s -m and compares names,
// contents and modification times with the tree; it also checks that mdir
// lists every long name.
func mtoolsCheck(t testing.TB, img string, tr *fstree.Tree) {
	t.Helper()
	out := t.TempDir()
	cmd := exec.Command(testutil.Tool(t, "mcopy", "mtools"), "-s", "-m", "-n", "-i", img, "::/", out+"/")
	cmd.Env = mtoolsEnv()
	if o, err := cmd.CombinedOutput(); err != nil || len(o) > 0 {
		t.Fatalf("mcopy -s -i %s: %v\n%s", img, err, o)
	}
	got := map[string]os.FileInfo{}
	filepath.Walk(out, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == out {
			return err
		}
		got[strings.TrimPrefix(p, out)] = fi
		return nil
	})
	want := expected(tr)
	var missing, extra []string
	for p := range want {
		if got[p] == nil {
			missing = append(missing, p)
		}
	}
	for p := range got {
		if want[p] == nil {
			extra = append(extra, p)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("mcopy of %s: missing %q, extra %q", img, head(missing), head(extra))
	}
	for p, in := range want {
		fi := got[p]
		if (in.Kind == fstree.Dir) != fi.IsDir() {
			t.Fatalf("%s: directory %v in tree, %v in image", p, in.Kind == fstree.Dir, fi.IsDir())
		}
		if in.Kind == fstree.Dir {
			continue
		}
		data, err := os.ReadFile(filepath.Join(out, p))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, treeData(t, in)) {
			t.Fatalf("%s: content differs (%d bytes read back, %d in tree)", p, len(data), in.Size)
		}
		if w := fatRounded(in.Mtime); !fi.ModTime().Equal(w) {
			t.Fatalf("%s: mtime %v, want %v", p, fi.ModTime().UTC(), w)
		}
	}
	// mdir -/ lists long names in its last column (and fails on an empty
	// root directory, even one made by mkfs.fat).
	if len(want) == 0 {
		return
	}
	cmd = exec.Command(testutil.Tool(t, "mdir", "mtools"), "-/", "-a", "-i", img, "::")
	cmd.Env = mtoolsEnv()
	listing, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mdir -/ -i %s: %v\n%s", img, err, listing)
	}
	for p := range want {
		name := p[strings.LastIndexByte(p, '/')+1:]
		if base, ext, exact := shortBasis(name); exact {
			// Short-only names are listed as "BASE     EXT".
			name = strings.TrimSpace(fmt.Sprintf("%-8s %s", base, ext))
		}
		if !bytes.Contains(listing, []byte(name)) {
			t.Fatalf("mdir -/ does not list %q", p)
		}
	}
}

func head(s []string) []string {
	if len(s) > 5 {
		return append(s[:5:5], fmt.Sprintf("... %d more", len(s)-5))
	}
	return s
}

// treeData returns a file's bytes from the tree.
func treeData(t testing.TB, in *fstree.Inode) []byte {
	if !in.HasSource() {
		return in.Data()
	}
	b, err := os.ReadFile(in.SourcePath())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fatRounded is t as FAT stores a modification time.
func fatRounded(t time.Time) time.Time {
	t = t.UTC()
	switch {
	case t.Year() < 1980:
		return time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	case t.Year() > 2107:
		return time.Date(2107, 12, 31, 23, 59, 58, 0, time.UTC)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second()&^1, 0, time.UTC)
}
