package vdisk

import (
	"encoding/binary"
	"testing"
)

// FuzzRoundTrip builds a small image from the fuzzer's bytes (size, then
// pieces of data or written zeros) and reads every container of it back
// with the test readers.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{0, 0})
	f.Add([]byte{3, 7, 0, 1, 0, 0, 200, 0, 1, 0, 0, 0, 0, 2, 1})
	f.Add([]byte{15, 127, 0xff, 0xff, 0, 0, 0xff, 0x7f, 0, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{1, 0, 0x10, 0, 0, 0, 0x20, 0, 0, 0, 0x08, 0, 0, 0, 0x02, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 2 {
			return
		}
		s := shape{name: "fuzz", size: (1+int64(b[0]%16))*miB + int64(b[1]%128)*sectorSize}
		for b = b[2:]; len(b) >= 5 && len(s.pieces) < 8; b = b[5:] {
			off := int64(binary.LittleEndian.Uint16(b)) * 256 % s.size
			n := min(int64(binary.LittleEndian.Uint16(b[2:]))*32+1, s.size-off)
			s.pieces = append(s.pieces, piece{off, n, b[4]&1 != 0})
		}
		dir := t.TempDir()
		raw := makeRaw(t, dir, s)
		for _, v := range variants() {
			if !v.accepts(s.size) {
				continue
			}
			p := testParams(v.format, v.sub)
			p.SectorSize = v.sectorSize
			path := convert(t, dir, raw, p)
			sameContent(t, openDisk(t, path, v.open), raw)
		}
	})
}
