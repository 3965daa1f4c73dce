package vfat

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"

	"github.com/gorepart/gorepart/fstree"
)

// ErrNoSpace is returned (wrapped) when the tree does not fit in the size.
var ErrNoSpace = errors.New("not enough space")

// Write writes a complete FAT file system of exactly size bytes holding t to
// dst at offset 0. Regions it does not write must read as zero (a sparse
// file). Symbolic links, devices, FIFOs and sockets are skipped with one
// warning through p.Warn.
func Write(dst io.WriterAt, size int64, t *fstree.Tree, p Params) error {
	if err := p.check(); err != nil {
		return err
	}
	label, _ := labelField(p.Label)
	c, err := analyze(t, string(label[:]) != noName)
	if err != nil {
		return err
	}
	g, err := newGeometry(size, p.SectorSize, p.FATBits)
	if err != nil {
		return fmt.Errorf("vfat: %w", err)
	}
	if c.skipped > 0 {
		p.warn("vfat: skipped %d entries FAT cannot store (symlinks, devices, FIFOs, sockets), first %s", c.skipped, c.skipOne)
	}
	if g.fatBits == 32 && g.clusters < minClust32 {
		p.warn("vfat: FAT32 of %d bytes has only %d clusters, fewer than the %d some firmware requires", size, g.clusters, minClust32)
	}
	order, last, err := c.allocate(&g)
	if err != nil {
		return err
	}
	used := last - 1
	ss := int64(g.sectorSize)

	w := newSeqWriter(dst)
	defer w.abort()
	if err := w.write(0, reservedArea(&g, p.VolumeID, label, g.clusters-used, last)); err != nil {
		return fmt.Errorf("vfat: writing boot sectors: %w", err)
	}
	fat := fatTable(&g, order, last)
	for i := int64(0); i < numFATs; i++ {
		if err := w.write((int64(g.reserved)+i*int64(g.fatLength))*ss, fat); err != nil {
			return fmt.Errorf("vfat: writing FAT: %w", err)
		}
	}
	if g.fatBits != 32 {
		root := encodeDir(c.root, label, &p, int(g.rootEntries)*dirEntrySize)
		if err := w.write(int64(g.reserved+numFATs*g.fatLength)*ss, root); err != nil {
			return fmt.Errorf("vfat: writing root directory: %w", err)
		}
	}
	for _, n := range order {
		off := g.clusterOffset(n.first)
		if n.dir {
			b := encodeDir(n, label, &p, int(n.count)*int(g.clusterBytes()))
			if err := w.write(off, b); err != nil {
				return fmt.Errorf("vfat: writing directory %s: %w", n.path, err)
			}
			continue
		}
		if err := copyFile(w, off, n); err != nil {
			return fmt.Errorf("vfat: writing %s: %w", n.path, err)
		}
	}
	if err := w.close(); err != nil {
		return fmt.Errorf("vfat: writing data: %w", err)
	}
	return nil
}

// copyFile streams a file's data to off.
func copyFile(w *seqWriter, off int64, n *node) error {
	f, err := n.inode.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	size := n.inode.Size
	if src, ok := f.(*os.File); ok && size >= mapMin {
		if done, err := copyMapped(w, off, src, size); done || err != nil {
			return err
		}
	}
	for pos := int64(0); pos < size; {
		k := int(min(size-pos, 1<<20))
		b, err := w.at(off+pos, k)
		if err != nil {
			return err
		}
		if _, err := f.ReadAt(b, pos); err != nil {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("source shorter than its size %d: %w", size, io.ErrUnexpectedEOF)
			}
			return err
		}
		pos += int64(k)
	}
	return nil
}

// mapMin is the smallest file written straight from memory mappings of
// its source, mapWindow the size of one mapping (a multiple of the page
// size).
const (
	mapMin    = 1 << 20
	mapWindow = 4 << 20
)

// copyMapped writes a large file from read-only mappings of its source,
// a window at a time: the data is copied once, from the source's page
// cache into the image's, instead of being read into a buffer first.
// Each window is unmapped once written, so mapped pages never add more
// than the writer's queue to the process's resident memory. It returns
// false, having written nothing, when the source cannot be mapped (the
// caller reads it instead).
func copyMapped(w *seqWriter, off int64, src *os.File, size int64) (bool, error) {
	// A mapping reads zeros, not EOF, past the end of a shorter source.
	if st, err := src.Stat(); err != nil {
		return true, err
	} else if st.Size() < size {
		return true, fmt.Errorf("source shorter than its size %d: %w", size, io.ErrUnexpectedEOF)
	}
	for pos := int64(0); pos < size; pos += mapWindow {
		m, err := unix.Mmap(int(src.Fd()), pos, int(min(size-pos, mapWindow)), unix.PROT_READ, unix.MAP_SHARED|unix.MAP_POPULATE)
		if err != nil {
			if pos == 0 {
				return false, nil
			}
			return true, err
		}
		if err := w.writeOwned(off+pos, m, func() { unix.Munmap(m) }); err != nil {
			return true, err
		}
	}
	return true, nil
}

// encodeDir encodes directory d into n bytes: "." and ".." (or, for the
// root, the volume label), then each entry with its LFN slots.
func encodeDir(d *node, label [11]byte, p *Params, n int) []byte {
	b := make([]byte, n)
	i := 0
	slot := func() []byte { s := b[i : i+dirEntrySize]; i += dirEntrySize; return s }
	if d.path == "/" {
		if string(label[:]) != noName {
			putShortEntry(slot(), label, attrVolume, p.Time, 0, 0)
			// mkfs.fat leaves the label entry's creation centiseconds 0.
			b[13] = 0
		}
	} else {
		dot := [11]byte{'.', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '}
		putShortEntry(slot(), dot, attrDir, d.mtime(), d.first, 0)
		dot[1] = '.'
		putShortEntry(slot(), dot, attrDir, d.mtime(), d.parentCluster(), 0)
	}
	for _, k := range d.kids {
		if k.lfn != nil {
			m := lfnSlots(len(k.lfn)) * dirEntrySize
			putLFN(b[i:i+m], k.lfn, lfnChecksum(k.short))
			i += m
		}
		attr, size := byte(attrArchive), uint32(k.node.inode.Size)
		if k.node.dir {
			attr, size = attrDir, 0
		}
		putShortEntry(slot(), k.short, attr, k.node.mtime(), k.node.first, size)
	}
	return b
}
