package vdisk

import (
	"encoding/binary"
	"fmt"
	"os"
)

// writeVDI writes a dynamic VDI 1.1: the 512-byte header, the block map
// at 512, then from the next MiB (VirtualBox aligns its data area so) the
// 1 MiB blocks that hold data, in guest order. Blocks of zeros are marked
// VDI_IMAGE_BLOCK_ZERO (0xFFFFFFFE), which VirtualBox and qemu read as
// zeros; the never-written state (0xFFFFFFFF) is documented by
// VirtualBox as reading anything, and a hole of the raw image and
// written zeros must give the same container anyway.
func writeVDI(dst, src *os.File, size int64, p Params) (int64, error) {
	blocks := (size + vdiBlockSize - 1) / vdiBlockSize
	if blocks > vdiMaxBlocks {
		return 0, fmt.Errorf("image size %d exceeds the VDI limit of %d blocks of 1 MiB", size, vdiMaxBlocks)
	}
	bmapBytes := (blocks*4 + sectorSize - 1) / sectorSize * sectorSize
	dataOffset := (vdiBMapOffset + bmapBytes + vdiDataAlign - 1) / vdiDataAlign * vdiDataAlign
	bmap := make([]byte, bmapBytes)
	for i := range blocks {
		binary.LittleEndian.PutUint32(bmap[4*i:], vdiBlockZero)
	}
	o := &out{f: dst, off: dataOffset}
	allocated := uint32(0)
	err := newScanner(src, size, vdiBlockSize, p).each(func(first int64, data []byte) error {
		for i := range int64(len(data)) / vdiBlockSize {
			binary.LittleEndian.PutUint32(bmap[4*(first+i):], allocated)
			allocated++
		}
		return o.writeSparse(data)
	})
	if err != nil {
		return 0, err
	}
	if err := o.at(bmap, vdiBMapOffset); err != nil {
		return 0, err
	}
	h := vdiHeader(size, blocks, dataOffset, allocated, p)
	if err := o.at(h, 0); err != nil {
		return 0, err
	}
	return o.off, nil
}

// vdiHeader encodes the pre-header and the version 1.1 header
// (VDIPREHEADER, VDIHEADER1PLUS). UUIDs are stored as VirtualBox stores
// them, little-endian fields; link and parent UUIDs are null (no parent).
// The header is the 0x180 bytes of version 1.1 without the LCHS
// geometry, as qemu writes it; the legacy geometry is zero ("let the
// hypervisor choose") but for its sector size, which VirtualBox checks.
func vdiHeader(size, blocks, dataOffset int64, allocated uint32, p Params) []byte {
	h := make([]byte, sectorSize)
	le := binary.LittleEndian
	copy(h[0:], vdiText)
	le.PutUint32(h[64:], vdiSignature)
	le.PutUint32(h[68:], vdiVersion)
	le.PutUint32(h[72:], vdiHeaderSize)
	le.PutUint32(h[76:], vdiTypeDynamic)
	// image flags (80) 0, description (84..339) empty
	le.PutUint32(h[340:], vdiBMapOffset)
	le.PutUint32(h[344:], uint32(dataOffset))
	le.PutUint32(h[360:], sectorSize) // legacy geometry: cylinders, heads, sectors (348..359) zero
	le.PutUint64(h[368:], uint64(size))
	le.PutUint32(h[376:], vdiBlockSize)
	// block extra (380) 0
	le.PutUint32(h[384:], uint32(blocks))
	le.PutUint32(h[388:], allocated)
	image := msGUID(deriveID(p.Seed, "vdi-image-uuid"))
	modify := msGUID(deriveID(p.Seed, "vdi-modification-uuid"))
	copy(h[392:], image[:])
	copy(h[408:], modify[:])
	// link (424) and parent modification (440) UUIDs null
	return h
}
