package luks

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

// TestMetadataMatchesRepart decodes the JSON areas systemd-repart 262 wrote
// (testdata/repart262.txt) and encodes them again: the text must come out
// byte for byte, so our field order and number formats are cryptsetup's.
func TestMetadataMatchesRepart(t *testing.T) {
	for _, name := range []string{"testdata/repart262.json", "testdata/repart262-minimal.json"} {
		want, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := decodeMetadata(want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := encodeMetadata(m)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: re-encoded\n%s\nwant\n%s", name, got, want)
		}
	}
}

// TestMetadataShape checks that what writeMetadata builds has repart's
// shape: the repart 262 header with its random parts (salts, digest, argon2
// costs that cryptsetup benchmarked) replaced by ours.
func TestMetadataShape(t *testing.T) {
	ref, err := os.ReadFile("testdata/repart262.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := decodeMetadata(ref)
	if err != nil {
		t.Fatal(err)
	}
	f := createFile(t, "img", 40<<20)
	p := fastParams("secretkey")
	w, err := NewWriter(f, 40<<20, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	h, err := ReadHeader(f)
	if err != nil {
		t.Fatal(err)
	}
	got := h.Metadata
	ks, wks := got.Keyslots["0"], want.Keyslots["0"]
	wks.KDF = KDF{Type: "argon2id", Time: 4, Memory: 1024, CPUs: 1, Salt: ks.KDF.Salt}
	wd := want.Digests["0"]
	wd.Iterations, wd.Salt, wd.Digest = 1000, got.Digests["0"].Salt, got.Digests["0"].Digest
	want.Keyslots["0"], want.Digests["0"] = wks, wd
	a, _ := encodeMetadata(got)
	b, _ := encodeMetadata(want)
	if !bytes.Equal(a, b) {
		t.Fatalf("metadata\n%s\nwant\n%s", a, b)
	}
	if len(ks.KDF.Salt) != 32 || len(got.Digests["0"].Salt) != 32 || len(got.Digests["0"].Digest) != 32 {
		t.Fatal("salt or digest of the wrong size")
	}
	if h.UUID != "b4d1501b-4385-4f47-b089-298643f4fd9a" || h.Label != "luks-root-x86-64" || h.SeqID != 1 {
		t.Fatalf("header %+v", h)
	}
}

// TestHeaderChecksum corrupts the primary header's JSON area: ReadHeader
// must reject its checksum and use the secondary header; with both
// corrupted it must fail.
func TestHeaderChecksum(t *testing.T) {
	f := createFile(t, "img", 40<<20)
	w, err := NewWriter(f, 40<<20, fastParams("k"))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := readHeaderAt(f, 0); err != nil {
		t.Fatalf("primary header: %v", err)
	}
	if _, err := readHeaderAt(f, hdrSize); err != nil {
		t.Fatalf("secondary header: %v", err)
	}
	flip := func(off int64) {
		var b [1]byte
		f.ReadAt(b[:], off)
		b[0] ^= 0x20
		f.WriteAt(b[:], off)
	}
	flip(binHeaderSize + 100)
	if _, err := readHeaderAt(f, 0); !errors.Is(err, errChecksum) {
		t.Fatalf("corrupted primary header: err %v, want checksum mismatch", err)
	}
	h, err := ReadHeader(f)
	if err != nil || h.UUID != "b4d1501b-4385-4f47-b089-298643f4fd9a" {
		t.Fatalf("falling back to the secondary header: %v", err)
	}
	flip(hdrSize + offLabel)
	if _, err := ReadHeader(f); err == nil {
		t.Fatal("both headers corrupted, ReadHeader succeeded")
	}
}

// TestHeaderLayout checks the binary fields at their offsets.
func TestHeaderLayout(t *testing.T) {
	h := binHeader{HdrSize: hdrSize, SeqID: 7, Label: "luks-usr", UUID: "b4d1501b-4385-4f47-b089-298643f4fd9a", HdrOffset: hdrSize, Secondary: true}
	h.Salt[0], h.Salt[63] = 1, 2
	b, err := encodeHeader(h, []byte(`{"x":1}`))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		off  int
		want string
	}{
		{0, "SKUL\xba\xbe\x00\x02"},
		{8, "\x00\x00\x00\x00\x00\x00\x40\x00"},
		{16, "\x00\x00\x00\x00\x00\x00\x00\x07"},
		{24, "luks-usr\x00"},
		{72, "sha256\x00"},
		{104, "\x01"},
		{167, "\x02"},
		{168, "b4d1501b-4385-4f47-b089-298643f4fd9a\x00"},
		{256, "\x00\x00\x00\x00\x00\x00\x40\x00"},
		{4096, `{"x":1}` + "\x00"},
	}
	for _, c := range checks {
		if got := string(b[c.off : c.off+len(c.want)]); got != c.want {
			t.Errorf("offset %d: %q, want %q", c.off, got, c.want)
		}
	}
	back, text, err := decodeHeader(b)
	if err != nil || back != h || string(text) != `{"x":1}` {
		t.Fatalf("decoded %+v %q %v", back, text, err)
	}
	if _, err := encodeHeader(binHeader{HdrSize: hdrSize, Label: strings.Repeat("a", 48)}, nil); err == nil {
		t.Fatal("48-byte label accepted")
	}
}
