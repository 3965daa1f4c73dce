package vdisk

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
)

// vhdDisk reads fixed and dynamic VHDs: footer (checksum, and for a
// dynamic disk the copy at the start equal to the one at the end), the
// dynamic header and the BAT. The size is current_size.
type vhdDisk struct {
	f      *os.File
	footer []byte
	size   int64
	fixed  bool
	bat    []uint32
}

func openVHD(f *os.File) (*vhdDisk, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	footer := make([]byte, vhdFooterSize)
	if err := readFull(f, footer, st.Size()-vhdFooterSize); err != nil {
		return nil, err
	}
	if err := vhdCheckStruct(footer, vhdCookie, 64); err != nil {
		return nil, fmt.Errorf("footer: %w", err)
	}
	be := binary.BigEndian
	d := &vhdDisk{f: f, footer: footer, size: int64(be.Uint64(footer[48:]))}
	switch be.Uint32(footer[60:]) {
	case vhdTypeFixed:
		d.fixed = true
		if st.Size() != d.size+vhdFooterSize {
			return nil, fmt.Errorf("fixed VHD of %d bytes holds %d", d.size, st.Size())
		}
		return d, nil
	case vhdTypeDynamic:
	default:
		return nil, fmt.Errorf("disk type %d", be.Uint32(footer[60:]))
	}
	head := make([]byte, vhdFooterSize)
	if err := readFull(f, head, 0); err != nil {
		return nil, err
	}
	if !bytes.Equal(head, footer) {
		return nil, fmt.Errorf("footer copy at the start differs")
	}
	dyn := make([]byte, vhdDynHeaderSize)
	if err := readFull(f, dyn, int64(be.Uint64(footer[16:]))); err != nil {
		return nil, err
	}
	if err := vhdCheckStruct(dyn, vhdDynCookie, 36); err != nil {
		return nil, fmt.Errorf("dynamic header: %w", err)
	}
	if be.Uint32(dyn[32:]) != vhdBlockSize {
		return nil, fmt.Errorf("block size %d", be.Uint32(dyn[32:]))
	}
	entries := int64(be.Uint32(dyn[28:]))
	if entries*vhdBlockSize < d.size {
		return nil, fmt.Errorf("BAT of %d entries is too small", entries)
	}
	bat := make([]byte, 4*entries)
	if err := readFull(f, bat, int64(be.Uint64(dyn[16:]))); err != nil {
		return nil, err
	}
	for i := range entries {
		d.bat = append(d.bat, be.Uint32(bat[4*i:]))
	}
	return d, nil
}

// vhdCheckStruct checks a footer or dynamic header's cookie and checksum.
func vhdCheckStruct(b []byte, cookie string, sumAt int) error {
	if string(b[:8]) != cookie {
		return fmt.Errorf("cookie %q", b[:8])
	}
	c := bytes.Clone(b)
	binary.BigEndian.PutUint32(c[sumAt:], 0)
	if got, want := binary.BigEndian.Uint32(b[sumAt:]), vhdChecksum(c); got != want {
		return fmt.Errorf("checksum %#x, want %#x", got, want)
	}
	return nil
}

func (d *vhdDisk) Size() int64 { return d.size }

func (d *vhdDisk) ReadAt(p []byte, off int64) (int, error) {
	if d.fixed {
		return len(p), readSparse(d.f, p, off)
	}
	return readBlocks(p, off, vhdBlockSize, func(b []byte, blk, in int64) error {
		e := d.bat[blk]
		if e == vhdUnused {
			return nil
		}
		bitmap := make([]byte, vhdBitmapSize)
		if err := readFull(d.f, bitmap, int64(e)*sectorSize); err != nil {
			return err
		}
		if !bytes.Equal(bitmap, bytes.Repeat([]byte{0xff}, vhdBitmapSize)) {
			return fmt.Errorf("block %d: sector bitmap not all set", blk)
		}
		return readFull(d.f, b, int64(e)*sectorSize+vhdBitmapSize+in)
	})
}
