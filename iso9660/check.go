package iso9660

import (
	"errors"
	"fmt"
)

// The refusals, worded as systemd-repart 262 words them.
var (
	ErrTableOverlap      = errors.New("The partition table is overlapping with the El Torito boot catalog")
	ErrFirstLBAOverlap   = errors.New("El Torito is overlapping with the first partition block")
	ErrNoESP             = errors.New("El Torito boot catalog requires an ESP")
	ErrESPTooFar         = errors.New("ESP offset is farther than El Torito boot catalog can support")
	ErrESPUnaligned      = errors.New("ESP offset not aligned on 2K blocks")
	ErrYear              = errors.New("Year is incompatible with ISO9660")
	ErrZone              = errors.New("GMT offset out of range")
	ErrInvalidIdentifier = errors.New("invalid ISO9660 identifier")
)

// Table is the part of a GPT the header has to stay clear of.
type Table struct {
	SectorSize uint64 // logical sector size
	Entries    uint64 // slots of the entry array (128 for a new table)
	FirstLBA   uint64 // first usable LBA of the header
}

// CheckTable refuses a table whose protective MBR, header and entry array
// reach into block 16, or whose first usable byte lies before block 21 (a
// partition could be put there later), as repart's
// context_verify_eltorito_overlap does. With 128 entries only the second
// can happen, on a disk of 4 MiB or less where libfdisk starts the usable
// area right after the entry array.
func CheckTable(t Table) error {
	if t.SectorSize == 0 {
		return fmt.Errorf("checking El Torito overlap: sector size 0")
	}
	array := (t.Entries*128 + t.SectorSize - 1) / t.SectorSize * t.SectorSize
	if end := 2*t.SectorSize + array; end > Offset {
		return fmt.Errorf("%w (the entry array ends at byte %d, the boot catalog starts at %d)", ErrTableOverlap, end, Offset)
	}
	if first := t.FirstLBA * t.SectorSize; first < End {
		return fmt.Errorf("%w (the first usable byte is %d, El Torito ends at %d)", ErrFirstLBAOverlap, first, End)
	}
	return nil
}

// CheckESP refuses an ESP offset the boot catalog cannot point at: not a
// multiple of 2048 or past the 32-bit block number.
func CheckESP(offset uint64) error {
	if offset/BlockSize > 0xFFFFFFFF {
		return fmt.Errorf("%w (offset %d)", ErrESPTooFar, offset)
	}
	if offset%BlockSize != 0 {
		return fmt.Errorf("%w (offset %d)", ErrESPUnaligned, offset)
	}
	return nil
}
