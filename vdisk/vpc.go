package vdisk

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
)

// writeVHDFixed writes a fixed VHD: the raw image, holes kept, followed by
// the 512-byte footer. Azure takes only fixed VHDs whose virtual size is
// a whole number of MiB; other sizes are refused rather than rounded,
// since growing the disk would move the end the backup GPT sits at.
func writeVHDFixed(dst, src *os.File, size int64, p Params) (int64, error) {
	if err := vhdCheckSize(size); err != nil {
		return 0, err
	}
	if size%vhdFixedAlign != 0 {
		next := (size + vhdFixedAlign - 1) / vhdFixedAlign * vhdFixedAlign
		return 0, fmt.Errorf("a fixed VHD must have a virtual size that is a multiple of 1 MiB (Azure refuses others), but the image is %d bytes; make it %d bytes", size, next)
	}
	if err := copyRaw(dst, src, size, p.Progress); err != nil {
		return 0, err
	}
	o := &out{f: dst}
	if err := o.at(vhdFooter(size, vhdTypeFixed, p), size); err != nil {
		return 0, err
	}
	return size + vhdFooterSize, nil
}

// writeVHDDynamic writes a dynamic VHD as qemu lays one out: a copy of
// the footer, the dynamic disk header, the BAT, then each 2 MiB block that
// holds data as its sector bitmap (all sectors present) and its data, in
// guest order, and the footer at the end. Blocks of zeros are not in the
// file (BAT entry 0xFFFFFFFF) and read as zeros.
func writeVHDDynamic(dst, src *os.File, size int64, p Params) (int64, error) {
	if err := vhdCheckSize(size); err != nil {
		return 0, err
	}
	entries := (size + vhdBlockSize - 1) / vhdBlockSize
	batBytes := (entries*4 + sectorSize - 1) / sectorSize * sectorSize
	bat := make([]byte, batBytes)
	for i := range bat {
		bat[i] = 0xff
	}
	bitmap := make([]byte, vhdBitmapSize)
	for i := range bitmap {
		bitmap[i] = 0xff
	}
	o := &out{f: dst, off: vhdBATOffset + batBytes}
	err := newScanner(src, size, vhdBlockSize, p).each(func(first int64, data []byte) error {
		for ; len(data) > 0; first++ {
			binary.BigEndian.PutUint32(bat[4*first:], uint32(o.off/sectorSize))
			if err := o.write(bitmap); err != nil {
				return err
			}
			if err := o.writeSparse(data[:vhdBlockSize]); err != nil {
				return err
			}
			data = data[vhdBlockSize:]
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	footer := vhdFooter(size, vhdTypeDynamic, p)
	end := o.off + vhdFooterSize
	if err := o.write(footer); err != nil {
		return 0, err
	}
	if err := o.at(bat, vhdBATOffset); err != nil {
		return 0, err
	}
	if err := o.at(vhdDynamicHeader(entries), vhdFooterSize); err != nil {
		return 0, err
	}
	if err := o.at(footer, 0); err != nil {
		return 0, err
	}
	return end, nil
}

func vhdCheckSize(size int64) error {
	if size > vhdMaxSectors*sectorSize {
		return fmt.Errorf("image size %d exceeds the VHD limit of %d bytes (2040 GiB)", size, int64(vhdMaxSectors*sectorSize))
	}
	return nil
}

// vhdFooter encodes the hard disk footer. Its creator application is
// "qem2": qemu (block/vpc.c) then takes the disk size from current_size,
// as Hyper-V and Azure do, instead of from the CHS geometry, which cannot
// express most sizes; the geometry is still the specification's
// (rounded down), for Virtual PC.
func vhdFooter(size int64, diskType uint32, p Params) []byte {
	f := make([]byte, vhdFooterSize)
	be := binary.BigEndian
	copy(f[0:], vhdCookie)
	be.PutUint32(f[8:], vhdFeatures)
	be.PutUint32(f[12:], vhdVersion)
	dataOffset := uint64(vhdNoOffset)
	if diskType == vhdTypeDynamic {
		dataOffset = vhdFooterSize
	}
	be.PutUint64(f[16:], dataOffset)
	be.PutUint32(f[24:], vhdTimestamp(p.Time.Unix()))
	copy(f[28:], vhdCreatorApp)
	be.PutUint32(f[32:], vhdCreatorVersion)
	copy(f[36:], vhdCreatorOS)
	be.PutUint64(f[40:], uint64(size))
	be.PutUint64(f[48:], uint64(size))
	cyls, heads, spt := vhdGeometry(size / sectorSize)
	be.PutUint16(f[56:], cyls)
	f[58], f[59] = heads, spt
	be.PutUint32(f[60:], diskType)
	id := deriveID(p.Seed, "vhd-unique-id")
	copy(f[68:], id[:])
	be.PutUint32(f[64:], vhdChecksum(f))
	return f
}

// vhdDynamicHeader encodes the dynamic disk header: no parent, the BAT
// right after the header, 2 MiB blocks.
func vhdDynamicHeader(entries int64) []byte {
	h := make([]byte, vhdDynHeaderSize)
	be := binary.BigEndian
	copy(h[0:], vhdDynCookie)
	be.PutUint64(h[8:], vhdNoOffset)
	be.PutUint64(h[16:], vhdBATOffset)
	be.PutUint32(h[24:], vhdVersion)
	be.PutUint32(h[28:], uint32(entries))
	be.PutUint32(h[32:], vhdBlockSize)
	be.PutUint32(h[36:], vhdChecksum(h))
	return h
}

// vhdChecksum is the one's complement of the sum of all bytes (the
// checksum field must be zero while it is computed).
func vhdChecksum(b []byte) uint32 {
	var sum uint32
	for _, c := range b {
		sum += uint32(c)
	}
	return ^sum
}

// vhdTimestamp converts a Unix time to seconds since 2000-01-01 UTC,
// clamped to what the 32-bit field holds.
func vhdTimestamp(unix int64) uint32 {
	return uint32(min(max(unix-vhdEpoch, 0), math.MaxUint32))
}

// vhdGeometry is the CHS computation of the VHD specification (appendix
// "CHS Calculation"), as qemu's calculate_geometry does it; the product
// may be smaller than sectors.
func vhdGeometry(sectors int64) (cyls uint16, heads, spt uint8) {
	sectors = min(sectors, vhdMaxGeometry)
	var cylTimesHeads int64
	if sectors >= vhdCHS63Threshold {
		spt, heads = 255, 16
		cylTimesHeads = sectors / int64(spt)
	} else {
		spt = 17
		cylTimesHeads = sectors / int64(spt)
		h := max((cylTimesHeads+1023)/1024, 4)
		if cylTimesHeads >= h*1024 || h > 16 {
			spt, h = 31, 16
			cylTimesHeads = sectors / int64(spt)
		}
		if cylTimesHeads >= h*1024 {
			spt, h = 63, 16
			cylTimesHeads = sectors / int64(spt)
		}
		heads = uint8(h)
	}
	return uint16(cylTimesHeads / int64(heads)), heads, spt
}
