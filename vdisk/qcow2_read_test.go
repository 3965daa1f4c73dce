package vdisk

import (
	"encoding/binary"
	"fmt"
	"os"
)

// qcowDisk reads the qcow2 images this package writes: version 3, 64 KiB
// clusters, no backing file, no compressed clusters. It also checks that
// every L1/L2 entry is cluster-aligned, carries the COPIED flag and points
// inside the file.
type qcowDisk struct {
	f    *os.File
	size int64
	end  int64
	l1   []uint64
	l2   []byte // the last L2 table read, at l2At
	l2At int64
}

func openQcow2(f *os.File) (*qcowDisk, error) {
	h := make([]byte, qcowHeaderLength)
	if err := readFull(f, h, 0); err != nil {
		return nil, err
	}
	be := binary.BigEndian
	switch {
	case string(h[:4]) != qcowMagic:
		return nil, fmt.Errorf("bad magic %q", h[:4])
	case be.Uint32(h[4:]) != 3 || be.Uint32(h[20:]) != qcowClusterBits || be.Uint32(h[100:]) != qcowHeaderLength:
		return nil, fmt.Errorf("unexpected version, cluster bits or header length")
	case be.Uint64(h[8:]) != 0 || be.Uint32(h[32:]) != 0 || be.Uint32(h[60:]) != 0:
		return nil, fmt.Errorf("backing file, encryption or snapshots set")
	case be.Uint64(h[72:]) != 0 || be.Uint64(h[80:]) != 0 || be.Uint64(h[88:]) != 0:
		return nil, fmt.Errorf("feature bits set")
	case be.Uint32(h[96:]) != qcowRefcountOrder:
		return nil, fmt.Errorf("refcount order %d", be.Uint32(h[96:]))
	}
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	d := &qcowDisk{f: f, size: int64(be.Uint64(h[24:])), end: st.Size()}
	l1 := make([]byte, 8*be.Uint32(h[36:]))
	if err := readFull(f, l1, int64(be.Uint64(h[40:]))); err != nil {
		return nil, err
	}
	for i := range len(l1) / 8 {
		e := be.Uint64(l1[8*i:])
		if err := d.checkEntry(e); err != nil {
			return nil, fmt.Errorf("L1 entry %d: %w", i, err)
		}
		d.l1 = append(d.l1, e)
	}
	return d, nil
}

func (d *qcowDisk) checkEntry(e uint64) error {
	if e == 0 {
		return nil
	}
	if e&^(qcowOffsetMask|qcowOflagCopied) != 0 || e&qcowOflagCopied == 0 {
		return fmt.Errorf("entry %#x has reserved bits or lacks COPIED", e)
	}
	if off := int64(e & qcowOffsetMask); off%qcowClusterSize != 0 || off+qcowClusterSize > d.end {
		return fmt.Errorf("entry %#x is unaligned or past the end (%d)", e, d.end)
	}
	return nil
}

func (d *qcowDisk) Size() int64 { return d.size }

func (d *qcowDisk) ReadAt(p []byte, off int64) (int, error) {
	return readBlocks(p, off, qcowClusterSize, func(b []byte, c, in int64) error {
		l1e := d.l1[c/qcowL2Entries]
		if l1e == 0 {
			return nil
		}
		if at := int64(l1e & qcowOffsetMask); d.l2 == nil || d.l2At != at {
			d.l2, d.l2At = make([]byte, qcowClusterSize), at
			if err := readFull(d.f, d.l2, at); err != nil {
				return err
			}
		}
		e := binary.BigEndian.Uint64(d.l2[8*(c%qcowL2Entries):])
		if err := d.checkEntry(e); err != nil || e == 0 {
			return err
		}
		return readFull(d.f, b, int64(e&qcowOffsetMask)+in)
	})
}
