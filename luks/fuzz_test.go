package luks

import (
	"bytes"
	"os"
	"testing"
)

// FuzzHeader wraps arbitrary JSON text in two headers with valid checksums
// and runs the reader's parsing and checks on it: nothing may panic, and
// whatever parses must encode and parse to the same metadata. The seeds
// are repart 262's headers.
func FuzzHeader(f *testing.F) {
	for _, name := range []string{"testdata/repart262.json", "testdata/repart262-minimal.json"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, int64(64<<20))
	}
	f.Fuzz(func(t *testing.T, text []byte, size int64) {
		img := make([]byte, 2*hdrSize)
		for i := range 2 {
			area, err := encodeHeader(binHeader{Secondary: i == 1, HdrSize: hdrSize, SeqID: 1, HdrOffset: uint64(i * hdrSize)}, text)
			if err != nil {
				return
			}
			copy(img[i*hdrSize:], area)
		}
		h, err := ReadHeader(bytes.NewReader(img))
		if err != nil {
			return
		}
		if _, err := segmentOf(h, size); err == nil {
			_ = checkKeyslots(h.Metadata)
		}
		again, err := encodeMetadata(h.Metadata)
		if err != nil {
			t.Fatalf("re-encoding parsed metadata: %v", err)
		}
		m, err := decodeMetadata(again)
		if err != nil {
			t.Fatalf("parsing re-encoded metadata: %v", err)
		}
		if third, _ := encodeMetadata(m); !bytes.Equal(third, again) {
			t.Fatalf("metadata does not round-trip:\n%s\n%s", again, third)
		}
	})
}
