package fstree

import (
	"fmt"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// apiVFSDirs are excluded (contents only) at the top of the copy source
// and, for a root partition copying to "/", under every line's source
// (repart's APIVFS_TMP_DIRS_NULSTR).
var apiVFSDirs = []string{"proc", "sys", "dev", "tmp", "run", "var/tmp"}

// denyType says what an exclude rule removes, as repart's DenyType.
type denyType uint8

const (
	denyNone     denyType = iota
	denyInode             // the inode itself (and, as a parent, all below it)
	denyContents          // a directory's contents; the directory is kept
)

// devIno identifies a source inode.
type devIno struct{ dev, ino uint64 }

// denylist maps source inodes to exclude rules. Excludes match inodes,
// not path strings (as in repart), so a rule applies however the inode is
// reached. The first rule added for an inode wins.
type denylist map[devIno]denyType

// add excludes root-relative path p (symlinks resolved inside root). A
// path that does not exist excludes nothing.
func (d denylist) add(root, p string, t denyType) error {
	hp, err := chase(root, p, true)
	if err != nil {
		if isNotExist(err) {
			return nil
		}
		return fmt.Errorf("resolving exclude %q: %w", p, err)
	}
	var st unix.Stat_t
	if err := unix.Stat(hp, &st); err != nil {
		return fmt.Errorf("reading exclude %q: %w", hp, err)
	}
	k := devIno{uint64(st.Dev), st.Ino}
	if _, ok := d[k]; !ok {
		d[k] = t
	}
	return nil
}

// lineDeny is the denylist of one copy line: the rules common to all
// lines, then the line's own (first rule wins across both). builtin marks
// the rules of base that come from apiVFSDirs rather than ExcludeFiles=.
type lineDeny struct {
	base, extra denylist
	builtin     map[devIno]bool
}

func (l lineDeny) get(k devIno) denyType {
	if t, ok := l.base[k]; ok {
		return t
	}
	return l.extra[k]
}

// named is the rule for a line's named source and the directories above
// it. The built-in rules keep the host's own /tmp, /run, /proc ... out of
// a tree copied from the host root; they never drop what a line names: a
// CopyFiles=/tmp/x/os-release:/etc/os-release copies the file (repart 262
// drops it without a word).
func (l lineDeny) named(k devIno) denyType {
	if l.builtin[k] {
		return denyNone
	}
	return l.get(k)
}

func (l lineDeny) empty() bool { return len(l.base) == 0 && len(l.extra) == 0 }

// excludeType is the rule a configured exclude path stands for.
func excludeType(p string) denyType {
	if strings.HasSuffix(p, "/") {
		return denyContents
	}
	return denyInode
}

// baseDenylist holds the rules every line shares: the API VFS and
// temporary directories at the top of the copy source, then ExcludeFiles=.
// The set it also returns marks the inodes whose rule is built in.
func baseDenylist(o *BuildOptions) (denylist, map[devIno]bool, error) {
	d := denylist{}
	for _, s := range apiVFSDirs {
		if err := d.add(o.CopySource, s, denyContents); err != nil {
			return nil, nil, err
		}
	}
	builtin := make(map[devIno]bool, len(d))
	for k := range d {
		builtin[k] = true
	}
	for _, e := range o.ExcludeFiles {
		if err := d.add(o.CopySource, e, excludeType(e)); err != nil {
			return nil, nil, err
		}
	}
	return d, builtin, nil
}

// lineDenylist returns the extra rules of one line, or skip when an
// exclude covers the whole line (its source under an ExcludeFiles= path
// or its target under an ExcludeFilesTarget= path).
func lineDenylist(o *BuildOptions, root, source, target string) (denylist, bool, error) {
	for _, e := range o.ExcludeFiles {
		if pathHasPrefix(source, e) {
			return nil, true, nil
		}
	}
	d := denylist{}
	for _, e := range o.ExcludeTargets {
		if pathHasPrefix(target, e) {
			return nil, true, nil
		}
		rest, ok := pathRest(e, target)
		if !ok {
			continue
		}
		if err := d.add(root, path.Join(source, rest), excludeType(e)); err != nil {
			return nil, false, err
		}
	}
	if o.RootPartition && target == "/" {
		for _, m := range o.OtherMountPoints {
			if err := d.add(root, path.Join(source, m), denyContents); err != nil {
				return nil, false, err
			}
		}
		for _, s := range apiVFSDirs {
			if err := d.add(root, path.Join(source, s), denyContents); err != nil {
				return nil, false, err
			}
		}
	}
	return d, false, nil
}

// pathHasPrefix reports whether p equals prefix or lies below it,
// comparing whole components (systemd's path_startswith).
func pathHasPrefix(p, prefix string) bool {
	_, ok := pathRest(p, prefix)
	return ok
}

// pathRest returns p relative to prefix ("" when equal) when p equals
// prefix or lies below it.
func pathRest(p, prefix string) (string, bool) {
	pc, xc := splitPath(p), splitPath(prefix)
	if len(xc) > len(pc) {
		return "", false
	}
	for i := range xc {
		if pc[i] != xc[i] {
			return "", false
		}
	}
	return strings.Join(pc[len(xc):], "/"), true
}
