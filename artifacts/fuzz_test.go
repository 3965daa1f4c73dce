package artifacts

import (
	"bytes"
	"testing"
)

// FuzzOpenSeekable: arbitrary input never panics, and whatever parses
// reads back without a panic.
func FuzzOpenSeekable(f *testing.F) {
	var buf bytes.Buffer
	if err := Compress(&buf, bytes.NewReader(testImage(3<<20, 1)), 3<<20, Params{Algorithm: ZstdSeekable, Workers: 1}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes()[buf.Len()-64:])
	f.Add(encodeSeekTable(nil))
	f.Add(encodeSeekTable([]seekEntry{{Compressed: 0, Decompressed: 0}}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := OpenSeekable(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		defer s.Close()
		var off int64
		for _, fr := range s.Frames() {
			if fr.DecompressedOffset != off {
				t.Fatalf("frame at %d, want %d", fr.DecompressedOffset, off)
			}
			off += fr.DecompressedSize
		}
		if off != s.Size() {
			t.Fatalf("frames cover %d, Size %d", off, s.Size())
		}
		p := make([]byte, 4096)
		_, _ = s.ReadAt(p, 0)
	})
}
