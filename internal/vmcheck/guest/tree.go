package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gorepart/gorepart/internal/vmcheck/job"
	"golang.org/x/sys/unix"
)

// checkTree checks the files, symlinks, modes, owners, directories and
// absent paths the job lists, in sorted order.
func checkTree(r *reporter, pre, mnt string, p job.Partition) {
	t := newTally(r, pre)
	listings := map[string]map[string]bool{}
	for _, path := range sorted(p.Files) {
		checkFile(t, mnt, path, p.Files[path], p.ExactCase, listings)
	}
	for _, path := range sorted(p.Symlinks) {
		full := filepath.Join(mnt, path)
		want := p.Symlinks[path]
		switch st, err := lstat(full); {
		case err != nil:
			t.fail("symlink %q: %v", path, err)
		case st.Mode&unix.S_IFMT != unix.S_IFLNK:
			t.fail("symlink %q: not a symlink (mode %o)", path, st.Mode)
		default:
			got, err := os.Readlink(full)
			if err != nil {
				t.fail("symlink %q: %v", path, err)
			} else if got != want {
				t.fail("symlink %q -> %q, want %q", path, got, want)
			} else {
				t.ok("symlink targets ok")
			}
		}
	}
	for _, path := range sorted(p.Modes) {
		want := p.Modes[path]
		if st, err := lstat(filepath.Join(mnt, path)); err != nil {
			t.fail("mode %q: %v", path, err)
		} else if got := st.Mode & 0o7777; got != want {
			t.fail("mode %q is %04o, want %04o", path, got, want)
		} else {
			t.ok("modes ok")
		}
	}
	for _, path := range sorted(p.Owners) {
		want := p.Owners[path]
		if st, err := lstat(filepath.Join(mnt, path)); err != nil {
			t.fail("owner %q: %v", path, err)
		} else if got := fmt.Sprintf("%d:%d", st.Uid, st.Gid); got != want {
			t.fail("owner %q is %s, want %s", path, got, want)
		} else {
			t.ok("owners ok")
		}
	}
	for _, path := range p.Dirs {
		if st, err := lstat(filepath.Join(mnt, path)); err != nil {
			t.fail("dir %q: %v", path, err)
		} else if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			t.fail("dir %q: not a directory (mode %o)", path, st.Mode)
		} else {
			t.ok("directories ok")
		}
	}
	for _, path := range p.Absent {
		_, err := lstat(filepath.Join(mnt, path))
		switch {
		case err == nil:
			t.fail("%q exists but must be absent", path)
		case errors.Is(err, unix.ENOENT), errors.Is(err, unix.ENOTDIR):
			t.ok("absent paths absent")
		default:
			t.fail("absent %q: %v", path, err)
		}
	}
	t.flush()
}

func checkFile(t *tally, mnt, path, want string, exactCase bool, listings map[string]map[string]bool) {
	full := filepath.Join(mnt, path)
	st, err := lstat(full)
	switch {
	case err != nil:
		t.fail("file %q: %v", path, err)
		return
	case st.Mode&unix.S_IFMT == unix.S_IFLNK:
		t.fail("file %q: is a symlink", path)
		return
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		t.fail("file %q: not a regular file (mode %o)", path, st.Mode)
		return
	}
	if exactCase {
		dir, base := filepath.Split(full)
		names, ok := listings[dir]
		if !ok {
			names = map[string]bool{}
			if ents, err := os.ReadDir(dir); err == nil {
				for _, e := range ents {
					names[e.Name()] = true
				}
			}
			listings[dir] = names
		}
		if !names[base] {
			var near []string
			for n := range names {
				if strings.EqualFold(n, base) {
					near = append(near, n)
				}
			}
			sort.Strings(near)
			t.fail("file %q: not listed with that case in its directory (listed: %q)", path, near)
			return
		}
		t.ok("names listed with exact case")
	}
	f, err := os.Open(full)
	if err != nil {
		t.fail("file %q: %v", path, err)
		return
	}
	h := sha256.New()
	_, err = io.Copy(h, f)
	f.Close()
	if err != nil {
		t.fail("file %q: read error: %v", path, err)
		return
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		t.fail("file %q: sha256 %s, want %s", path, got, want)
		return
	}
	t.ok("files sha256 ok")
}

func lstat(path string) (*unix.Stat_t, error) {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

func sorted[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
