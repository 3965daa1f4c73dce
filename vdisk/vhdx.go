package vdisk

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"unicode/utf16"
)

// vhdxLayout places a dynamic VHDX as qemu's vhdx_create does: the 1 MiB
// header section (file identifier, two headers, two region tables), an
// empty 1 MiB log, the BAT, the 1 MiB metadata region, then 1 MiB payload
// blocks in guest order.
type vhdxLayout struct {
	logical    int64 // logical sector size
	chunkRatio int64 // payload blocks per sector bitmap block
	blocks     int64 // payload blocks
	batEntries int64
	batLength  int64
	metadata   int64 // offset of the metadata region
	data       int64 // offset of the first payload block
}

func newVHDXLayout(size, logical int64) vhdxLayout {
	l := vhdxLayout{logical: logical}
	l.chunkRatio = vhdxChunkSectors * logical / vhdxBlockSize
	l.blocks = (size + vhdxBlockSize - 1) / vhdxBlockSize
	l.batEntries = l.blocks + (l.blocks-1)/l.chunkRatio
	l.batLength = (l.batEntries*8 + miB - 1) / miB * miB
	l.metadata = vhdxBATOffset + l.batLength
	l.data = l.metadata + vhdxMetadataLength
	return l
}

// writeVHDX writes a dynamic VHDX. Payload blocks that hold data are
// PAYLOAD_BLOCK_FULLY_PRESENT; blocks of zeros are PAYLOAD_BLOCK_ZERO (a
// not-present block of a dynamic VHDX may read as anything, [MS-VHDX]
// §2.5.1.1); sector bitmap entries are all SB_BLOCK_NOT_PRESENT. The log
// is empty (log GUID zero), so nothing is replayed on open.
func writeVHDX(dst, src *os.File, size int64, p Params) (int64, error) {
	if size > vhdxMaxSize {
		return 0, fmt.Errorf("image size %d exceeds the VHDX limit of 64 TiB", size)
	}
	l := newVHDXLayout(size, int64(p.SectorSize))
	bat := make([]byte, l.batLength)
	for i := range l.blocks {
		binary.LittleEndian.PutUint64(bat[8*(i+i/l.chunkRatio):], vhdxStateZero)
	}
	o := &out{f: dst, off: l.data}
	err := newScanner(src, size, vhdxBlockSize, p).each(func(first int64, data []byte) error {
		for i := range int64(len(data)) / vhdxBlockSize {
			b := first + i
			binary.LittleEndian.PutUint64(bat[8*(b+b/l.chunkRatio):], uint64(o.off+i*vhdxBlockSize)|vhdxStateFull)
		}
		return o.writeSparse(data)
	})
	if err != nil {
		return 0, err
	}
	end := o.off
	fileWrite := msGUID(deriveID(p.Seed, "vhdx-file-write-guid"))
	dataWrite := msGUID(deriveID(p.Seed, "vhdx-data-write-guid"))
	regions := vhdxRegionTable(l)
	meta := []struct {
		b   []byte
		off int64
	}{
		{vhdxFileIdentifier(), 0},
		{vhdxHeader(1, fileWrite, dataWrite), vhdxHeader1Offset},
		{vhdxHeader(2, fileWrite, dataWrite), vhdxHeader2Offset},
		{regions, vhdxRegion1Offset},
		{regions, vhdxRegion2Offset},
		{bat, vhdxBATOffset},
		{vhdxMetadata(size, l, p), l.metadata},
	}
	for _, m := range meta {
		if err := o.at(m.b, m.off); err != nil {
			return 0, err
		}
	}
	return max(end, l.data), nil
}

// vhdxFileIdentifier is the signature and the creator, UTF-16LE.
func vhdxFileIdentifier() []byte {
	b := make([]byte, 8+512)
	copy(b, vhdxFileSignature)
	for i, u := range utf16.Encode([]rune("gorepart")) {
		binary.LittleEndian.PutUint16(b[8+2*i:], u)
	}
	return b
}

