package vdisk

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strings"
)

// vmdkLayout places the metadata of a hosted sparse extent as qemu's
// vmdk_init_extent does (all in 512-byte sectors): header, embedded
// descriptor (sectors 1-20), redundant grain directory and its grain
// tables, grain directory and its grain tables, then grains from a
// 64 KiB-aligned offset. All grain tables exist, empty or not.
type vmdkLayout struct {
	capacity    int64 // sectors
	gtCount     int64
	gdSectors   int64
	rgdOffset   int64
	gdOffset    int64
	grainOffset int64
}

func newVMDKLayout(size int64) vmdkLayout {
	var l vmdkLayout
	l.capacity = size / sectorSize
	grains := (l.capacity + vmdkGrainSectors - 1) / vmdkGrainSectors
	l.gtCount = (grains + vmdkGTEs - 1) / vmdkGTEs
	l.gdSectors = (l.gtCount*4 + sectorSize - 1) / sectorSize
	l.rgdOffset = vmdkDescOffset + vmdkDescSectors
	l.gdOffset = l.rgdOffset + l.gdSectors + l.gtCount*vmdkGTSectors
	end := l.gdOffset + l.gdSectors + l.gtCount*vmdkGTSectors
	l.grainOffset = (end + vmdkGrainSectors - 1) / vmdkGrainSectors * vmdkGrainSectors
	return l
}

// gd returns a grain directory whose tables follow it at offset (sectors).
func (l vmdkLayout) gd(offset int64) []byte {
	b := make([]byte, l.gdSectors*sectorSize)
	for i := range l.gtCount {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(offset+l.gdSectors+i*vmdkGTSectors))
	}
	return b
}

