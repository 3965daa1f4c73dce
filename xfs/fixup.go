package xfs

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/mkfs"
)

// errTooSmall marks a build that failed for want of space (or of
// contiguous space): a larger size may work.
var errTooSmall = errors.New("filesystem too small for the tree")

// fixup completes what a protofile cannot say, in the image mkfs.xfs made:
// the xattrs (set with xfs_db), then every inode's times (the tree's
// Mtime as atime, mtime, ctime and crtime; Params.Time for the inodes
// mkfs.xfs adds) and its sticky bit, written into the inode with its CRC
// recomputed. On the way it checks that every inode has the tree's type,
// owner, size and xattrs, and before xfsprogs 6.13 that every file got all
// its blocks (see doc.go).
func (pl *Plan) fixup(img *os.File, size int64) error {
	sb, err := readSuper(img)
	if err != nil {
		return err
	}
	if pl.version.Release() < releaseProtoCopy {
		if err := sb.checkAGs(img, size); err != nil {
			return err
		}
	}
	inos, err := pl.ncheck(img.Name())
	if err != nil {
		return err
	}
	if len(inos) != pl.names {
		return fmt.Errorf("checking the image: xfs_db lists %d names, the tree has %d", len(inos), pl.names)
	}
	lookup := func(p string) (uint64, error) {
		if p == "" {
			return sb.rootIno, nil
		}
		ino, ok := inos[p]
		if !ok {
			return 0, fmt.Errorf("checking the image: /%s is missing", p)
		}
		return ino, nil
	}
	if pl.xattrs {
		if err := pl.setXattrs(img, sb, lookup); err != nil {
			return err
		}
	}
	fx := &fixer{pl: pl, img: img, sb: sb, buf: make(dinode, sb.inodeSize)}
	if err := fx.patch(sb.rootIno, "/", pl.t.Root); err != nil {
		return err
	}
	err = fstree.Walk(pl.t.Root, func(p string, e *fstree.Entry) error {
		ino, err := lookup(p)
		if err != nil {
			return err
		}
		return fx.patch(ino, "/"+p, e.Inode)
	})
	if err != nil {
		return err
	}
	for _, ino := range sb.others {
		if err := fx.patchOther(ino); err != nil {
			return err
		}
	}
	return nil
}

// ncheck lists the inode of every name: xfs_db's ncheck prints "ino path"
// per name, paths relative to the root, directories as "path/.".
func (pl *Plan) ncheck(img string) (map[string]uint64, error) {
	var out bytes.Buffer
	if err := pl.runDB(img, false, &out, "blockget -n", "ncheck"); err != nil {
		return nil, err
	}
	inos := make(map[string]uint64, pl.names)
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		num, p, ok := strings.Cut(strings.TrimLeft(sc.Text(), " "), " ")
		ino, err := strconv.ParseUint(num, 10, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("reading xfs_db ncheck: %q", sc.Text())
		}
		inos[strings.TrimSuffix(p, "/.")] = ino
	}
	return inos, sc.Err()
}

// runDB runs xfs_db on img (-x: writable) with the given commands.
func (pl *Plan) runDB(img string, write bool, stdout *bytes.Buffer, cmds ...string) error {
	args := []string{"-f"}
	if write {
		args = append(args, "-x")
	} else {
		args = append(args, "-r")
	}
	for _, c := range cmds {
		args = append(args, "-c", c)
	}
	c := mkfs.Cmd{Path: pl.db, Args: append(args, img), Env: pl.env()}
	if stdout != nil {
		c.Stdout = stdout
	}
	if err := c.Run(); err != nil {
		return fmt.Errorf("checking the image: %w", err)
	}
	return nil
}

// setXattrs sets the tree's xattrs. xfs_db's attr_set makes each with a
// placeholder value of the right length ('v's; at least one byte, as a
// value of none means "remove" to xfsprogs 6.1's attr_set), which lets
// libxfs lay the attribute fork out (in the inode, or in one leaf block);
// the values are then written over the placeholders here (leaf.go).
//
// attr_set parses its options with getopt but, unlike most xfs_db
// commands, does not reset optind (xfsprogs 6.1), so a command with fewer
// words than the one before loses its options or is refused. A bmap,
// which resets it, goes before each.
func (pl *Plan) setXattrs(img *os.File, sb *super, lookup func(string) (uint64, error)) error {
	type job struct {
		ino uint64
		xs  []xattr
	}
	var jobs []job
	add := func(p string, in *fstree.Inode) error {
		xs, err := xattrsOf(in)
		if err != nil || len(xs) == 0 {
			return err
		}
		ino, err := lookup(p)
		if err != nil {
			return err
		}
		jobs = append(jobs, job{ino, xs})
		return nil
	}
	if err := add("", pl.t.Root); err != nil {
		return err
	}
	err := fstree.Walk(pl.t.Root, func(p string, e *fstree.Entry) error { return add(p, e.Inode) })
	if err != nil {
		return err
	}
	var set bytes.Buffer
	for _, j := range jobs {
		fmt.Fprintf(&set, "inode %d\n", j.ino)
		for _, x := range j.xs {
			fmt.Fprintf(&set, "bmap\nattr_set %s-v %d %s\n", dbFlag(x.flags), max(len(x.value), 1), x.name)
		}
	}
	if err := pl.runScript(img.Name(), set.Bytes()); err != nil {
		return err
	}
	fx := &fixer{pl: pl, img: img, sb: sb, buf: make(dinode, sb.inodeSize)}
	for _, j := range jobs {
		if err := fx.read(j.ino); err != nil {
			return err
		}
		st, err := fx.loadAttrs()
		if err == nil {
			err = st.setValues(j.xs)
		}
		if err == nil {
			err = st.storeLeaf(img)
		}
		if err != nil {
			return fmt.Errorf("setting the %d xattrs of inode %d: %w", len(j.xs), j.ino, err)
		}
		if err := fx.write(j.ino); err != nil {
			return err
		}
	}
	return nil
}

