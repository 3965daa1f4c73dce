// Package gptdump reads a GUID partition table from a disk image on its
// own, without the gpt package, so that tests can check that package's
// output with a second reader. It checks what a firmware would: both
// headers and their CRCs, the entry array's CRC, and that the backup
// header and array agree with the primary. Its JSON form is the one of
// testdata/golden/*/expected.gpt.json.
package gptdump

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"unicode/utf16"
)

// Dump is a partition table as read from a disk image.
type Dump struct {
	SectorSize int         `json:"sector_size"`
	DiskGUID   string      `json:"disk_guid"`
	FirstLBA   uint64      `json:"first_lba"`
	LastLBA    uint64      `json:"last_lba"`
	EntriesLBA uint64      `json:"entries_lba"`
	NumEntries uint32      `json:"num_entries"`
	EntrySize  uint32      `json:"entry_size"`
	Partitions []Partition `json:"partitions"`
}

// Partition is one used entry; sizes in sectors, GUIDs in upper case.
type Partition struct {
	Index int    `json:"index"` // 0-based slot in the entry array
	Start uint64 `json:"start"`
	Size  uint64 `json:"size"`
	Type  string `json:"type"`
	UUID  string `json:"uuid"`
	Name  string `json:"name"`
	Attrs uint64 `json:"attrs"`
}

type header struct {
	my, alt, first, last, entriesLBA uint64
	disk                             string
	n, entrySize, entriesCRC         uint32
}

var le = binary.LittleEndian

// Read reads the table of r at the sector size, or at 512 and then 4096
// bytes when sectorSize is 0.
func Read(r io.ReaderAt, sectorSize int) (*Dump, error) {
	sizes := []int{sectorSize}
	if sectorSize == 0 {
		sizes = []int{512, 4096}
	}
	var h *header
	for _, ss := range sizes {
		var err error
		if h, err = readHeader(r, 1, ss); err != nil {
			return nil, err
		}
		if h != nil {
			sectorSize = ss
			break
		}
	}
	if h == nil {
		return nil, fmt.Errorf("reading GPT: no header at LBA 1 (sector sizes %v)", sizes)
	}
	if h.my != 1 {
		return nil, fmt.Errorf("reading GPT: primary header says it is at LBA %d", h.my)
	}
	ents, err := readEntries(r, h, sectorSize)
	if err != nil {
		return nil, err
	}
	b, err := readHeader(r, h.alt, sectorSize)
	if err != nil {
		return nil, err
	}
	if b == nil || b.disk != h.disk || b.alt != 1 || b.my != h.alt || b.first != h.first || b.last != h.last {
		return nil, fmt.Errorf("reading GPT: backup header at LBA %d missing or different", h.alt)
	}
	bents, err := readEntries(r, b, sectorSize)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if !bytes.Equal(bents, ents) {
		return nil, errors.New("reading GPT: backup entry array differs")
	}
	d := &Dump{SectorSize: sectorSize, DiskGUID: h.disk, FirstLBA: h.first, LastLBA: h.last,
		EntriesLBA: h.entriesLBA, NumEntries: h.n, EntrySize: h.entrySize, Partitions: []Partition{}}
	for i := 0; i < int(h.n); i++ {
		e := ents[i*int(h.entrySize) : (i+1)*int(h.entrySize)]
		if bytes.Equal(e[:16], make([]byte, 16)) {
			continue
		}
		first, last := le.Uint64(e[32:]), le.Uint64(e[40:])
		var units []uint16
		for j := 56; j+1 < 128 && j+1 < len(e); j += 2 {
			units = append(units, le.Uint16(e[j:]))
		}
		name, _, _ := strings.Cut(string(utf16.Decode(units)), "\x00")
		d.Partitions = append(d.Partitions, Partition{Index: i, Start: first, Size: last - first + 1,
			Type: guid(e[:16]), UUID: guid(e[16:32]), Name: name, Attrs: le.Uint64(e[48:])})
	}
	return d, nil
}

// readHeader returns the header at lba, nil when there is no signature,
// and an error when there is one with a wrong CRC.
func readHeader(r io.ReaderAt, lba uint64, ss int) (*header, error) {
	b := make([]byte, ss)
	if _, err := r.ReadAt(b, int64(lba)*int64(ss)); err != nil && err != io.EOF {
		return nil, fmt.Errorf("reading GPT header at LBA %d: %w", lba, err)
	}
	if string(b[:8]) != "EFI PART" {
		return nil, nil
	}
	size := le.Uint32(b[12:])
	if size < 92 || int(size) > ss {
		return nil, fmt.Errorf("reading GPT header at LBA %d: header size %d", lba, size)
	}
	raw := append([]byte(nil), b[:size]...)
	crc := le.Uint32(raw[16:])
	le.PutUint32(raw[16:], 0)
	if crc32.ChecksumIEEE(raw) != crc {
		return nil, fmt.Errorf("reading GPT header at LBA %d: header CRC mismatch", lba)
	}
	h := &header{my: le.Uint64(b[24:]), alt: le.Uint64(b[32:]), first: le.Uint64(b[40:]), last: le.Uint64(b[48:]),
		disk: guid(b[56:72]), entriesLBA: le.Uint64(b[72:]), n: le.Uint32(b[80:]), entrySize: le.Uint32(b[84:]),
		entriesCRC: le.Uint32(b[88:])}
	if h.entrySize < 128 || h.n == 0 || h.n > 1<<16 {
		return nil, fmt.Errorf("reading GPT header at LBA %d: %d entries of %d bytes", lba, h.n, h.entrySize)
	}
	return h, nil
}

func readEntries(r io.ReaderAt, h *header, ss int) ([]byte, error) {
	ents := make([]byte, int(h.n)*int(h.entrySize))
	if _, err := r.ReadAt(ents, int64(h.entriesLBA)*int64(ss)); err != nil {
		return nil, fmt.Errorf("reading GPT entries at LBA %d: %w", h.entriesLBA, err)
	}
	if crc32.ChecksumIEEE(ents) != h.entriesCRC {
		return nil, fmt.Errorf("reading GPT entries at LBA %d: entry array CRC mismatch", h.entriesLBA)
	}
	return ents, nil
}

// guid formats a GUID stored in mixed-endian order (the first three
// fields little-endian) in upper case.
func guid(b []byte) string {
	return fmt.Sprintf("%08X-%04X-%04X-%X-%X", le.Uint32(b[0:]), le.Uint16(b[4:]), le.Uint16(b[6:]), b[8:10], b[10:16])
}
