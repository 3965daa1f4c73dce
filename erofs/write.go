package erofs

import (
	"fmt"
	"io"
	"math"

	"github.com/gorepart/gorepart/fstree"
)

// Write writes the filesystem at offset 0 of dst and returns its size in
// bytes (a multiple of the block size). Every byte below the returned size
// is written. p.MaxSize > 0 bounds it: an error if the tree does not fit.
func Write(dst io.WriterAt, t *fstree.Tree, p Params) (int64, error) {
	if err := p.validate(); err != nil {
		return 0, err
	}
	pl, err := newPlan(t, &p)
	if err != nil {
		return 0, fmt.Errorf("planning erofs image: %w", err)
	}
	return pl.write(dst)
}

// write writes the image pl plans and returns its size.
func (pl *plan) write(dst io.WriterAt) (int64, error) {
	p := pl.p
	if err := pl.checkSize(int64(pl.dataEnd) * blockSize); err != nil {
		return 0, err
	}
	if p.Compression == "" { // the size is known: fail before reading data
		if _, err := pl.layoutMeta(pl.dataEnd); err != nil {
			return 0, err
		}
	}
	end := pl.dataEnd
	if p.Compression != "" {
		var err error
		if end, err = pl.writeCompressed(dst); err != nil {
			return 0, fmt.Errorf("compressing file data: %w", err)
		}
	}
	size, err := pl.layoutMeta(end)
	if err != nil {
		return 0, err
	}
	if err := pl.writeMeta(dst, end); err != nil {
		return 0, fmt.Errorf("writing inodes and data: %w", err)
	}
	head := pl.encodeHead(superInfo{
		inos:    uint64(pl.count),
		blocks:  uint32(size / blockSize),
		metaBlk: end,
	})
	if _, err := dst.WriteAt(head, 0); err != nil {
		return 0, fmt.Errorf("writing superblock: %w", err)
	}
	return size, nil
}

// Size returns the size Write produces, without writing anything. An
// uncompressed image is sized without reading any file data; a
// compressed one only by compressing every file that may be compressed
// (the output is thrown away).
func Size(t *fstree.Tree, p Params) (int64, error) {
	if err := p.validate(); err != nil {
		return 0, err
	}
	pl, err := newPlan(t, &p)
	if err != nil {
		return 0, fmt.Errorf("planning erofs image: %w", err)
	}
	end := pl.dataEnd
	if p.Compression != "" {
		if err := pl.checkSize(int64(end) * blockSize); err != nil {
			return 0, err
		}
		pl.sizing = true
		if end, err = pl.writeCompressed(discard{}); err != nil {
			return 0, fmt.Errorf("compressing file data: %w", err)
		}
	}
	return pl.layoutMeta(end)
}

// discard is where Size writes compressed data.
type discard struct{}

func (discard) WriteAt(b []byte, off int64) (int, error) { return len(b), nil }

func (pl *plan) checkSize(size int64) error {
	if pl.p.MaxSize > 0 && size > pl.p.MaxSize {
		return &TooLargeError{Need: size, Max: pl.p.MaxSize}
	}
	return nil
}

// TooLargeError is the error of Write and Size when the image would be
// larger than Params.MaxSize.
type TooLargeError struct {
	// Need is how far the image reached when it was found too large:
	// the image needs at least that many bytes.
	Need, Max int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("erofs image needs more than %d bytes, above the maximum of %d", e.Need, e.Max)
}

// layoutMeta returns the image size with the metadata area from block
// metaBlk on. Without compression newPlan laid it out; a compressed image
// is laid out here, once the compression decisions are made.
func (pl *plan) layoutMeta(metaBlk uint32) (int64, error) {
	if pl.nids == nil {
		pl.nids = make([]uint32, pl.count)
		blk, k := pl.dataStart, 0
		var ml metaLayout
		err := pl.walk(false, func(n *node) error {
			if err := pl.planInode(n); err != nil {
				return err
			}
			if err := pl.layoutData(n, &blk, &k); err != nil {
				return err
			}
			return pl.placeMeta(&ml, n)
		})
		if err != nil {
			pl.nids = nil
			return 0, err
		}
		pl.metaEnd = ml.end()
	}
	size := int64(metaBlk)*blockSize + pl.metaEnd
	if size/blockSize > math.MaxUint32 {
		return 0, fmt.Errorf("image of %d bytes too large", size)
	}
	return size, pl.checkSize(size)
}

// placeMeta gives n its nid.
func (pl *plan) placeMeta(ml *metaLayout, n *node) error {
	off := ml.place(int64(roundUp(pl.metaSize(n)+int(n.tail), inodeSlot)))
	if off/inodeSlot > math.MaxUint32 {
		return fmt.Errorf("metadata area larger than %d bytes (32-bit nids)", int64(math.MaxUint32+1)*inodeSlot)
	}
	pl.nids[n.ino-1] = uint32(off / inodeSlot)
	return nil
}

// metaLayout places the inodes (with xattrs, indexes and inline tails) in
// the metadata area, in inode number order, at 32-byte boundaries: first
// fit into the last openBlocks partly used blocks, so that an inode and
// its tail never cross a block boundary; an inode larger than a block (no
// tail) starts a new block. The root comes first: nid 0.
type metaLayout struct {
	opens        []openBlock
	next, maxEnd int64 // next fresh block; end of the last inode
	// track makes place record the blocks it forgets in dropped.
	track   bool
	dropped []int64
}

type openBlock struct{ blk, used int64 }

const openBlocks = 64

// place returns the offset of an inode of s bytes, a multiple of
// inodeSlot.
func (m *metaLayout) place(s int64) int64 {
	var off int64
	if s > blockSize {
		off = m.next * blockSize
		m.next += (s + blockSize - 1) / blockSize
		if s%blockSize != 0 {
			m.opens = append(m.opens, openBlock{m.next - 1, s % blockSize})
		}
	} else {
		placed := false
		for i := range m.opens {
			if m.opens[i].used+s <= blockSize {
				off = m.opens[i].blk*blockSize + m.opens[i].used
				m.opens[i].used += s
				placed = true
				break
			}
		}
		if !placed {
			off = m.next * blockSize
			m.opens = append(m.opens, openBlock{m.next, s})
			m.next++
		}
	}
	m.maxEnd = max(m.maxEnd, off+s)
	// Forget full blocks and all but the last openBlocks.
	k := 0
	for _, o := range m.opens {
		if o.used+inodeSlot <= blockSize {
			m.opens[k] = o
			k++
		} else if m.track {
			m.dropped = append(m.dropped, o.blk)
		}
	}
	m.opens = m.opens[:k]
	if len(m.opens) > openBlocks {
		if m.track {
			for _, o := range m.opens[:len(m.opens)-openBlocks] {
				m.dropped = append(m.dropped, o.blk)
			}
		}
		m.opens = m.opens[len(m.opens)-openBlocks:]
	}
	return off
}

// end is the size of the metadata area. fsck.erofs 1.5 reads an xattr
// header after every inode, even one without xattrs: 12 bytes after the
// last inode stay inside it.
func (m *metaLayout) end() int64 {
	return roundUp64(m.maxEnd+xattrHeaderSize, blockSize)
}
