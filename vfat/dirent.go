package vfat

import (
	"encoding/binary"
	"time"
)

// fatTime encodes t (in UTC) as FAT date, time and the 10 ms creation-time
// remainder, clamped to the representable range 1980-01-01 .. 2107-12-31
// as Linux fat_time_unix2fat does.
func fatTime(t time.Time) (date, tm uint16, cs byte) {
	t = t.UTC()
	switch {
	case t.Year() < 1980:
		return 1<<5 | 1, 0, 0
	case t.Year() > 2107:
		return 127<<9 | 12<<5 | 31, 23<<11 | 59<<5 | 29, 199
	}
	date = uint16(t.Year()-1980)<<9 | uint16(t.Month())<<5 | uint16(t.Day())
	tm = uint16(t.Hour())<<11 | uint16(t.Minute())<<5 | uint16(t.Second()/2)
	cs = byte(t.Second()&1*100 + t.Nanosecond()/10_000_000)
	return date, tm, cs
}

// putShortEntry fills a 32-byte short directory entry. All three times
// (creation, access date, modification) come from t.
func putShortEntry(b []byte, name [11]byte, attr byte, t time.Time, cluster, size uint32) {
	copy(b[0:11], name[:])
	b[11] = attr
	b[12] = 0 // no NT case bits: mixed-case names carry LFN slots
	date, tm, cs := fatTime(t)
	b[13] = cs
	binary.LittleEndian.PutUint16(b[14:], tm)
	binary.LittleEndian.PutUint16(b[16:], date)
	binary.LittleEndian.PutUint16(b[18:], date)
	binary.LittleEndian.PutUint16(b[20:], uint16(cluster>>16))
	binary.LittleEndian.PutUint16(b[22:], tm)
	binary.LittleEndian.PutUint16(b[24:], date)
	binary.LittleEndian.PutUint16(b[26:], uint16(cluster))
	binary.LittleEndian.PutUint32(b[28:], size)
}

// lfnOffsets are the byte offsets of the 13 UTF-16 units in an LFN slot.
var lfnOffsets = [lfnCharsSlot]int{1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30}

// putLFN writes the LFN slots for units (the long name in UTF-16) into b,
// which holds lfnSlots(len(units))*32 bytes, in on-disk order (last part
// first).
func putLFN(b []byte, units []uint16, sum byte) {
	n := lfnSlots(len(units))
	for i := 0; i < n; i++ {
		ord := n - i // slot i on disk holds part ord (1-based)
		s := b[i*dirEntrySize : (i+1)*dirEntrySize]
		s[0] = byte(ord)
		if i == 0 {
			s[0] |= lfnLast
		}
		s[11] = attrLFN
		s[12] = 0
		s[13] = sum
		s[26], s[27] = 0, 0
		for k, off := range lfnOffsets {
			j := (ord-1)*lfnCharsSlot + k
			var u uint16
			switch {
			case j < len(units):
				u = units[j]
			case j == len(units):
				u = 0
			default:
				u = 0xFFFF
			}
			binary.LittleEndian.PutUint16(s[off:], u)
		}
	}
}
