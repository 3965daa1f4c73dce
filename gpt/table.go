package gpt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"unicode/utf16"
)

// GUID is 16 bytes in textual (big-endian) order; Encode converts it to
// the mixed-endian on-disk form.
type GUID = [16]byte

// Entry is one partition. Index is its slot in the entry array (the
// 0-based partition number).
type Entry struct {
	Index      int
	Type       GUID
	UUID       GUID
	FirstLBA   uint64
	LastLBA    uint64 // inclusive
	Attributes uint64
	Name       string
}

// Table is a whole partition table for a disk of TotalSectors sectors.
type Table struct {
	SectorSize   int
	TotalSectors uint64
	DiskGUID     GUID
	FirstUsable  uint64
	LastUsable   uint64
	Entries      []Entry
}

func (t *Table) entrySectors() uint64 {
	return uint64((entryArraySize + t.SectorSize - 1) / t.SectorSize)
}

// diskGUIDBytes converts a textual-order GUID to the on-disk order.
func diskGUIDBytes(g GUID) [16]byte {
	var b [16]byte
	b[0], b[1], b[2], b[3] = g[3], g[2], g[1], g[0]
	b[4], b[5] = g[5], g[4]
	b[6], b[7] = g[7], g[6]
	copy(b[8:], g[8:])
	return b
}

// NameValid reports whether s fits a GPT name (36 UTF-16 code units).
func NameValid(s string) bool { return len(utf16.Encode([]rune(s))) <= nameUnits }

// Region is bytes to write at an offset of the disk.
type Region struct {
	Offset int64
	Data   []byte
}

// Encode serialises the table: protective MBR, primary header + entries,
// backup entries + header. It touches no disk.
func (t *Table) Encode() ([]Region, error) {
	ss := t.SectorSize
	if ss < 512 || ss&(ss-1) != 0 {
		return nil, fmt.Errorf("invalid sector size %d", ss)
	}
	es := t.entrySectors()
	if t.TotalSectors < 3+2*es {
		return nil, errors.New("disk too small for a GPT")
	}
	entries := make([]byte, es*uint64(ss))
	for _, e := range t.Entries {
		if e.Index < 0 || e.Index >= NumEntries {
			return nil, fmt.Errorf("partition number %d out of range", e.Index+1)
		}
		if e.FirstLBA < t.FirstUsable || e.LastLBA > t.LastUsable || e.LastLBA < e.FirstLBA {
			return nil, fmt.Errorf("partition %d (LBA %d-%d) outside the usable area %d-%d", e.Index+1, e.FirstLBA, e.LastLBA, t.FirstUsable, t.LastUsable)
		}
		name := utf16.Encode([]rune(e.Name))
		if len(name) > nameUnits {
			return nil, fmt.Errorf("partition %d: name %q longer than %d UTF-16 units", e.Index+1, e.Name, nameUnits)
		}
		b := entries[e.Index*EntrySize:]
		tg, ug := diskGUIDBytes(e.Type), diskGUIDBytes(e.UUID)
		copy(b[0:16], tg[:])
		copy(b[16:32], ug[:])
		binary.LittleEndian.PutUint64(b[32:], e.FirstLBA)
		binary.LittleEndian.PutUint64(b[40:], e.LastLBA)
		binary.LittleEndian.PutUint64(b[48:], e.Attributes)
		for i, u := range name {
			binary.LittleEndian.PutUint16(b[56+2*i:], u)
		}
	}
	entriesCRC := crc32.ChecksumIEEE(entries[:entryArraySize])
	last := t.TotalSectors - 1
	backupEntries := last - es
	primary := t.header(1, last, 2, entriesCRC)
	backup := t.header(last, 1, backupEntries, entriesCRC)
	return []Region{
		{0, t.protectiveMBR()},
		{int64(ss), primary},
		{2 * int64(ss), entries},
		{int64(backupEntries) * int64(ss), entries},
		{int64(last) * int64(ss), backup},
	}, nil
}

func (t *Table) header(my, alternate, entriesLBA uint64, entriesCRC uint32) []byte {
	h := make([]byte, t.SectorSize)
	copy(h, signature)
	le := binary.LittleEndian
	le.PutUint32(h[8:], revision)
	le.PutUint32(h[12:], headerSize)
	le.PutUint64(h[24:], my)
	le.PutUint64(h[32:], alternate)
	le.PutUint64(h[40:], t.FirstUsable)
	le.PutUint64(h[48:], t.LastUsable)
	g := diskGUIDBytes(t.DiskGUID)
	copy(h[56:72], g[:])
	le.PutUint64(h[72:], entriesLBA)
	le.PutUint32(h[80:], NumEntries)
	le.PutUint32(h[84:], EntrySize)
	le.PutUint32(h[88:], entriesCRC)
	le.PutUint32(h[16:], crc32.ChecksumIEEE(h[:headerSize]))
	return h
}

// protectiveMBR is the MBR libfdisk writes for a new GPT: one 0xEE
// partition from LBA 1 covering the disk (capped at 2^32-1 sectors).
func (t *Table) protectiveMBR() []byte {
	m := make([]byte, t.SectorSize)
	p := m[446:]
	p[1], p[2], p[3] = 0x00, 0x02, 0x00 // CHS of LBA 1
	p[4] = mbrTypeProtective
	p[5], p[6], p[7] = 0xFF, 0xFF, 0xFF
	binary.LittleEndian.PutUint32(p[8:], 1)
	size := t.TotalSectors - 1
	if size > 0xFFFFFFFF {
		size = 0xFFFFFFFF
	}
	binary.LittleEndian.PutUint32(p[12:], uint32(size))
	m[510], m[511] = 0x55, 0xAA
	return m
}
