package vdisk

import (
	"encoding/binary"
	"fmt"
	"os"
)

// vdiDisk reads dynamic VDI 1.1 images: header, block map, and that the
// allocated count matches the map and every allocated index is used once.
type vdiDisk struct {
	f    *os.File
	size int64
	data int64
	bmap []uint32
}

func openVDI(f *os.File) (*vdiDisk, error) {
	h := make([]byte, sectorSize)
	if err := readFull(f, h, 0); err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	switch {
	case le.Uint32(h[64:]) != vdiSignature || le.Uint32(h[68:]) != vdiVersion:
		return nil, fmt.Errorf("signature or version")
	case le.Uint32(h[76:]) != vdiTypeDynamic || le.Uint32(h[360:]) != sectorSize || le.Uint32(h[376:]) != vdiBlockSize:
		return nil, fmt.Errorf("type, sector size or block size")
	}
	d := &vdiDisk{f: f, size: int64(le.Uint64(h[368:])), data: int64(le.Uint32(h[344:]))}
	blocks := int64(le.Uint32(h[384:]))
	if blocks*vdiBlockSize < d.size {
		return nil, fmt.Errorf("block map of %d entries is too small", blocks)
	}
	b := make([]byte, 4*blocks)
	if err := readFull(f, b, int64(le.Uint32(h[340:]))); err != nil {
		return nil, err
	}
	seen := map[uint32]bool{}
	for i := range blocks {
		e := le.Uint32(b[4*i:])
		if e < vdiBlockZero {
			if seen[e] || int64(e) >= blocks {
				return nil, fmt.Errorf("block %d maps to %d twice or out of range", i, e)
			}
			seen[e] = true
		} else if e != vdiBlockZero {
			return nil, fmt.Errorf("block %d is %#x, neither allocated nor zero", i, e)
		}
		d.bmap = append(d.bmap, e)
	}
	if uint32(len(seen)) != le.Uint32(h[388:]) {
		return nil, fmt.Errorf("%d blocks allocated, header says %d", len(seen), le.Uint32(h[388:]))
	}
	return d, nil
}

func (d *vdiDisk) Size() int64 { return d.size }

func (d *vdiDisk) ReadAt(p []byte, off int64) (int, error) {
	return readBlocks(p, off, vdiBlockSize, func(b []byte, blk, in int64) error {
		if e := d.bmap[blk]; e < vdiBlockZero {
			return readFull(d.f, b, d.data+int64(e)*vdiBlockSize+in)
		}
		return nil
	})
}
