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
		inos:    uint64(len(pl.nodes)),
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

// layoutMeta places the inodes in nid order from block metaBlk on, each at
// a 32-byte boundary, moved to the next block when its inline tail would
// cross a block boundary. It returns the image size.
func (pl *plan) layoutMeta(metaBlk uint32) (int64, error) {
	var pos int64
	for _, n := range pl.nodes {
		m := int64(n.metaSize())
		if t := int64(n.tail); t > 0 && (pos+m)%blockSize+t > blockSize {
			pos = (pos + blockSize - 1) / blockSize * blockSize
		}
		n.metaOff = pos
		pos = (pos + m + int64(n.tail) + inodeSlot - 1) / inodeSlot * inodeSlot
	}
	// fsck.erofs 1.5 reads an xattr header after every inode, even one
	// without xattrs: keep 12 bytes after the last inode inside the image.
	pl.metaEnd = roundUp64(pos+xattrHeaderSize, blockSize)
	size := int64(metaBlk)*blockSize + pl.metaEnd
	if size/blockSize > math.MaxUint32 {
		return 0, fmt.Errorf("image of %d bytes too large", size)
	}
	return size, pl.checkSize(size)
}
