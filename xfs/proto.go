package xfs

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/mkfs"
)

// protoWriter writes the protofile of a tree (mkfs.xfs(8) "-p protofile"):
// a dummy line, two numbers, then per inode a name (none for the root), a
// mode string (type, u or -, g or -, three octal digits), uid, gid and the
// type's extra tokens: a regular file's source path, a symlink's target, a
// device's major and minor; a directory's entries follow it up to "$".
// Tokens are separated by white space and a token starting with ':'
// comments out the rest of its line, so names and targets holding white
// space, or starting with ':', are refused (checkName).
type protoWriter struct {
	w       *bufio.Writer
	dir     string // where in-memory data and source links go
	version mkfs.Version
	files   int  // temporary files made
	names   int  // entries written
	xattrs  bool // some inode has xattrs
}

// writeProto writes the protofile of t into dir/proto.
func writeProto(t *fstree.Tree, dir string, v mkfs.Version) (*protoWriter, string, error) {
	path := filepath.Join(dir, "proto")
	f, err := os.Create(path)
	if err != nil {
		return nil, "", fmt.Errorf("writing the protofile: %w", err)
	}
	defer f.Close()
	pw := &protoWriter{w: bufio.NewWriterSize(f, 1<<16), dir: dir, version: v}
	pw.w.WriteString("gorepart\n0 0\n")
	if err := pw.inode("/", "", t.Root); err != nil {
		return nil, "", err
	}
	if err := pw.w.Flush(); err != nil {
		return nil, "", fmt.Errorf("writing the protofile: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, "", fmt.Errorf("writing the protofile: %w", err)
	}
	return pw, path, nil
}

// inode writes the line of in (and, for a directory, its entries).
func (pw *protoWriter) inode(p, name string, in *fstree.Inode) error {
	if name != "" {
		if err := checkName(name); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		pw.names++
		pw.w.WriteString(name)
		pw.w.WriteByte(' ')
	}
	if len(in.Xattrs) > 0 {
		if _, err := xattrsOf(in); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		pw.xattrs = true
	}
	var typ byte
	var extra string
	switch in.Kind {
	case fstree.Dir:
		typ = 'd'
	case fstree.File:
		typ = '-'
		src, err := pw.source(p, in)
		if err != nil {
			return err
		}
		extra = " " + src
	case fstree.Symlink:
		if err := checkTarget(in.Target); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		typ, extra = 'l', " "+in.Target
	case fstree.CharDevice, fstree.BlockDevice:
		if in.Major > maxMajor || in.Minor > maxMinor {
			return fmt.Errorf("%s: device %d:%d does not fit xfs's encoding (major up to %d, minor up to %d)", p, in.Major, in.Minor, maxMajor, maxMinor)
		}
		typ = 'c'
		if in.Kind == fstree.BlockDevice {
			typ = 'b'
		}
		extra = fmt.Sprintf(" %d %d", in.Major, in.Minor)
	case fstree.FIFO:
		typ = 'p'
	default:
		return fmt.Errorf("%s: a %v cannot be made from an mkfs.xfs protofile", p, in.Kind)
	}
	fmt.Fprintf(pw.w, "%s %d %d%s\n", modeString(typ, in.Mode), in.UID, in.GID, extra)
	if in.Kind != fstree.Dir {
		return nil
	}
	entries, err := in.List()
	if err != nil {
		return fmt.Errorf("listing %s: %w", p, err)
	}
	for _, e := range entries {
		if err := pw.inode(strings.TrimSuffix(p, "/")+"/"+e.Name, e.Name, e.Inode); err != nil {
			return err
		}
	}
	pw.w.WriteString("$\n")
	return nil
}

// modeString is the protofile mode of an inode: type, set-user-ID,
// set-group-ID, permissions. The sticky bit has no letter; the fix-up
// pass sets it.
func modeString(typ byte, mode uint32) string {
	u, g := byte('-'), byte('-')
	if mode&0o4000 != 0 {
		u = 'u'
	}
	if mode&0o2000 != 0 {
		g = 'g'
	}
	return fmt.Sprintf("%c%c%c%03o", typ, u, g, mode&0o777)
}

// source returns the path mkfs.xfs reads a regular file from: its source
// when that is one protofile token, else a symlink to it, or for data
// held in memory a file written here.
func (pw *protoWriter) source(p string, in *fstree.Inode) (string, error) {
	if in.Size > maxOldFile && pw.version.Release() < releaseProtoCopy {
		return "", fmt.Errorf("%s: %d bytes; mkfs.xfs before xfsprogs 6.13 (this is %s) reads protofile files of less than 2 GiB", p, in.Size, pw.version)
	}
	src := in.SourcePath()
	if src != "" && token(src) {
		return src, nil
	}
	pw.files++
	tmp := filepath.Join(pw.dir, "f"+strconv.Itoa(pw.files))
	var err error
	if src != "" {
		err = os.Symlink(src, tmp)
	} else {
		err = os.WriteFile(tmp, in.Data(), 0o600)
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	return tmp, nil
}

// token reports whether s is read back as one protofile token.
func token(s string) bool {
	return s != "" && s[0] != ':' && !strings.ContainsAny(s, " \t\n")
}

func checkName(name string) error {
	if !token(name) || name == "$" {
		return fmt.Errorf("name %q: mkfs.xfs protofiles cannot hold names with spaces, tabs or newlines, starting with ':', or \"$\"", name)
	}
	if len(name) > 255 {
		return fmt.Errorf("name longer than 255 bytes")
	}
	return nil
}

func checkTarget(t string) error {
	if !token(t) {
		return fmt.Errorf("symlink target %q: mkfs.xfs protofiles cannot hold targets that are empty, hold spaces, tabs or newlines, or start with ':'", t)
	}
	if len(t) > maxSymlink {
		return fmt.Errorf("symlink target of %d bytes, more than xfs's %d", len(t), maxSymlink)
	}
	return nil
}
