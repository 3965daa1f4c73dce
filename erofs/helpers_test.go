package erofs

import (
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testtree"
	"github.com/gorepart/gorepart/internal/testutil"
)

// writeImage writes t into a file in dir and returns its path and size.
func writeImage(t testing.TB, dir string, tr *fstree.Tree, p Params) (string, int64) {
	t.Helper()
	var size int64
	img := testutil.WriteImage(t, filepath.Join(dir, "img.erofs"), 0, func(w io.WriterAt) (int64, error) {
		var err error
		size, err = Write(w, tr, p)
		return size, err
	})
	return img, size
}

// fsckExtract runs fsck.erofs --extract and returns the directory.
func fsckExtract(t testing.TB, img, dir string) string {
	t.Helper()
	fsck := testutil.Tool(t, "fsck.erofs", "erofs-utils")
	out := filepath.Join(dir, "x")
	cmd := exec.Command(fsck, "--extract="+out, img)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("fsck.erofs --extract: %v\n%s", err, b)
	}
	return out
}

// compareExtracted checks that dir holds tr: kinds, modes, owners, mtimes,
// contents, symlink targets and device numbers.
func compareExtracted(tr *fstree.Tree, dir string) error {
	if err := compareNode(tr.Root, dir, "/"); err != nil {
		return err
	}
	return fstree.Walk(tr.Root, func(p string, e *fstree.Entry) error {
		return compareNode(e.Inode, filepath.Join(dir, p), p)
	})
}

// compareNode checks one path: what testtree.CheckExtracted checks, then
// modes and, of files and special files, mtimes to the nanosecond.
func compareNode(in *fstree.Inode, path, name string) error {
	st, err := testtree.CheckExtracted(in, path, name)
	if err != nil {
		return err
	}
	// fsck.erofs 1.5 chmods before it lchowns, and chown clears setuid
	// and setgid of non-directories: those bits are checked by the readers.
	modeMask := uint32(07777)
	if in.Kind != fstree.Dir {
		modeMask = 01777
	}
	if in.Kind != fstree.Symlink && st.Mode&modeMask != in.Mode&modeMask {
		return fmt.Errorf("%s: mode %o, want %o", name, st.Mode&07777, in.Mode)
	}
	if in.Kind != fstree.Symlink && in.Kind != fstree.Dir && (st.Mtim.Sec != in.Mtime.Unix() || st.Mtim.Nsec != int64(in.Mtime.Nanosecond())) {
		return fmt.Errorf("%s: mtime %d.%09d, want %v", name, st.Mtim.Sec, st.Mtim.Nsec, in.Mtime)
	}
	return nil
}

// checkHardlinks asks dump.erofs for the nid and link count of every path
// of an inode with several names: they must share one nid, and nlink must
// be the number of names.
func checkHardlinks(t testing.TB, img string, tr *fstree.Tree) error {
	dump := testutil.Tool(t, "dump.erofs", "erofs-utils")
	paths := map[*fstree.Inode][]string{}
	fstree.Walk(tr.Root, func(p string, e *fstree.Entry) error {
		if e.Inode.Kind != fstree.Dir {
			paths[e.Inode] = append(paths[e.Inode], p)
		}
		return nil
	})
	for _, ps := range paths {
		if len(ps) < 2 {
			continue
		}
		var first string
		for _, p := range ps {
			out, err := exec.Command(dump, "--path=/"+p, img).CombinedOutput()
			if err != nil {
				return fmt.Errorf("dump.erofs --path=/%s: %v\n%s", p, err, out)
			}
			var nid, links string
			for _, l := range bytes.Split(out, []byte("\n")) {
				f := bytes.Fields(l)
				for i := 0; i+1 < len(f); i++ {
					switch string(f[i]) {
					case "NID:":
						nid = string(f[i+1])
					case "Links:":
						links = string(f[i+1])
					}
				}
			}
			if links != fmt.Sprint(len(ps)) {
				return fmt.Errorf("%s: dump.erofs says %s links, want %d\n%s", p, links, len(ps), out)
			}
			if first == "" {
				first = nid
			} else if nid != first {
				return fmt.Errorf("%s: nid %s, but %s has %s", p, nid, ps[0], first)
			}
		}
	}
	return nil
}

func runOut(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out), nil
}
