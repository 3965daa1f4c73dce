package squashfs

import (
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/treefuzz"
)

// TestReader reads random images with the test reader and checks what
// unsquashfs does not show: inode numbers (depth first, the root last),
// parent and link counts, hardlinks as one inode, the export table,
// every xattr (security.capability too), extended inodes for holes, and
// the index of large directories.
func TestReader(t *testing.T) {
	comps := []string{"gzip", "xz", "lz4", "zstd"}
	sawIndex := false
	for i, seed := range append([]int{-1}, treefuzz.Seeds()...) {
		if seed%4 != 0 && seed >= 0 {
			continue
		}
		p := Params{Compression: comps[i%len(comps)], BlockSize: 4096}
		tr := genTree(int64(seed), 4096)
		if seed < 0 {
			tr = withBigDir(tr)
		}
		img, _ := build(t, t.TempDir(), tr, p)
		b, err := os.ReadFile(img)
		if err != nil {
			t.Fatal(err)
		}
		idx, err := checkImage(b, tr)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		sawIndex = sawIndex || idx
	}
	if !sawIndex {
		t.Error("no tree had an indexed directory")
	}
}

// checkImage compares the image with tr; it reports whether a directory
// had an index.
func checkImage(b []byte, tr *fstree.Tree) (bool, error) {
	im, err := readImage(b)
	if err != nil {
		return false, err
	}
	names := map[*fstree.Inode]uint32{}
	fstree.Walk(tr.Root, func(p string, e *fstree.Entry) error { names[e.Inode]++; return nil })
	c := &imageCheck{im: im, names: names, inos: map[*fstree.Inode]uint32{}, next: 1}
	if c.lookup, err = im.table(im.sb.lookupTable, int(im.sb.inodes), 8); err != nil {
		return false, fmt.Errorf("export table: %w", err)
	}
	root, err := c.inode(inodeRef(im.sb.rootInode), tr.Root, "/", im.sb.inodes)
	if err != nil {
		return false, err
	}
	if root.parent != im.sb.inodes+1 {
		return false, fmt.Errorf("root parent %d, want %d", root.parent, im.sb.inodes+1)
	}
	if err := c.dir(root, tr.Root, "/"); err != nil {
		return false, err
	}
	if c.next != im.sb.inodes {
		return false, fmt.Errorf("%d inodes numbered, superblock says %d", c.next, im.sb.inodes)
	}
	return c.indexed, nil
}

type imageCheck struct {
	im      *image
	names   map[*fstree.Inode]uint32
	inos    map[*fstree.Inode]uint32
	lookup  []byte
	next    uint32
	indexed bool
}

func (c *imageCheck) inode(ref inodeRef, in *fstree.Inode, p string, ino uint32) (*rinode, error) {
	n, err := c.im.inode(ref)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if n.ino != ino {
		return nil, fmt.Errorf("%s: inode number %d, want %d", p, n.ino, ino)
	}
	if got := inodeRef(binary.LittleEndian.Uint64(c.lookup[8*(ino-1):])); got != ref {
		return nil, fmt.Errorf("%s: export table has %x for inode %d, want %x", p, got, ino, ref)
	}
	if uint32(n.mode) != in.Mode || n.mtime != clampTime(in.Mtime) {
		return nil, fmt.Errorf("%s: mode %o mtime %d, want %o %d", p, n.mode, n.mtime, in.Mode, in.Mtime.Unix())
	}
	got, err := c.im.xattrs(n.xattr)
	if err != nil {
		return nil, fmt.Errorf("%s: xattrs: %w", p, err)
	}
	var want []string
	for _, a := range in.Xattrs {
		if xattrPrefix(a.Name) >= 0 {
			want = append(want, a.Name+"="+string(a.Value))
		}
	}
	if !slices.Equal(got, want) {
		return nil, fmt.Errorf("%s: xattrs %q, want %q", p, got, want)
	}
	switch in.Kind {
	case fstree.File:
		if n.nlink != c.names[in] {
			return nil, fmt.Errorf("%s: nlink %d, want %d", p, n.nlink, c.names[in])
		}
		if n.size != uint64(in.Size) {
			return nil, fmt.Errorf("%s: size %d, want %d", p, n.size, in.Size)
		}
		if holes := zeroBlocks(in.Data(), int(c.im.sb.blockSize), n.frag != noFragment); (holes > 0) != (n.sparse > 0) {
			return nil, fmt.Errorf("%s: sparse %d with %d zero blocks", p, n.sparse, holes)
		}
	case fstree.Symlink:
		if n.target != in.Target {
			return nil, fmt.Errorf("%s: target %q", p, n.target)
		}
	case fstree.CharDevice, fstree.BlockDevice:
		if n.rdev != encodeDev(in.Major, in.Minor) {
			return nil, fmt.Errorf("%s: rdev %x", p, n.rdev)
		}
	}
	return n, nil
}

// zeroBlocks counts the all-zero blocks of data that are not its tail
// in a fragment.
func zeroBlocks(data []byte, bs int, frag bool) int {
	n := 0
	for off := 0; off < len(data); off += bs {
		end := min(off+bs, len(data))
		if frag && end-off < bs {
			break
		}
		if allZero(data[off:end]) {
			n++
		}
	}
	return n
}

func (c *imageCheck) dir(n *rinode, d *fstree.Inode, p string) error {
	entries, err := c.im.readDir(n)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	c.indexed = c.indexed || len(n.index) > 0
	if len(entries) != len(d.Entries) {
		return fmt.Errorf("%s: %d entries, want %d", p, len(entries), len(d.Entries))
	}
	subdirs := uint32(0)
	for i, e := range d.Entries {
		re := entries[i]
		cp := p + e.Name + "/"
		if re.name != e.Name || re.typ != basicType(e.Inode.Kind) {
			return fmt.Errorf("%s: entry %q type %d, want %q", p, re.name, re.typ, e.Name)
		}
		if ino, ok := c.inos[e.Inode]; ok {
			if re.ino != ino {
				return fmt.Errorf("%s: hardlink to inode %d, want %d", cp, re.ino, ino)
			}
			continue
		}
		ino := c.next
		c.next++
		c.inos[e.Inode] = ino
		if re.ino != ino {
			return fmt.Errorf("%s: entry inode number %d, want %d", cp, re.ino, ino)
		}
		cn, err := c.inode(re.ref, e.Inode, cp, ino)
		if err != nil {
			return err
		}
		if e.Inode.Kind == fstree.Dir {
			subdirs++
			if cn.parent != n.ino {
				return fmt.Errorf("%s: parent %d, want %d", cp, cn.parent, n.ino)
			}
			if err := c.dir(cn, e.Inode, cp); err != nil {
				return err
			}
		}
	}
	if n.nlink != subdirs+2 {
		return fmt.Errorf("%s: nlink %d, want %d", p, n.nlink, subdirs+2)
	}
	return nil
}