// vhdxHeader encodes one of the two headers ([MS-VHDX] §2.2.2); the one
// with the larger sequence number is current. The checksum covers 4 KiB.
func vhdxHeader(seq uint64, fileWrite, dataWrite [16]byte) []byte {
	h := make([]byte, vhdxHeaderCRCSize)
	le := binary.LittleEndian
	copy(h[0:], vhdxHeaderSignature)
	le.PutUint64(h[8:], seq)
	copy(h[16:], fileWrite[:])
	copy(h[32:], dataWrite[:])
	// log GUID (48) zero: no log entries; log version (64) 0
	le.PutUint16(h[66:], 1) // version
	le.PutUint32(h[68:], vhdxLogLength)
	le.PutUint64(h[72:], vhdxLogOffset)
	le.PutUint32(h[4:], crc32c(h))
	return h
}

// vhdxRegionTable lists the BAT and the metadata region, both required
// ([MS-VHDX] §2.3); the checksum covers 64 KiB.
func vhdxRegionTable(l vhdxLayout) []byte {
	t := make([]byte, vhdxRegionSize)
	le := binary.LittleEndian
	copy(t[0:], vhdxRegionSignature)
	le.PutUint32(t[8:], 2)
	entry := func(at int, guid [16]byte, off, length int64) {
		g := msGUID(guid)
		copy(t[at:], g[:])
		le.PutUint64(t[at+16:], uint64(off))
		le.PutUint32(t[at+24:], uint32(length))
		le.PutUint32(t[at+28:], vhdxRegionRequired)
	}
	entry(16, vhdxBATGUID, vhdxBATOffset, l.batLength)
	entry(48, vhdxMetadataGUID, l.metadata, vhdxMetadataLength)
	le.PutUint32(t[4:], crc32c(t))
	return t
}

// vhdxMetadata encodes the metadata table and the five required items
// ([MS-VHDX] §2.6): file parameters (1 MiB blocks, no parent, blocks not
// kept allocated), virtual disk size, page 83 data (the disk's id), and
// the logical and physical sector sizes.
func vhdxMetadata(size int64, l vhdxLayout, p Params) []byte {
	m := make([]byte, vhdxMetadataItems+64)
	le := binary.LittleEndian
	copy(m[0:], vhdxMetadataSignature)
	page83 := msGUID(deriveID(p.Seed, "vhdx-page83"))
	items := []struct {
		guid  [16]byte
		data  []byte
		flags uint32
	}{
		{vhdxFileParamsGUID, le.AppendUint32(le.AppendUint32(nil, vhdxBlockSize), 0), vhdxMetaRequired},
		{vhdxDiskSizeGUID, le.AppendUint64(nil, uint64(size)), vhdxMetaRequired | vhdxMetaVirtualDisk},
		{vhdxPage83GUID, page83[:], vhdxMetaRequired | vhdxMetaVirtualDisk},
		{vhdxLogicalSectGUID, le.AppendUint32(nil, uint32(l.logical)), vhdxMetaRequired | vhdxMetaVirtualDisk},
		{vhdxPhysicalSectGUID, le.AppendUint32(nil, vhdxPhysicalSector), vhdxMetaRequired | vhdxMetaVirtualDisk},
	}
	le.PutUint16(m[10:], uint16(len(items)))
	off := vhdxMetadataItems
	for i, it := range items {
		e := m[32+32*i:]
		g := msGUID(it.guid)
		copy(e, g[:])
		le.PutUint32(e[16:], uint32(off))
		le.PutUint32(e[20:], uint32(len(it.data)))
		le.PutUint32(e[24:], it.flags)
		off += copy(m[off:], it.data)
	}
	return m
}

// crc32c is the CRC-32C of b, as [MS-VHDX] checksums are computed (with
// the checksum field zero).
func crc32c(b []byte) uint32 {
	return crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli))
}
