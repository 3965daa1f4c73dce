package testutil

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/vmcheck"
)

// DirContents fills p's files (sha256), symlinks, modes and directories
// from a source directory, as a filesystem copied from it must hold them.
func DirContents(t testing.TB, p *vmcheck.Partition, dir string) *vmcheck.Partition {
	t.Helper()
	initContents(p)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		info, err := os.Lstat(path)
		if err != nil {
			return err
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			p.Symlinks[rel], err = os.Readlink(path)
			return err
		case info.IsDir():
			p.Dirs = append(p.Dirs, rel)
		case info.Mode().IsRegular():
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			if p.Files[rel], err = sha256Hex(f); err != nil {
				return err
			}
		}
		p.Modes[rel] = mode(info.Mode())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TreeContents fills p's files, symlinks, modes, owners and directories
// from every every-th entry of a content tree (1: all). Paths that are
// not valid UTF-8 cannot be named in the spec: the guest still reads
// them in its walk.
func TreeContents(t testing.TB, p *vmcheck.Partition, tr *fstree.Tree, every int) *vmcheck.Partition {
	t.Helper()
	initContents(p)
	n := 0
	err := fstree.Walk(tr.Root, func(path string, e *fstree.Entry) error {
		if n++; n%every != 0 || !utf8.ValidString(path) {
			return nil
		}
		in := e.Inode
		p.Owners[path] = fmt.Sprintf("%d:%d", in.UID, in.GID)
		switch in.Kind {
		case fstree.Symlink:
			p.Symlinks[path] = in.Target
			return nil
		case fstree.Dir:
			p.Dirs = append(p.Dirs, path)
		case fstree.File:
			f, err := in.Open()
			if err != nil {
				return err
			}
			defer f.Close()
			if p.Files[path], err = sha256Hex(io.LimitReader(f, in.Size)); err != nil {
				return err
			}
		}
		p.Modes[path] = fmt.Sprintf("%04o", in.Mode)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func initContents(p *vmcheck.Partition) {
	if p.Files == nil {
		p.Files = map[string]string{}
	}
	if p.Symlinks == nil {
		p.Symlinks = map[string]string{}
	}
	if p.Modes == nil {
		p.Modes = map[string]string{}
	}
	if p.Owners == nil {
		p.Owners = map[string]string{}
	}
}

// mode is the permission bits of an fs.FileMode in the spec's octal.
func mode(m fs.FileMode) string {
	bits := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		bits |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		bits |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		bits |= 0o1000
	}
	return fmt.Sprintf("%04o", bits)
}

func sha256Hex(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
