package iso9660

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// goldenCases are the parameters of testdata/*.golden, blocks 16–20 of the
// images testdata/generate.sh made with systemd-repart 262 (see README).
var goldenCases = []struct {
	name string
	p    Params
}{
	{"default", Params{Time: time.Unix(1700000000, 0).UTC(), ESPOffset: 1 << 20}},
	{"empty-identifiers", Params{Time: time.Unix(1700000000, 0).UTC(), ESPOffset: 1 << 20}},
	{"identifiers", Params{
		System: "EFI", Volume: "gorepart_Test.1",
		Publisher: `Example Org, Inc. "x" 100% (a+b=c); <d>? & 'e'!/:-*`,
		Time:      time.Unix(1700000000, 0).UTC(), ESPOffset: 1 << 20,
	}},
	{"max-identifiers", Params{
		System: strings.Repeat("S", 32), Volume: strings.Repeat("v", 32), Publisher: strings.Repeat("P", 128),
		Time: time.Unix(1700000000, 0).UTC(), ESPOffset: 1 << 20,
	}},
	{"sector-4096", Params{Time: time.Unix(0, 0).UTC(), ESPOffset: 1 << 20}},
	{"esp-second", Params{Time: time.Unix(5869583999, 0).UTC(), ESPOffset: 11 << 20}},
	// No SOURCE_DATE_EPOCH, TZ=Asia/Kolkata: repart wrote its local time.
	{"local-kolkata", Params{Time: time.Date(2026, 12, 7, 4, 58, 50, 0, time.FixedZone("IST", 19800)), ESPOffset: 1 << 20}},
}

func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".golden"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// diffBytes describes the first difference of got and want, or "".
func diffBytes(got, want []byte) string {
	if len(got) != len(want) {
		return fmt.Sprintf("length %d, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			return fmt.Sprintf("first difference at header byte %d (block %d byte %d): %#02x, want %#02x",
				i, firstBlock+i/BlockSize, i%BlockSize, got[i], want[i])
		}
	}
	return ""
}

func TestEncodeMatchesRepart(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Encode(c.p)
			if err != nil {
				t.Fatal(err)
			}
			if d := diffBytes(got, readGolden(t, c.name)); d != "" {
				t.Fatal(d)
			}
		})
	}
}

func TestWriteTouchesOnlyTheHeader(t *testing.T) {
	img := &memImage{b: bytes.Repeat([]byte{0xA5}, 1<<20)}
	p := goldenCases[0].p
	if err := Write(img, p); err != nil {
		t.Fatal(err)
	}
	want, _ := Encode(p)
	if !bytes.Equal(img.b[Offset:End], want) {
		t.Fatal("header not at Offset")
	}
	for i, c := range img.b {
		if (i < Offset || i >= End) && c != 0xA5 {
			t.Fatalf("byte %d outside the header changed", i)
		}
	}
}

type memImage struct{ b []byte }

func (m *memImage) WriteAt(p []byte, off int64) (int, error) { return copy(m.b[off:], p), nil }

func TestEncodeRefuses(t *testing.T) {
	ok := Params{Time: time.Unix(1700000000, 0).UTC(), ESPOffset: 1 << 20}
	with := func(f func(*Params)) Params { p := ok; f(&p); return p }
	utc := func(y int, mo time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	}
	for _, c := range []struct {
		name string
		p    Params
		want error
	}{
		{"unaligned ESP", with(func(p *Params) { p.ESPOffset = 1<<20 + 512 }), ErrESPUnaligned},
		{"ESP past 32-bit blocks", with(func(p *Params) { p.ESPOffset = 1 << 43 }), ErrESPTooFar},
		{"last 32-bit block", with(func(p *Params) { p.ESPOffset = 1<<43 - BlockSize }), nil},
		{"year 2156", with(func(p *Params) { p.Time = utc(2156, 1, 1, 0, 0, 0) }), ErrYear},
		{"2156 locally", with(func(p *Params) {
			p.Time = utc(2155, 12, 31, 23, 0, 0).In(time.FixedZone("", 2*3600))
		}), ErrYear},
		{"year 1899", with(func(p *Params) { p.Time = utc(1899, 12, 31, 23, 59, 59) }), ErrYear},
		{"year 1900", with(func(p *Params) { p.Time = utc(1900, 1, 1, 0, 0, 0) }), nil},
		{"zero time", with(func(p *Params) { p.Time = time.Time{} }), ErrYear},
		{"zone +32h", with(func(p *Params) { p.Time = p.Time.In(time.FixedZone("", 32*3600)) }), ErrZone},
		{"zone -32h", with(func(p *Params) { p.Time = p.Time.In(time.FixedZone("", -32*3600)) }), nil},
		{"zone +31:45", with(func(p *Params) { p.Time = p.Time.In(time.FixedZone("", 127*900)) }), nil},
		{"@ in volume", with(func(p *Params) { p.Volume = "a@b" }), ErrInvalidIdentifier},
		{"non-ASCII system", with(func(p *Params) { p.System = "é" }), ErrInvalidIdentifier},
		{"33-byte volume", with(func(p *Params) { p.Volume = strings.Repeat("V", 33) }), ErrInvalidIdentifier},
		{"129-byte publisher", with(func(p *Params) { p.Publisher = strings.Repeat("P", 129) }), ErrInvalidIdentifier},
		{"tab in publisher", with(func(p *Params) { p.Publisher = "a\tb" }), ErrInvalidIdentifier},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Encode(c.p)
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("Encode: %v, want %v", err, c.want)
			}
		})
	}
}

func TestValidIdentifiers(t *testing.T) {
	for _, c := range []struct {
		s                      string
		system, vol, publisher bool
	}{
		{"", true, true, true},
		{"ABCxyz019 _!\"%&'()*+,-./:;<=>?", true, true, true},
		{strings.Repeat("a", 32), true, true, true},
		{strings.Repeat("a", 33), false, false, true},
		{strings.Repeat("a", 128), false, false, true},
		{strings.Repeat("a", 129), false, false, false},
		{"a#b", false, false, false},
		{"a$b", false, false, false},
		{"[x]", false, false, false},
		{"x\x00", false, false, false},
	} {
		if ValidSystem(c.s) != c.system || ValidVolume(c.s) != c.vol || ValidPublisher(c.s) != c.publisher {
			t.Errorf("%q: system %v volume %v publisher %v, want %v %v %v", c.s,
				ValidSystem(c.s), ValidVolume(c.s), ValidPublisher(c.s), c.system, c.vol, c.publisher)
		}
	}
}

func TestCheckTable(t *testing.T) {
	for _, c := range []struct {
		t    Table
		want error
	}{
		{Table{512, 128, 2048}, nil},
		{Table{4096, 128, 256}, nil},
		{Table{512, 128, 34}, ErrFirstLBAOverlap}, // a disk of 4 MiB or less
		{Table{4096, 128, 6}, ErrFirstLBAOverlap},
		{Table{512, 128, 84}, nil}, // first usable byte 43008
		{Table{512, 128, 83}, ErrFirstLBAOverlap},
		{Table{512, 248, 2048}, nil}, // the array ends at 32768
		{Table{512, 249, 2048}, ErrTableOverlap},
		{Table{512, 256, 2048}, ErrTableOverlap},
		{Table{4096, 192, 256}, nil},
		{Table{4096, 193, 256}, ErrTableOverlap},
	} {
		if err := CheckTable(c.t); c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%+v: %v, want %v", c.t, err, c.want)
		}
	}
}
