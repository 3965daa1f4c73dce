package erofs

import (
	"errors"
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
	if err := pl.checkSize(int64(pl.dataEnd) * blockSize); err != nil {
		return 0, err
	}
	if p.Compression == "" { // the size is known: fail before reading data
		if _, err := pl.layoutMeta(pl.dataEnd); err != nil {
			return 0, err
		}
	}
	if err := pl.writeFlatData(dst); err != nil {
		return 0, fmt.Errorf("writing file data: %w", err)
	}
	end := pl.dataEnd
	if p.Compression != "" {
		if end, err = pl.writeCompressed(dst); err != nil {
			return 0, fmt.Errorf("compressing file data: %w", err)
		}
	}
	size, err := pl.layoutMeta(end)
	if err != nil {
		return 0, err
	}
	if err := pl.writeMeta(dst, end); err != nil {
		return 0, fmt.Errorf("writing inodes: %w", err)
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

// Size returns the size Write produces for an uncompressed image, without
// reading any file data.
func Size(t *fstree.Tree, p Params) (int64, error) {
	if p.Compression != "" {
		return 0, errors.New("size of a compressed image is only known after compressing")
	}
	if err := p.validate(); err != nil {
		return 0, err
	}
	pl, err := newPlan(t, &p)
	if err != nil {
		return 0, fmt.Errorf("planning erofs image: %w", err)
	}
	return pl.layoutMeta(pl.dataEnd)
}

func (pl *plan) checkSize(size int64) error {
	if pl.p.MaxSize > 0 && size > pl.p.MaxSize {
		return fmt.Errorf("erofs image needs more than %d bytes, above the maximum of %d", size, pl.p.MaxSize)
	}
	return nil
}

// layoutMeta places the inodes (with xattrs, indexes and inline tails) in
// the metadata area from block metaBlk on, at 32-byte boundaries: first fit
// into the last openBlocks partly used blocks, so that an inode and its
// tail never cross a block boundary; an inode larger than a block (no tail)
// starts a new block. The root comes first: nid 0. It returns the image
// size.
func (pl *plan) layoutMeta(metaBlk uint32) (int64, error) {
	const openBlocks = 64
	type open struct{ blk, used int64 }
	var opens []open
	var next, maxEnd int64 // next fresh block; end of the last inode
	for ino := uint32(1); ino <= pl.count; ino++ {
		n := pl.node(ino)
		s := int64(roundUp(pl.metaSize(n)+int(n.tail), inodeSlot))
		var off int64
		if s > blockSize {
			off = next * blockSize
			next += (s + blockSize - 1) / blockSize
			if s%blockSize != 0 {
				opens = append(opens, open{next - 1, s % blockSize})
			}
		} else {
			placed := false
			for i := range opens {
				if opens[i].used+s <= blockSize {
					off = opens[i].blk*blockSize + opens[i].used
					opens[i].used += s
					placed = true
					break
				}
			}
			if !placed {
				off = next * blockSize
				opens = append(opens, open{next, s})
				next++
			}
		}
		if off/inodeSlot > math.MaxUint32 {
			return 0, fmt.Errorf("metadata area larger than %d bytes (32-bit nids)", int64(math.MaxUint32+1)*inodeSlot)
		}
		n.slot = uint32(off / inodeSlot)
		maxEnd = max(maxEnd, off+s)
		// Forget full blocks and all but the last openBlocks.
		k := 0
		for _, o := range opens {
			if o.used+inodeSlot <= blockSize {
				opens[k] = o
				k++
			}
		}
		opens = opens[:k]
		if len(opens) > openBlocks {
			opens = opens[len(opens)-openBlocks:]
		}
	}
	// fsck.erofs 1.5 reads an xattr header after every inode, even one
	// without xattrs: keep 12 bytes after the last inode inside the image.
	pl.metaEnd = roundUp64(maxEnd+xattrHeaderSize, blockSize)
	size := int64(metaBlk)*blockSize + pl.metaEnd
	if size/blockSize > math.MaxUint32 {
		return 0, fmt.Errorf("image of %d bytes too large", size)
	}
	return size, pl.checkSize(size)
}
