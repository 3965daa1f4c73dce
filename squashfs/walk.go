package squashfs

import (
	"errors"
	"fmt"
	"math"
	"path"
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// The metadata walk writes the inode and directory tables as mksquashfs's
// dir_scan6 and dir_scan7 do. Inode numbers are given in a depth-first
// walk with names in byte order, an entry getting its number when it is
// met and a directory's entries being numbered right after it; the root
// gets the last number (the inode count) and its parent field the count
// plus one. Inodes are written in the same walk, a directory after its
// entries (it lists their references), so the inode of a file is written
// when the walk meets it, once the pipeline has stored its data. An inode
// with several names is written at its first name; the later names refer
// to it.

// metaWalk is the state of the metadata walk.
type metaWalk struct {
	pl      *Plan
	inodes  *metaWriter
	dirs    *metaWriter
	xattrs  *xattrTable
	ids     idTable
	results <-chan fileData
	next    uint32
	lookup  []byte // inode references by inode number (the export table)
	links   map[fstree.LinkKey]linked
	buf     []byte
}

// linked is a written inode with more names to come.
type linked struct {
	ref inodeRef
	ino uint32
	typ uint16
}

func (w *metaWalk) root() (inodeRef, error) {
	t := w.pl.t
	w.next = 1
	w.lookup = make([]byte, 8*int(w.pl.count))
	w.links = make(map[fstree.LinkKey]linked)
	return w.dir(t.Root, "/", w.pl.count, w.pl.count+1)
}

// dir writes the inodes below d, its listing and its inode.
func (w *metaWalk) dir(d *fstree.Inode, dpath string, ino, parent uint32) (inodeRef, error) {
	list, err := d.List()
	if err != nil {
		return 0, fmt.Errorf("listing %s: %w", dpath, err)
	}
	l := newDirListing()
	for _, e := range list {
		in := e.Inode
		k := in.LinkKey()
		nlink := w.pl.links[k]
		if h, ok := w.links[k]; ok && nlink > 1 {
			l.add(h.ref, h.ino, h.typ, e.Name)
			continue
		}
		if w.next >= w.pl.count {
			return 0, errTreeChanged(dpath)
		}
		cino := w.next
		w.next++
		var ref inodeRef
		typ := basicType(in.Kind)
		if in.Kind == fstree.Dir {
			ref, err = w.dir(in, path.Join(dpath, e.Name), cino, ino)
		} else {
			ref, err = w.leaf(in, path.Join(dpath, e.Name), cino, max(nlink, 1))
		}
		if err != nil {
			return 0, err
		}
		if nlink > 1 {
			w.links[k] = linked{ref: ref, ino: cino, typ: typ}
		}
		l.add(ref, cino, typ, e.Name)
	}
	listing := l.finish()
	if len(l.index) > 0xffff {
		return 0, fmt.Errorf("%s: directory too large for squashfs's 16-bit index count", dpath)
	}
	block, offset := w.dirs.pos()
	if block > math.MaxUint32 {
		return 0, errors.New("directory table larger than 4 GiB")
	}
	marks, err := w.dirs.writeMarked(listing)
	if err != nil {
		return 0, fmt.Errorf("writing directory table: %w", err)
	}
	n, err := w.common(d, ino, uint32(l.subdirs+2))
	if err != nil {
		return 0, err
	}
	n.extended = l.extended()
	di := &dirInode{start: block, offset: offset, size: len(listing) + 3, parent: parent, marks: marks}
	if n.extended || n.xattr != noXattr {
		di.index = l.index
	}
	w.buf = encodeDir(w.buf[:0], n, di)
	return w.put(ino)
}

// leaf writes the inode of anything but a directory.
func (w *metaWalk) leaf(in *fstree.Inode, p string, ino, nlink uint32) (inodeRef, error) {
	n, err := w.common(in, ino, nlink)
	if err != nil {
		return 0, err
	}
	switch in.Kind {
	case fstree.File:
		d, ok := <-w.results
		if !ok {
			return 0, errStopped
		}
		if d.size != in.Size {
			return 0, errTreeChanged(p)
		}
		w.buf = encodeFile(w.buf[:0], n, &d)
	case fstree.Symlink:
		w.buf = encodeSymlink(w.buf[:0], n, in.Target)
	default:
		n.typ = basicType(in.Kind)
		w.buf = encodeSpecial(w.buf[:0], n, encodeDev(in.Major, in.Minor))
	}
	return w.put(ino)
}

// common fills in what all inodes have.
func (w *metaWalk) common(in *fstree.Inode, ino, nlink uint32) (*inode, error) {
	x, err := w.xattrs.id(in.Xattrs)
	if err != nil {
		return nil, fmt.Errorf("writing xattr table: %w", err)
	}
	n := &inode{mode: uint16(in.Mode & 07777), mtime: clampTime(in.Mtime), ino: ino, nlink: nlink, xattr: x}
	n.uid = w.ids.get(in.UID)
	n.gid = w.ids.get(in.GID)
	return n, nil
}

// put writes the encoded inode (w.buf) and records its reference.
func (w *metaWalk) put(ino uint32) (inodeRef, error) {
	ref := w.inodes.ref()
	if ref>>16 > math.MaxUint32 {
		return 0, errors.New("inode table larger than 4 GiB")
	}
	if err := w.inodes.write(w.buf); err != nil {
		return 0, fmt.Errorf("writing inode table: %w", err)
	}
	putUint64(w.lookup[8*(ino-1):], uint64(ref))
	return ref, nil
}

func basicType(k fstree.Kind) uint16 {
	switch k {
	case fstree.Dir:
		return typeDir
	case fstree.File:
		return typeFile
	case fstree.Symlink:
		return typeSymlink
	case fstree.BlockDevice:
		return typeBlockDev
	case fstree.CharDevice:
		return typeCharDev
	case fstree.FIFO:
		return typeFIFO
	}
	return typeSocket
}

// clampTime is t in the 32 bits of an inode's mtime.
func clampTime(t time.Time) uint32 {
	s := t.Unix()
	switch {
	case s < 0:
		return 0
	case s > 1<<32-1:
		return 1<<32 - 1
	}
	return uint32(s)
}

func errTreeChanged(p string) error {
	return fmt.Errorf("%s: %w", p, errChanged)
}

var errChanged = errors.New("tree changed while it was written")

func putUint64(b []byte, v uint64) {
	for i := 0; i < 8; i++ {
		b[i] = byte(v >> (8 * i))
	}
}
