package vdisk

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
)

// vhdxDisk reads the dynamic VHDX files this package writes: it checks the
// signature, both headers and region tables (CRC-32C), the metadata items
// and that the BAT's sector bitmap entries are not present.
type vhdxDisk struct {
	f        *os.File
	size     int64
	logical  int64
	physical int64
	block    int64
	chunk    int64
	bat      []uint64
	page83   [16]byte
}

func openVHDX(f *os.File) (*vhdxDisk, error) {
	sig := make([]byte, 8)
	if err := readFull(f, sig, 0); err != nil {
		return nil, err
	}
	if string(sig) != vhdxFileSignature {
		return nil, fmt.Errorf("signature %q", sig)
	}
	le := binary.LittleEndian
	var seqs []uint64
	for _, at := range []int64{vhdxHeader1Offset, vhdxHeader2Offset} {
		h := make([]byte, vhdxHeaderCRCSize)
		if err := readFull(f, h, at); err != nil {
			return nil, err
		}
		if err := vhdxCheckCRC(h, vhdxHeaderSignature); err != nil {
			return nil, fmt.Errorf("header at %d: %w", at, err)
		}
		if !bytes.Equal(h[48:64], make([]byte, 16)) || le.Uint16(h[64:]) != 0 || le.Uint16(h[66:]) != 1 ||
			le.Uint32(h[68:])%miB != 0 || le.Uint64(h[72:]) != vhdxLogOffset {
			return nil, fmt.Errorf("header at %d: log or version fields", at)
		}
		seqs = append(seqs, le.Uint64(h[8:]))
	}
	if seqs[0] == seqs[1] {
		return nil, fmt.Errorf("headers have the same sequence number")
	}
	var rts [][]byte
	for _, at := range []int64{vhdxRegion1Offset, vhdxRegion2Offset} {
		t := make([]byte, vhdxRegionSize)
		if err := readFull(f, t, at); err != nil {
			return nil, err
		}
		if err := vhdxCheckCRC(t, vhdxRegionSignature); err != nil {
			return nil, fmt.Errorf("region table at %d: %w", at, err)
		}
		rts = append(rts, t)
	}
	if !bytes.Equal(rts[0], rts[1]) {
		return nil, fmt.Errorf("region tables differ")
	}
	regions := map[[16]byte][2]int64{}
	for i := range le.Uint32(rts[0][8:]) {
		e := rts[0][16+32*i:]
		var g [16]byte
		copy(g[:], e)
		regions[g] = [2]int64{int64(le.Uint64(e[16:])), int64(le.Uint32(e[24:]))}
	}
	batR, ok1 := regions[msGUID(vhdxBATGUID)]
	metaR, ok2 := regions[msGUID(vhdxMetadataGUID)]
	if !ok1 || !ok2 || len(regions) != 2 {
		return nil, fmt.Errorf("region table lacks BAT or metadata")
	}
	d := &vhdxDisk{f: f}
	if err := d.readMetadata(metaR[0]); err != nil {
		return nil, err
	}
	blocks := (d.size + d.block - 1) / d.block
	entries := blocks + (blocks-1)/d.chunk
	if entries*8 > batR[1] {
		return nil, fmt.Errorf("BAT region too small")
	}
	bat := make([]byte, 8*entries)
	if err := readFull(f, bat, batR[0]); err != nil {
		return nil, err
	}
	for i := range entries {
		e := le.Uint64(bat[8*i:])
		if (i+1)%(d.chunk+1) == 0 {
			if e != 0 {
				return nil, fmt.Errorf("sector bitmap entry %d is %#x", i, e)
			}
			continue
		}
		d.bat = append(d.bat, e)
	}
	return d, nil
}

func (d *vhdxDisk) readMetadata(at int64) error {
	m := make([]byte, vhdxMetadataLength)
	if err := readFull(d.f, m, at); err != nil {
		return err
	}
	if string(m[:8]) != vhdxMetadataSignature {
		return fmt.Errorf("metadata signature %q", m[:8])
	}
	le := binary.LittleEndian
	items := map[[16]byte][]byte{}
	for i := range int(le.Uint16(m[10:])) {
		e := m[32+32*i:]
		var g [16]byte
		copy(g[:], e)
		off, n := le.Uint32(e[16:]), le.Uint32(e[20:])
		if off < vhdxMetadataItems || le.Uint32(e[24:])&vhdxMetaRequired == 0 {
			return fmt.Errorf("metadata item %d: offset %d, flags %#x", i, off, le.Uint32(e[24:]))
		}
		items[g] = m[off : off+n]
	}
	get := func(g [16]byte, n int) ([]byte, error) {
		b, ok := items[msGUID(g)]
		if !ok || len(b) != n {
			return nil, fmt.Errorf("metadata item %x missing or of the wrong length", g)
		}
		return b, nil
	}
	fp, err := get(vhdxFileParamsGUID, 8)
	if err != nil {
		return err
	}
	size, err := get(vhdxDiskSizeGUID, 8)
	if err != nil {
		return err
	}
	p83, err := get(vhdxPage83GUID, 16)
	if err != nil {
		return err
	}
	ls, err := get(vhdxLogicalSectGUID, 4)
	if err != nil {
		return err
	}
	ps, err := get(vhdxPhysicalSectGUID, 4)
	if err != nil {
		return err
	}
	if le.Uint32(fp[4:]) != 0 {
		return fmt.Errorf("file parameter flags %#x", le.Uint32(fp[4:]))
	}
	d.block, d.size = int64(le.Uint32(fp)), int64(le.Uint64(size))
	d.logical, d.physical = int64(le.Uint32(ls)), int64(le.Uint32(ps))
	copy(d.page83[:], p83)
	d.chunk = vhdxChunkSectors * d.logical / d.block
	return nil
}

func vhdxCheckCRC(b []byte, sig string) error {
	if string(b[:4]) != sig {
		return fmt.Errorf("signature %q", b[:4])
	}
	c := bytes.Clone(b)
	binary.LittleEndian.PutUint32(c[4:], 0)
	if got, want := binary.LittleEndian.Uint32(b[4:]), crc32c(c); got != want {
		return fmt.Errorf("checksum %#x, want %#x", got, want)
	}
	return nil
}

func (d *vhdxDisk) Size() int64 { return d.size }

func (d *vhdxDisk) ReadAt(p []byte, off int64) (int, error) {
	return readBlocks(p, off, d.block, func(b []byte, blk, in int64) error {
		switch e := d.bat[blk]; e & 7 {
		case vhdxStateZero:
			if e != vhdxStateZero {
				return fmt.Errorf("zero block %d has an offset", blk)
			}
			return nil
		case vhdxStateFull:
			return readFull(d.f, b, int64(e&^(miB-1))+in)
		default:
			return fmt.Errorf("block %d in state %d", blk, e&7)
		}
	})
}
