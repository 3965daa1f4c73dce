package iso9660

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// Params are the inputs of the header.
type Params struct {
	// System, Volume and Publisher are --el-torito-system=,
	// --el-torito-volume= and --el-torito-publisher=; "" (repart's
	// default) leaves the field all spaces.
	System, Volume, Publisher string
	// Time dates the volume and its root directory, in Time's location:
	// SOURCE_DATE_EPOCH as UTC, or repart's fallback, the local time now.
	Time time.Time
	// ESPOffset is the byte offset of the EFI System Partition the boot
	// catalog points at.
	ESPOffset uint64
}

// Encode returns the header, Size bytes to write at Offset. It refuses what
// repart refuses when it writes the header (an unusable ESP offset or time)
// or parses the identifiers.
func Encode(p Params) ([]byte, error) {
	if err := checkIdents(p); err != nil {
		return nil, err
	}
	if err := CheckESP(p.ESPOffset); err != nil {
		return nil, err
	}
	if err := checkTime(p.Time); err != nil {
		return nil, err
	}
	h := make([]byte, Size)
	putPrimary(block(h, pvdBlock), p)
	putBootRecord(block(h, bootBlock))
	putDescriptorHeader(block(h, termBlock), typeTerminator)
	putCatalog(block(h, catalogBlock), uint32(p.ESPOffset/BlockSize))
	putRootDirectory(block(h, rootDirBlock), p.Time)
	return h, nil
}

// Write encodes the header and writes it at Offset of w.
func Write(w io.WriterAt, p Params) error {
	h, err := Encode(p)
	if err != nil {
		return err
	}
	if _, err := w.WriteAt(h, Offset); err != nil {
		return fmt.Errorf("writing El Torito boot catalog: %w", err)
	}
	return nil
}

// block returns ISO block n of the header h.
func block(h []byte, n int) []byte {
	off := (n - firstBlock) * BlockSize
	return h[off : off+BlockSize]
}

func putDescriptorHeader(b []byte, typ byte) {
	b[vdType] = typ
	copy(b[vdIdent:], standardIdent)
	b[vdVersion] = 1
}

func putPrimary(b []byte, p Params) {
	putDescriptorHeader(b, typePrimary)
	putIdent(b[pvdSystem:pvdSystem+systemLen], p.System)
	putIdent(b[pvdVolume:pvdVolume+volumeLen], p.Volume)
	putBoth32(b[pvdSpaceSize:], volumeBlocks)
	putBoth16(b[pvdSetSize:], 1)
	putBoth16(b[pvdSequence:], 1)
	putBoth16(b[pvdBlockSize:], BlockSize)
	putRecord(b[pvdRootRecord:], identSelf, p.Time)
	putIdent(b[pvdVolumeSet:pvdVolumeSet+textLen], "")
	putIdent(b[pvdPublisher:pvdPublisher+publisherLen], p.Publisher)
	putIdent(b[pvdPreparer:pvdPreparer+textLen], "")
	putIdent(b[pvdApplication:pvdApplication+textLen], application)
	putIdent(b[pvdCopyright:pvdCopyright+fileIdentLen], "")
	putIdent(b[pvdAbstract:pvdAbstract+fileIdentLen], "")
	putIdent(b[pvdBibliographic:pvdBibliographic+fileIdentLen], "")
	putLongDate(b[pvdCreated:], p.Time)
	putLongDate(b[pvdModified:], p.Time)
	putZeroLongDate(b[pvdExpires:])
	putZeroLongDate(b[pvdEffective:])
	b[pvdFileStructure] = 1
}

func putBootRecord(b []byte) {
	putDescriptorHeader(b, typeBootRecord)
	copy(b[bootSystemIdent:bootSystemIdent+bootSystemIdentLen], elToritoIdent)
	binary.LittleEndian.PutUint32(b[bootCatalogPointer:], catalogBlock)
}

func putCatalog(b []byte, loadRBA uint32) {
	v := b[0:entrySize]
	v[0] = valHeader
	v[valPlatform] = platformEFI
	v[valKey], v[valKey+1] = keyByte1, keyByte2
	binary.LittleEndian.PutUint16(v[valChecksum:], validationChecksum(v))

	d := b[entrySize : 2*entrySize]
	d[0] = bootable
	d[defMedia] = noEmulation
	binary.LittleEndian.PutUint16(d[defSectorCount:], 0)
	binary.LittleEndian.PutUint32(d[defLoadRBA:], loadRBA)

	s := b[2*entrySize : 3*entrySize]
	s[0] = finalSection
	s[secPlatform] = 0 // repart leaves the section header's platform 0 (x86)
	binary.LittleEndian.PutUint16(s[secEntryCount:], 0)
}

// validationChecksum returns the word that makes the 16 little-endian
// words of the validation entry v sum to 0 (v's checksum field read as 0).
func validationChecksum(v []byte) uint16 {
	var sum uint16
	for i := 0; i < entrySize; i += 2 {
		if i != valChecksum {
			sum += binary.LittleEndian.Uint16(v[i:])
		}
	}
	return -sum
}

func putRootDirectory(b []byte, t time.Time) {
	putRecord(b[0:], identSelf, t)
	putRecord(b[recordLen:], identParent, t)
}

// putRecord writes a directory record for the root directory: "." or, as
// the root has no parent, ".." pointing at itself.
func putRecord(b []byte, ident byte, t time.Time) {
	b[recLen] = recordLen
	putBoth32(b[recExtent:], rootDirBlock)
	putBoth32(b[recDataLen:], rootDirLen)
	putShortDate(b[recDate:], t)
	b[recFlags] = flagDirectory
	putBoth16(b[recSequence:], 1)
	b[recIdentLen] = 1
	b[recIdent] = ident
}

func putBoth16(b []byte, v uint16) {
	binary.LittleEndian.PutUint16(b, v)
	binary.BigEndian.PutUint16(b[2:], v)
}

func putBoth32(b []byte, v uint32) {
	binary.LittleEndian.PutUint32(b, v)
	binary.BigEndian.PutUint32(b[4:], v)
}
