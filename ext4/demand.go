package ext4

import (
	"encoding/binary"
	"errors"
)

// demand is what one inode allocates, in this order: an xattr block, its
// data (directory blocks, a slow symlink's block, a file's data ranges),
// then the extent tree blocks its extents need. The planning pass records
// one per inode, in inode number order, in a few bytes (a dense file of n
// blocks: two or three), so that sizing can replay the allocation for
// any filesystem size without walking the tree again, and the write pass
// allocates exactly what was sized.
type demand struct {
	xattrBlock bool
	segs       []seg // data ranges by logical block
}

// seg is a range of a file's logical blocks that holds data.
type seg struct{ lblk, n uint64 }

func (d *demand) reset() { d.xattrBlock, d.segs = false, d.segs[:0] }

// dense sets n blocks of data from logical block 0.
func (d *demand) dense(n uint64) {
	if n > 0 {
		d.segs = append(d.segs, seg{0, n})
	}
}

// blocks is the number of data blocks.
func (d *demand) blocks() uint64 {
	var t uint64
	for _, s := range d.segs {
		t += s.n
	}
	return t
}

// Encoding: a head varint (bit 0: xattr block; bit 1: one dense range,
// whose length follows; else the number of ranges follows the head as
// head>>2, then each range's logical start and length).
func (d *demand) append(b []byte) []byte {
	head := uint64(0)
	if d.xattrBlock {
		head |= 1
	}
	if len(d.segs) == 1 && d.segs[0].lblk == 0 {
		b = binary.AppendUvarint(b, head|2)
		return binary.AppendUvarint(b, d.segs[0].n)
	}
	b = binary.AppendUvarint(b, head|uint64(len(d.segs))<<2)
	for _, s := range d.segs {
		b = binary.AppendUvarint(binary.AppendUvarint(b, s.lblk), s.n)
	}
	return b
}

var errDemand = errors.New("inode allocation record damaged")

// demandReader reads the records back in order.
type demandReader struct{ b []byte }

func (r *demandReader) uvarint() (uint64, error) {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		return 0, errDemand
	}
	r.b = r.b[n:]
	return v, nil
}

// next decodes the next record into d.
func (r *demandReader) next(d *demand) error {
	d.reset()
	head, err := r.uvarint()
	if err != nil {
		return err
	}
	d.xattrBlock = head&1 != 0
	if head&2 != 0 {
		n, err := r.uvarint()
		if err != nil {
			return err
		}
		d.segs = append(d.segs, seg{0, n})
		return nil
	}
	for k := head >> 2; k > 0; k-- {
		lblk, err := r.uvarint()
		if err != nil {
			return err
		}
		n, err := r.uvarint()
		if err != nil {
			return err
		}
		d.segs = append(d.segs, seg{lblk, n})
	}
	return nil
}

func (r *demandReader) empty() bool { return len(r.b) == 0 }