// writeVMDK writes a monolithicSparse VMDK: grains of 64 KiB holding data
// are stored in guest order, grains of zeros are not (grain table entry
// 0, read as zeros without a parent). Both grain table copies are written
// as each 32 MiB span of the image is passed.
func writeVMDK(dst, src *os.File, size int64, p Params) (int64, error) {
	if err := vmdkCheckName(p.Name); err != nil {
		return 0, err
	}
	l := newVMDKLayout(size)
	if last := l.grainOffset + (l.capacity+vmdkGrainSectors-1)/vmdkGrainSectors*vmdkGrainSectors; last > math.MaxUint32 {
		return 0, fmt.Errorf("image size %d is too large for a monolithicSparse VMDK, whose grain offsets are 32-bit sector numbers", size)
	}
	o := &out{f: dst, off: l.grainOffset * sectorSize}
	gt := make([]byte, vmdkGTEs*4)
	table := int64(-1)
	flush := func() error {
		if table < 0 {
			return nil
		}
		for _, base := range []int64{l.rgdOffset, l.gdOffset} {
			if err := o.at(gt, (base+l.gdSectors+table*vmdkGTSectors)*sectorSize); err != nil {
				return err
			}
		}
		clear(gt)
		table = -1
		return nil
	}
	err := newScanner(src, size, vmdkGrainSize, p).each(func(first int64, data []byte) error {
		n := int64(len(data)) / vmdkGrainSize
		for i := range n {
			g := first + i
			if t := g / vmdkGTEs; t != table {
				if err := flush(); err != nil {
					return err
				}
				table = t
			}
			binary.LittleEndian.PutUint32(gt[4*(g%vmdkGTEs):], uint32(o.off/sectorSize+i*vmdkGrainSectors))
		}
		return o.write(data)
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return 0, err
	}
	end := o.off
	meta := []struct {
		b   []byte
		off int64
	}{
		{vmdkHeader(l, vmdkVersion, vmdkFlagNLTest|vmdkFlagRGD, uint64(l.gdOffset), 0), 0},
		{[]byte(vmdkDescriptor("monolithicSparse", size, p)), vmdkDescOffset * sectorSize},
		{l.gd(l.rgdOffset), l.rgdOffset * sectorSize},
		{l.gd(l.gdOffset), l.gdOffset * sectorSize},
	}
	for _, m := range meta {
		if err := o.at(m.b, m.off); err != nil {
			return 0, err
		}
	}
	return end, nil
}

// vmdkHeader encodes the sparse extent header (a SparseExtentHeader of 512
// bytes, little-endian, after the "KDMV" magic).
func vmdkHeader(l vmdkLayout, version, flags uint32, gdOffset uint64, compress uint16) []byte {
	h := make([]byte, sectorSize)
	le := binary.LittleEndian
	copy(h[0:], vmdkMagic)
	le.PutUint32(h[4:], version)
	le.PutUint32(h[8:], flags)
	le.PutUint64(h[12:], uint64(l.capacity))
	le.PutUint64(h[20:], vmdkGrainSectors)
	le.PutUint64(h[28:], vmdkDescOffset)
	le.PutUint64(h[36:], vmdkDescSectors)
	le.PutUint32(h[44:], vmdkGTEs)
	if flags&vmdkFlagRGD != 0 {
		le.PutUint64(h[48:], uint64(l.rgdOffset))
	}
	le.PutUint64(h[56:], gdOffset)
	le.PutUint64(h[64:], uint64(l.grainOffset))
	h[72] = 0 // clean shutdown
	h[73], h[74], h[75], h[76] = '\n', ' ', '\r', '\n'
	le.PutUint16(h[77:], compress)
	return h
}

// vmdkDescriptor is the embedded descriptor, in qemu's words, plus the
// ddb.uuid keys VirtualBox would otherwise add itself on first open.
func vmdkDescriptor(createType string, size int64, p Params) string {
	id := deriveID(p.Seed, "vmdk-cid")
	cid := binary.BigEndian.Uint32(id[:4])
	if cid >= 0xfffffffe { // 0xffffffff means "no parent"
		cid ^= 0x80000000
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Disk DescriptorFile\nversion=1\nCID=%08x\nparentCID=ffffffff\ncreateType=%q\n\n", cid, createType)
	fmt.Fprintf(&b, "# Extent description\nRW %d SPARSE \"%s\"\n\n", size/sectorSize, p.Name)
	fmt.Fprintf(&b, "# The Disk Data Base\n#DDB\n\n")
	fmt.Fprintf(&b, "ddb.virtualHWVersion = %q\n", vmdkHWVersion)
	fmt.Fprintf(&b, "ddb.geometry.cylinders = \"%d\"\n", size/(vmdkSectorsPerTrack*vmdkHeads*sectorSize))
	fmt.Fprintf(&b, "ddb.geometry.heads = \"%d\"\n", vmdkHeads)
	fmt.Fprintf(&b, "ddb.geometry.sectors = \"%d\"\n", vmdkSectorsPerTrack)
	fmt.Fprintf(&b, "ddb.adapterType = %q\n", vmdkAdapter)
	fmt.Fprintf(&b, "ddb.uuid.image = %q\n", formatUUID(deriveID(p.Seed, "vmdk-image-uuid")))
	fmt.Fprintf(&b, "ddb.uuid.parent = %q\n", formatUUID([16]byte{}))
	fmt.Fprintf(&b, "ddb.uuid.modification = %q\n", formatUUID(deriveID(p.Seed, "vmdk-modification-uuid")))
	fmt.Fprintf(&b, "ddb.uuid.parentmodification = %q\n", formatUUID([16]byte{}))
	return b.String()
}

// vmdkCheckName refuses file names the descriptor's extent line cannot
// hold: it is a quoted path relative to the descriptor.
func vmdkCheckName(name string) error {
	bad := strings.ContainsAny(name, "\"/") || strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f })
	if bad || len(name) > 1024 {
		return fmt.Errorf("file name %q cannot be recorded in a vmdk descriptor (no quotes, slashes or control characters, at most 1024 bytes)", name)
	}
	return nil
}

// formatUUID is the dashed lowercase form of a UUID in textual byte order.
func formatUUID(u [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
