package gpt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"unicode/utf16"
)

// ReadTable reads and checks the primary table of a disk image (headers'
// and entries' CRCs). Entries that are unused are omitted.
func ReadTable(r io.ReaderAt, sectorSize int) (*Table, error) {
	h := make([]byte, sectorSize)
	if _, err := r.ReadAt(h, int64(sectorSize)); err != nil {
		return nil, fmt.Errorf("reading GPT header: %w", err)
	}
	if string(h[:8]) != signature {
		return nil, errors.New("no GPT signature at LBA 1")
	}
	le := binary.LittleEndian
	crc := le.Uint32(h[16:])
	hc := append([]byte(nil), h[:headerSize]...)
	le.PutUint32(hc[16:], 0)
	if crc32.ChecksumIEEE(hc) != crc {
		return nil, errors.New("GPT header CRC mismatch")
	}
	t := &Table{SectorSize: sectorSize, FirstUsable: le.Uint64(h[40:]), LastUsable: le.Uint64(h[48:])}
	t.TotalSectors = le.Uint64(h[32:]) + 1
	t.DiskGUID = diskGUIDBytes(GUID(h[56:72])) // the swap is its own inverse
	n, size := le.Uint32(h[80:]), le.Uint32(h[84:])
	if n != NumEntries || size != EntrySize {
		return nil, fmt.Errorf("unsupported entry array %d×%d", n, size)
	}
	entries := make([]byte, entryArraySize)
	if _, err := r.ReadAt(entries, int64(le.Uint64(h[72:]))*int64(sectorSize)); err != nil {
		return nil, fmt.Errorf("reading GPT entries: %w", err)
	}
	if crc32.ChecksumIEEE(entries) != le.Uint32(h[88:]) {
		return nil, errors.New("GPT entries CRC mismatch")
	}
	for i := 0; i < NumEntries; i++ {
		b := entries[i*EntrySize : (i+1)*EntrySize]
		if bytes.Equal(b[:16], make([]byte, 16)) {
			continue
		}
		var units []uint16
		for j := 0; j < nameUnits; j++ {
			u := le.Uint16(b[56+2*j:])
			if u == 0 {
				break
			}
			units = append(units, u)
		}
		t.Entries = append(t.Entries, Entry{
			Index: i, Type: diskGUIDBytes(GUID(b[0:16])), UUID: diskGUIDBytes(GUID(b[16:32])),
			FirstLBA: le.Uint64(b[32:]), LastLBA: le.Uint64(b[40:]), Attributes: le.Uint64(b[48:]),
			Name: string(utf16.Decode(units)),
		})
	}
	return t, nil
}
