package artifacts

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"testing"
)

// TestSeekableTable parses the seek table of our own output and checks
// every frame's place and size.
func TestSeekableTable(t *testing.T) {
	data := testImage(9*seekableFrameSize+777, 11)
	comp := compressBytes(t, data, Params{Algorithm: ZstdSeekable, Workers: 2})
	s, err := OpenSeekable(bytes.NewReader(comp), int64(len(comp)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	frames := s.Frames()
	if len(frames) != 10 {
		t.Fatalf("%d frames, want 10", len(frames))
	}
	for i, f := range frames {
		want := int64(seekableFrameSize)
		if i == 9 {
			want = 777
		}
		if f.DecompressedSize != want || f.DecompressedOffset != int64(i)*seekableFrameSize || !f.HasChecksum {
			t.Errorf("frame %d = %+v", i, f)
		}
		// Each frame must start with the zstd frame magic.
		if m := binary.LittleEndian.Uint32(comp[f.CompressedOffset:]); m != 0xFD2FB528 {
			t.Errorf("frame %d at %d starts with %#x, not a zstd frame", i, f.CompressedOffset, m)
		}
	}
	if s.Size() != int64(len(data)) {
		t.Errorf("Size = %d, want %d", s.Size(), len(data))
	}
	// The file ends with the seekable magic.
	if m := binary.LittleEndian.Uint32(comp[len(comp)-4:]); m != seekableMagic {
		t.Errorf("last 4 bytes %#x, want %#x", m, seekableMagic)
	}
}

// TestSeekableRandomAccess reads random ranges, including ones crossing
// frames and reaching the end.
func TestSeekableRandomAccess(t *testing.T) {
	data := testImage(7*seekableFrameSize+4097, 12)
	comp := compressBytes(t, data, Params{Algorithm: ZstdSeekable, Workers: 3, Level: 5})
	s, err := OpenSeekable(bytes.NewReader(comp), int64(len(comp)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		off := r.Int64N(int64(len(data)))
		n := r.IntN(3 * seekableFrameSize)
		buf := make([]byte, n)
		got, err := s.ReadAt(buf, off)
		want := min(n, len(data)-int(off))
		if got != want || (err != nil && !(err == io.EOF && want < n)) {
			t.Fatalf("ReadAt(%d bytes, %d) = %d, %v; want %d", n, off, got, err, want)
		}
		if !bytes.Equal(buf[:got], data[off:off+int64(got)]) {
			t.Fatalf("ReadAt(%d bytes, %d): wrong bytes", n, off)
		}
	}
	if _, err := s.ReadAt(make([]byte, 1), int64(len(data))); err != io.EOF {
		t.Errorf("ReadAt at end: %v, want io.EOF", err)
	}
}

// TestSeekableChecksumMismatch corrupts a table checksum.
func TestSeekableChecksumMismatch(t *testing.T) {
	data := testImage(3*seekableFrameSize, 13)
	comp := compressBytes(t, data, Params{Algorithm: ZstdSeekable, Workers: 1})
	// Entry 1's checksum sits 9 (footer) + 12 (entry 2) + 4 bytes before the end.
	comp[len(comp)-seekTableFooterSize-12-4] ^= 0xff
	s, err := OpenSeekable(bytes.NewReader(comp), int64(len(comp)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReadAt(make([]byte, 10), seekableFrameSize); err == nil {
		t.Error("corrupted seek table checksum not detected")
	}
	if _, err := s.ReadAt(make([]byte, 10), 0); err != nil {
		t.Errorf("frame 0 unaffected but: %v", err)
	}
}

func TestSeekableRejects(t *testing.T) {
	plain := compressBytes(t, testImage(1<<20, 1), Params{Algorithm: Zstd})
	if _, err := OpenSeekable(bytes.NewReader(plain), int64(len(plain))); err == nil {
		t.Error("plain zstd accepted as seekable")
	}
	comp := compressBytes(t, testImage(3<<20, 2), Params{Algorithm: ZstdSeekable})
	bad := bytes.Clone(comp)
	bad[len(bad)-5] |= 0x04 // reserved descriptor bit
	if _, err := OpenSeekable(bytes.NewReader(bad), int64(len(bad))); err == nil {
		t.Error("reserved descriptor bit accepted")
	}
	bad = bytes.Clone(comp)
	binary.LittleEndian.PutUint32(bad[len(bad)-9:], 5) // frame count
	if _, err := OpenSeekable(bytes.NewReader(bad), int64(len(bad))); err == nil {
		t.Error("wrong frame count accepted")
	}
	bad = append([]byte{0}, comp...) // frames no longer cover the file
	if _, err := OpenSeekable(bytes.NewReader(bad), int64(len(bad))); err == nil {
		t.Error("extra leading byte accepted")
	}
}