func indexOf(xs []xattr, x xattr) int {
	for i, y := range xs {
		if y.flags == x.flags && y.name == x.name {
			return i
		}
	}
	return -1
}

// runScript runs an xfs_db script from a file (its "source" command).
func (pl *Plan) runScript(img string, script []byte) error {
	f := filepath.Join(pl.dir, "script")
	if err := os.WriteFile(f, script, 0o600); err != nil {
		return fmt.Errorf("writing an xfs_db script: %w", err)
	}
	defer os.Remove(f)
	return pl.runDB(img, true, nil, "source "+f)
}

// fixer patches the inodes of one image.
type fixer struct {
	pl  *Plan
	img *os.File
	sb  *super
	buf dinode
}

func (fx *fixer) read(ino uint64) error {
	if _, err := fx.img.ReadAt(fx.buf, fx.sb.inodeOffset(ino)); err != nil {
		return fmt.Errorf("reading inode %d: %w", ino, err)
	}
	return fx.buf.check(ino)
}

func (fx *fixer) write(ino uint64) error {
	fx.buf.seal()
	if _, err := fx.img.WriteAt(fx.buf, fx.sb.inodeOffset(ino)); err != nil {
		return fmt.Errorf("writing inode %d: %w", ino, err)
	}
	return nil
}

// patch checks inode ino against the tree's inode in and gives it its
// mode and times.
func (fx *fixer) patch(ino uint64, p string, in *fstree.Inode) error {
	if err := fx.read(ino); err != nil {
		return err
	}
	d := fx.buf
	if err := fx.verify(p, in); err != nil {
		return err
	}
	d.setMode(in.Mode)
	if d.setTimes(in.Mtime, true) {
		fx.pl.p.warn("%s: time %s outside xfs's range, clamped", p, in.Mtime.UTC().Format(time.RFC3339))
	}
	return fx.write(ino)
}

// patchOther gives an inode mkfs.xfs made for itself Params.Time; the
// realtime bitmap's atime, a sequence number for the allocator, is kept.
func (fx *fixer) patchOther(ino uint64) error {
	if err := fx.read(ino); err != nil {
		return err
	}
	fx.buf.setTimes(fx.pl.p.Time, ino != fx.sb.rbmIno)
	return fx.write(ino)
}

// verify compares an inode mkfs.xfs made with the tree's.
func (fx *fixer) verify(p string, in *fstree.Inode) error {
	d := fx.buf
	if typ := d.u16(diMode) & 0o170000; typ != modeType(in.Kind) {
		return fmt.Errorf("checking the image: %s has type %#o, want a %v", p, typ, in.Kind)
	}
	if d.u32(diUID) != in.UID || d.u32(diGID) != in.GID {
		return fmt.Errorf("checking the image: %s is owned by %d:%d, want %d:%d", p, d.u32(diUID), d.u32(diGID), in.UID, in.GID)
	}
	switch in.Kind {
	case fstree.File:
		if size := int64(d.u64(diSize)); size != in.Size {
			return fmt.Errorf("checking the image: %s has %d bytes, want %d", p, size, in.Size)
		}
		if fx.pl.version.Release() < releaseProtoCopy {
			// mkfs.xfs 6.1 writes a file's blocks from the start of the
			// one extent it got, however short: all the blocks or the
			// neighbours' were overwritten.
			want := (in.Size + fx.sb.blockSize - 1) / fx.sb.blockSize
			if got := int64(d.u64(diNblocks)); got != want || d.nextents() > 1 {
				return fmt.Errorf("%s: mkfs.xfs found %d contiguous blocks of the %d it needs (%d extents): %w", p, got, want, d.nextents(), errTooSmall)
			}
		}
	case fstree.Symlink:
		if size := int(d.u64(diSize)); size != len(in.Target) {
			return fmt.Errorf("checking the image: symlink %s has %d bytes, want %d", p, size, len(in.Target))
		}
		if d.v3() && d[diFormat] != fmtLocal && fx.pl.version.Release() < releaseProtoCopy {
			return fmt.Errorf("%s: a symlink target of %d bytes does not fit in the inode, and mkfs.xfs before xfsprogs 6.13 (this is %s) writes longer ones without their block header (xfs_repair clears them)",
				p, len(in.Target), fx.pl.version)
		}
	}
	return fx.verifyXattrs(p, in)
}

func (fx *fixer) verifyXattrs(p string, in *fstree.Inode) error {
	want, err := xattrsOf(in)
	if err != nil {
		return err
	}
	st, err := fx.loadAttrs()
	if err != nil {
		return fmt.Errorf("checking the image: the xattrs of %s: %w", p, err)
	}
	got := st.xs
	if len(got) != len(want) {
		return fmt.Errorf("checking the image: %s has %d xattrs, want %d", p, len(got), len(want))
	}
	for _, x := range want {
		i := indexOf(got, x)
		if i < 0 || !bytes.Equal(got[i].value, x.value) {
			return fmt.Errorf("checking the image: %s: xattr %s not set", p, x.name)
		}
	}
	return nil
}

// modeType is the S_IFMT bits of a kind the protofile can make.
func modeType(k fstree.Kind) uint16 {
	switch k {
	case fstree.Dir:
		return 0o040000
	case fstree.File:
		return 0o100000
	case fstree.Symlink:
		return 0o120000
	case fstree.CharDevice:
		return 0o020000
	case fstree.BlockDevice:
		return 0o060000
	case fstree.FIFO:
		return 0o010000
	}
	return 0
}
