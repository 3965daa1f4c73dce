package squashfs

import (
	"crypto/sha256"
	"fmt"
	"io"
	"path"

	"github.com/gorepart/gorepart/fstree"
)

// The reader walks the regular files in the order the metadata walk
// meets them (depth first, names in byte order, each hardlinked inode at
// its first name) and turns them into a sequence of items for the
// compressing workers: a file's blocks, then, when its tail does not fit
// the open fragment block, that block (closed), then the file's end.
// Everything it decides depends on the file contents and their order
// only: duplicates (equal SHA-256 of the contents) are found before any
// of their blocks is sent, and fragments are packed in order, as
// mksquashfs packs them, the block being closed when the next tail does
// not fit.

// smallFile is the size up to which a file is read once, into the
// blocks it is sent in; a larger file is read once to find duplicates and
// once more to be sent.
const smallFile = 4 << 20

type itemKind uint8

const (
	itemBlock itemKind = iota
	itemFrag
	itemEnd
)

// item is one unit of the pipeline, numbered in output order.
type item struct {
	seq  int
	kind itemKind
	buf  *[]byte // block or fragment data (pooled)
	data []byte  // the bytes of buf to store
	out  []byte  // compressed form, nil when stored as is
	zero bool    // an all-zero block: stored as a hole
	end  fileEnd
}

// fileEnd closes a file's items.
type fileEnd struct {
	size    int64
	blocks  int   // block items sent for it
	dupOf   int32 // the distinct file it repeats, or -1
	frag    uint32
	fragOff uint32
}

type reader struct {
	pl      *Plan
	bs      int
	send    func(*item) error
	getBuf  func() *[]byte
	putBuf  func(*[]byte)
	seen    map[fstree.LinkKey]bool
	sums    map[[sha256.Size]byte]int32
	frag    *[]byte
	fragLen int
	frags   uint32
	scratch []*[]byte
}

// run sends the items of every file, then the last fragment block.
func (r *reader) run() error {
	r.seen = make(map[fstree.LinkKey]bool)
	r.sums = make(map[[sha256.Size]byte]int32)
	if err := r.dir(r.pl.t.Root, "/"); err != nil {
		return err
	}
	return r.closeFrag()
}

func (r *reader) dir(d *fstree.Inode, dpath string) error {
	list, err := d.List()
	if err != nil {
		return fmt.Errorf("listing %s: %w", dpath, err)
	}
	for _, e := range list {
		in := e.Inode
		if k := in.LinkKey(); r.pl.links[k] > 1 {
			if r.seen[k] {
				continue
			}
			r.seen[k] = true
		}
		p := path.Join(dpath, e.Name)
		switch in.Kind {
		case fstree.Dir:
			err = r.dir(in, p)
		case fstree.File:
			err = r.file(in, p)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// file sends one file's items.
func (r *reader) file(in *fstree.Inode, p string) error {
	end := fileEnd{size: in.Size, dupOf: -1, frag: noFragment}
	if in.Size == 0 {
		return r.send(&item{kind: itemEnd, end: end})
	}
	f, err := in.Open()
	if err != nil {
		return fmt.Errorf("opening %s: %w", p, err)
	}
	defer f.Close()
	var sum [sha256.Size]byte
	bufs := r.scratch[:0]
	defer func() {
		for _, b := range bufs {
			if b != nil {
				r.putBuf(b)
			}
		}
		r.scratch = bufs[:0]
	}()
	small := in.Size <= smallFile
	if small {
		bufs, sum, err = r.readBlocks(f, in.Size, bufs)
	} else {
		sum, err = r.hash(f, in.Size)
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", p, err)
	}
	if j, ok := r.sums[sum]; ok {
		end.dupOf = j
		return r.send(&item{kind: itemEnd, end: end})
	}
	r.sums[sum] = int32(len(r.sums))
	bs := int64(r.bs)
	full, tail := in.Size/bs, int(in.Size%bs)
	toFrag := tail > 0 && (in.Size < bs || r.pl.p.TailEnds)
	nblocks := full
	if tail > 0 && !toFrag {
		nblocks++
	}
	end.blocks = int(nblocks)
	h := sha256.New()
	var off int64
	for i := int64(0); i < nblocks || toFrag; i++ {
		var b *[]byte
		n := int(min(bs, in.Size-off))
		if small {
			b, bufs[i] = bufs[i], nil
		} else {
			b = r.getBuf()
			if _, err := io.ReadFull(io.NewSectionReader(f, off, int64(n)), (*b)[:n]); err != nil {
				r.putBuf(b)
				return fmt.Errorf("reading %s: %w", p, err)
			}
			h.Write((*b)[:n])
		}
		off += int64(n)
		if i == nblocks { // the tail, into the fragment block
			if err := r.addFrag((*b)[:n], &end); err != nil {
				r.putBuf(b)
				return err
			}
			r.putBuf(b)
			break
		}
		if err := r.send(&item{kind: itemBlock, buf: b, data: (*b)[:n]}); err != nil {
			return err
		}
	}
	if !small && [sha256.Size]byte(h.Sum(nil)) != sum {
		return fmt.Errorf("reading %s: source changed while it was read", p)
	}
	bufs = bufs[:0]
	return r.send(&item{kind: itemEnd, end: end})
}

// readBlocks reads a small file into blocks and returns them with its
// SHA-256.
func (r *reader) readBlocks(f io.ReaderAt, size int64, bufs []*[]byte) ([]*[]byte, [sha256.Size]byte, error) {
	h := sha256.New()
	for off := int64(0); off < size; {
		b := r.getBuf()
		bufs = append(bufs, b)
		n := int(min(int64(r.bs), size-off))
		if _, err := io.ReadFull(io.NewSectionReader(f, off, int64(n)), (*b)[:n]); err != nil {
			return bufs, [sha256.Size]byte{}, err
		}
		h.Write((*b)[:n])
		off += int64(n)
	}
	return bufs, [sha256.Size]byte(h.Sum(nil)), nil
}

// hash returns the SHA-256 of a large file's contents.
func (r *reader) hash(f io.ReaderAt, size int64) ([sha256.Size]byte, error) {
	h := sha256.New()
	b := r.getBuf()
	defer r.putBuf(b)
	n, err := io.CopyBuffer(h, io.NewSectionReader(f, 0, size), *b)
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	if n != size {
		return [sha256.Size]byte{}, io.ErrUnexpectedEOF
	}
	return [sha256.Size]byte(h.Sum(nil)), nil
}

// addFrag appends a tail to the open fragment block, first closing it
// when the tail does not fit.
func (r *reader) addFrag(tail []byte, end *fileEnd) error {
	if r.frag != nil && r.fragLen+len(tail) > r.bs {
		if err := r.closeFrag(); err != nil {
			return err
		}
	}
	if r.frag == nil {
		r.frag = r.getBuf()
		r.fragLen = 0
	}
	end.frag, end.fragOff = r.frags, uint32(r.fragLen)
	r.fragLen += copy((*r.frag)[r.fragLen:], tail)
	return nil
}

// closeFrag sends the open fragment block.
func (r *reader) closeFrag() error {
	if r.frag == nil {
		return nil
	}
	it := &item{kind: itemFrag, buf: r.frag, data: (*r.frag)[:r.fragLen]}
	r.frag = nil
	r.frags++
	return r.send(it)
}
