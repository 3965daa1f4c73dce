package iso9660

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// Header is an ISO 9660 volume with an El Torito catalog as Read finds it.
type Header struct {
	// Identifiers with their space padding removed.
	System, Volume, Publisher, Application, VolumeSet, Preparer string
	Created, Modified                                           time.Time
	ExpiresZero, EffectiveZero                                  bool // "0000…" dates
	SpaceBlocks, PathTableSize                                  uint32
	Root                                                        Record // the PVD's root record

	CatalogBlock uint32
	Platform     byte // of the validation entry
	Default      Entry
	Sections     int // section headers after the default entry

	RootEntries []Record // the records of the root directory
}

// Entry is a boot catalog entry.
type Entry struct {
	Bootable    bool
	Media       byte // 0: no emulation
	LoadSegment uint16
	SystemType  byte
	SectorCount uint16
	LoadRBA     uint32
}

// Record is a directory record.
type Record struct {
	Extent, DataLen uint32
	Time            time.Time
	Flags           byte
	Ident           []byte
}

// maxDescriptors bounds the walk of the volume descriptor set.
const maxDescriptors = 64

// Read parses the volume descriptors from block 16 up to the terminator,
// the boot catalog the El Torito boot record points at and the root
// directory's first block. It checks signatures, both-endian pairs and the
// validation entry's checksum and key bytes.
func Read(r io.ReaderAt) (*Header, error) {
	var h Header
	var pvd, boot []byte
	for n := int64(firstBlock); ; n++ {
		if n == firstBlock+maxDescriptors {
			return nil, errors.New("reading volume descriptors: no terminator")
		}
		b, err := readBlock(r, n)
		if err != nil {
			return nil, fmt.Errorf("reading volume descriptor %d: %w", n, err)
		}
		if string(b[vdIdent:vdIdent+5]) != standardIdent || b[vdVersion] != 1 {
			return nil, fmt.Errorf("reading volume descriptor %d: no %s signature", n, standardIdent)
		}
		switch b[vdType] {
		case typePrimary:
			pvd = b
		case typeBootRecord:
			boot = b
		}
		if b[vdType] == typeTerminator {
			break
		}
	}
	if pvd == nil {
		return nil, errors.New("reading volume descriptors: no primary volume descriptor")
	}
	if err := h.parsePrimary(pvd); err != nil {
		return nil, fmt.Errorf("reading primary volume descriptor: %w", err)
	}
	if boot == nil || string(bytes.TrimRight(boot[bootSystemIdent:bootSystemIdent+bootSystemIdentLen], "\x00")) != elToritoIdent {
		return nil, errors.New("reading volume descriptors: no El Torito boot record")
	}
	h.CatalogBlock = binary.LittleEndian.Uint32(boot[bootCatalogPointer:])
	cat, err := readBlock(r, int64(h.CatalogBlock))
	if err != nil {
		return nil, fmt.Errorf("reading boot catalog: %w", err)
	}
	if err := h.parseCatalog(cat); err != nil {
		return nil, fmt.Errorf("reading boot catalog: %w", err)
	}
	dir, err := readBlock(r, int64(h.Root.Extent))
	if err != nil {
		return nil, fmt.Errorf("reading root directory: %w", err)
	}
	if h.RootEntries, err = parseRecords(dir[:min(h.Root.DataLen, BlockSize)]); err != nil {
		return nil, fmt.Errorf("reading root directory: %w", err)
	}
	return &h, nil
}

func readBlock(r io.ReaderAt, n int64) ([]byte, error) {
	b := make([]byte, BlockSize)
	if _, err := r.ReadAt(b, n*BlockSize); err != nil {
		return nil, err
	}
	return b, nil
}

func (h *Header) parsePrimary(b []byte) error {
	text := func(off, n int) string { return string(bytes.TrimRight(b[off:off+n], " ")) }
	h.System = text(pvdSystem, systemLen)
	h.Volume = text(pvdVolume, volumeLen)
	h.VolumeSet = text(pvdVolumeSet, textLen)
	h.Publisher = text(pvdPublisher, publisherLen)
	h.Preparer = text(pvdPreparer, textLen)
	h.Application = text(pvdApplication, textLen)
	var err error
	if h.SpaceBlocks, err = both32(b[pvdSpaceSize:]); err != nil {
		return fmt.Errorf("volume space size: %w", err)
	}
	if h.PathTableSize, err = both32(b[pvdPathTableSize:]); err != nil {
		return fmt.Errorf("path table size: %w", err)
	}
	if bs, err := both16(b[pvdBlockSize:]); err != nil || bs != BlockSize {
		return fmt.Errorf("logical block size %d, want %d (%v)", bs, BlockSize, err)
	}
	if h.Created, err = parseLongDate(b[pvdCreated:]); err != nil {
		return fmt.Errorf("creation date: %w", err)
	}
	if h.Modified, err = parseLongDate(b[pvdModified:]); err != nil {
		return fmt.Errorf("modification date: %w", err)
	}
	zero := func(off int) bool {
		return string(b[off:off+16]) == "0000000000000000" && b[off+16] == 0
	}
	h.ExpiresZero, h.EffectiveZero = zero(pvdExpires), zero(pvdEffective)
	roots, err := parseRecords(b[pvdRootRecord : pvdRootRecord+recordLen])
	if err != nil || len(roots) != 1 {
		return fmt.Errorf("root directory record: %v", err)
	}
	h.Root = roots[0]
	return nil
}

