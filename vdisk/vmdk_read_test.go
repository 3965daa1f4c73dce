package vdisk

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strings"
)

// vmdkDisk reads hosted sparse extents (monolithicSparse) and
// stream-optimized ones, checking the header fields this package sets,
// the embedded descriptor's extent line, and that both grain directories
// of a monolithicSparse image agree.
type vmdkDisk struct {
	f          *os.File
	capacity   int64
	compressed bool
	gts        [][]uint32 // grain tables by directory index; nil if absent
	desc       string
}

func openVMDK(f *os.File) (*vmdkDisk, error) {
	h := make([]byte, sectorSize)
	if err := readFull(f, h, 0); err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	if string(h[:4]) != vmdkMagic {
		return nil, fmt.Errorf("bad magic %q", h[:4])
	}
	if h[73] != '\n' || h[74] != ' ' || h[75] != '\r' || h[76] != '\n' {
		return nil, fmt.Errorf("bad newline detection bytes")
	}
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	flags := le.Uint32(h[8:])
	d := &vmdkDisk{f: f, capacity: int64(le.Uint64(h[12:])), compressed: flags&vmdkFlagCompressed != 0}
	if le.Uint64(h[20:]) != vmdkGrainSectors || le.Uint32(h[44:]) != vmdkGTEs {
		return nil, fmt.Errorf("unexpected grain size or grain table size")
	}
	desc := make([]byte, le.Uint64(h[36:])*sectorSize)
	if err := readFull(f, desc, int64(le.Uint64(h[28:]))*sectorSize); err != nil {
		return nil, err
	}
	d.desc = string(bytes.TrimRight(desc, "\x00"))
	if !strings.Contains(d.desc, fmt.Sprintf("\nRW %d SPARSE ", d.capacity)) {
		return nil, fmt.Errorf("descriptor's extent does not cover %d sectors:\n%s", d.capacity, d.desc)
	}
	gdOffset := le.Uint64(h[56:])
	if gdOffset == vmdkGDAtEnd {
		if st.Size() < 3*sectorSize {
			return nil, fmt.Errorf("no room for a footer")
		}
		foot := make([]byte, 3*sectorSize)
		if err := readFull(f, foot, st.Size()-3*sectorSize); err != nil {
			return nil, err
		}
		if le.Uint32(foot[12:]) != vmdkMarkerFooter || string(foot[512:516]) != vmdkMagic || !bytes.Equal(foot[1024:], make([]byte, sectorSize)) {
			return nil, fmt.Errorf("bad footer or end-of-stream marker")
		}
		gdOffset = le.Uint64(foot[512+56:])
	}
	gtCount := (d.capacity + vmdkGrainSectors*vmdkGTEs - 1) / (vmdkGrainSectors * vmdkGTEs)
	gts, err := d.readGD(int64(gdOffset), gtCount)
	if err != nil {
		return nil, err
	}
	d.gts = gts
	if flags&vmdkFlagRGD != 0 {
		rgts, err := d.readGD(int64(le.Uint64(h[48:])), gtCount)
		if err != nil {
			return nil, err
		}
		if fmt.Sprint(rgts) != fmt.Sprint(gts) {
			return nil, fmt.Errorf("redundant grain tables differ")
		}
	}
	return d, nil
}

func (d *vmdkDisk) readGD(sector, n int64) ([][]uint32, error) {
	gd := make([]byte, 4*n)
	if err := readFull(d.f, gd, sector*sectorSize); err != nil {
		return nil, err
	}
	gts := make([][]uint32, n)
	for i := range n {
		at := binary.LittleEndian.Uint32(gd[4*i:])
		if at == 0 {
			continue
		}
		b := make([]byte, vmdkGTEs*4)
		if err := readFull(d.f, b, int64(at)*sectorSize); err != nil {
			return nil, err
		}
		gts[i] = make([]uint32, vmdkGTEs)
		for j := range gts[i] {
			gts[i][j] = binary.LittleEndian.Uint32(b[4*j:])
		}
	}
	return gts, nil
}

func (d *vmdkDisk) Size() int64 { return d.capacity * sectorSize }

func (d *vmdkDisk) ReadAt(p []byte, off int64) (int, error) {
	grain := make([]byte, vmdkGrainSize)
	return readBlocks(p, off, vmdkGrainSize, func(b []byte, g, in int64) error {
		if gt := d.gts[g/vmdkGTEs]; gt != nil && gt[g%vmdkGTEs] != 0 {
			clear(grain)
			if err := d.grain(grain, g, int64(gt[g%vmdkGTEs])*sectorSize); err != nil {
				return err
			}
			copy(b, grain[in:])
		}
		return nil
	})
}

func (d *vmdkDisk) grain(dst []byte, g, at int64) error {
	if !d.compressed {
		return readFull(d.f, dst, at)
	}
	m := make([]byte, 12)
	if err := readFull(d.f, m, at); err != nil {
		return err
	}
	if lba := binary.LittleEndian.Uint64(m); lba != uint64(g*vmdkGrainSectors) {
		return fmt.Errorf("grain marker at %d is for sector %d, want %d", at, lba, g*vmdkGrainSectors)
	}
	c := make([]byte, binary.LittleEndian.Uint32(m[8:]))
	if err := readFull(d.f, c, at+12); err != nil {
		return err
	}
	z, err := zlib.NewReader(bytes.NewReader(c))
	if err != nil {
		return err
	}
	if _, err := io.ReadFull(z, dst); err != nil {
		return fmt.Errorf("inflating grain %d: %w", g, err)
	}
	return nil
}