func (h *Header) parseCatalog(b []byte) error {
	v := b[:entrySize]
	var sum uint16
	for i := 0; i < entrySize; i += 2 {
		sum += binary.LittleEndian.Uint16(v[i:])
	}
	if v[0] != valHeader || v[valKey] != keyByte1 || v[valKey+1] != keyByte2 || sum != 0 {
		return fmt.Errorf("bad validation entry % x", v)
	}
	h.Platform = v[valPlatform]
	d := b[entrySize : 2*entrySize]
	if d[0] != bootable && d[0] != 0 {
		return fmt.Errorf("bad boot indicator %#x", d[0])
	}
	h.Default = Entry{
		Bootable:    d[0] == bootable,
		Media:       d[defMedia],
		LoadSegment: binary.LittleEndian.Uint16(d[2:]),
		SystemType:  d[4],
		SectorCount: binary.LittleEndian.Uint16(d[defSectorCount:]),
		LoadRBA:     binary.LittleEndian.Uint32(d[defLoadRBA:]),
	}
	for off := 2 * entrySize; off+entrySize <= len(b); {
		s := b[off : off+entrySize]
		if s[0] != 0x90 && s[0] != finalSection {
			return fmt.Errorf("bad section header %#x at catalog byte %d", s[0], off)
		}
		h.Sections++
		off += entrySize * (1 + int(binary.LittleEndian.Uint16(s[secEntryCount:])))
		if s[0] == finalSection {
			return nil
		}
	}
	return errors.New("no final section header")
}

// parseRecords parses directory records up to the first zero length byte.
func parseRecords(b []byte) ([]Record, error) {
	var recs []Record
	for len(b) > 0 && b[0] != 0 {
		n := int(b[recLen])
		if n < recIdent || n > len(b) || recIdent+int(b[recIdentLen]) > n {
			return nil, fmt.Errorf("bad directory record length %d", n)
		}
		extent, err := both32(b[recExtent:])
		if err != nil {
			return nil, fmt.Errorf("extent: %w", err)
		}
		size, err := both32(b[recDataLen:])
		if err != nil {
			return nil, fmt.Errorf("data length: %w", err)
		}
		if _, err := both16(b[recSequence:]); err != nil {
			return nil, fmt.Errorf("volume sequence number: %w", err)
		}
		d := b[recDate:]
		t := time.Date(minYear+int(d[0]), time.Month(d[1]), int(d[2]), int(d[3]), int(d[4]), int(d[5]), 0,
			time.FixedZone("", int(int8(d[6]))*zoneUnitSeconds))
		recs = append(recs, Record{
			Extent: extent, DataLen: size, Time: t, Flags: b[recFlags],
			Ident: bytes.Clone(b[recIdent : recIdent+int(b[recIdentLen])]),
		})
		b = b[n:]
	}
	return recs, nil
}

func parseLongDate(b []byte) (time.Time, error) {
	var f [7]int
	off := 0
	for i, w := range []int{4, 2, 2, 2, 2, 2, 2} {
		for _, c := range b[off : off+w] {
			if c < '0' || c > '9' {
				return time.Time{}, fmt.Errorf("bad digits %q", b[:16])
			}
			f[i] = f[i]*10 + int(c-'0')
		}
		off += w
	}
	return time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], f[6]*1e7,
		time.FixedZone("", int(int8(b[16]))*zoneUnitSeconds)), nil
}

func both16(b []byte) (uint16, error) {
	le, be := binary.LittleEndian.Uint16(b), binary.BigEndian.Uint16(b[2:])
	if le != be {
		return 0, fmt.Errorf("little-endian %d and big-endian %d differ", le, be)
	}
	return le, nil
}

func both32(b []byte) (uint32, error) {
	le, be := binary.LittleEndian.Uint32(b), binary.BigEndian.Uint32(b[4:])
	if le != be {
		return 0, fmt.Errorf("little-endian %d and big-endian %d differ", le, be)
	}
	return le, nil
}
