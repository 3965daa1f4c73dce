package iso9660

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// headerImage returns a reader that places h at Offset, as in an image.
func headerImage(h []byte) io.ReaderAt {
	return bytes.NewReader(append(make([]byte, Offset), h...))
}

// checkHeader compares what Read found with what repart writes for p,
// field by field (not through Encode).
func checkHeader(t *testing.T, h *Header, p Params) {
	t.Helper()
	str := func(name, got, want string) {
		if got != want {
			t.Errorf("%s %q, want %q", name, got, want)
		}
	}
	str("system", h.System, p.System)
	str("volume", h.Volume, p.Volume)
	str("publisher", h.Publisher, p.Publisher)
	str("application", h.Application, "SYSTEMD-REPART")
	str("volume set", h.VolumeSet, "")
	str("preparer", h.Preparer, "")
	_, off := p.Time.Zone()
	for name, got := range map[string]time.Time{"created": h.Created, "modified": h.Modified,
		"root record": h.Root.Time, ".": h.RootEntries[0].Time, "..": h.RootEntries[1].Time} {
		if _, gotOff := got.Zone(); !got.Equal(p.Time.Truncate(time.Second)) || gotOff != off/900*900 {
			t.Errorf("%s time %v, want %v", name, got, p.Time)
		}
	}
	if !h.ExpiresZero || !h.EffectiveZero {
		t.Error("expiration and effective dates not zero")
	}
	if h.SpaceBlocks != 21 || h.PathTableSize != 0 || h.CatalogBlock != 19 || h.Sections != 1 {
		t.Errorf("space %d path table %d catalog %d sections %d, want 21 0 19 1",
			h.SpaceBlocks, h.PathTableSize, h.CatalogBlock, h.Sections)
	}
	if h.Platform != 0xEF {
		t.Errorf("platform %#x, want 0xEF (EFI)", h.Platform)
	}
	if want := (Entry{Bootable: true, LoadRBA: uint32(p.ESPOffset / 2048)}); h.Default != want {
		t.Errorf("default entry %+v, want %+v", h.Default, want)
	}
	if len(h.RootEntries) != 2 {
		t.Fatalf("root directory has %d records, want 2", len(h.RootEntries))
	}
	for i, r := range []Record{h.Root, h.RootEntries[0], h.RootEntries[1]} {
		ident := []byte{0}
		if i == 2 {
			ident = []byte{1}
		}
		if r.Extent != 20 || r.DataLen != 68 || r.Flags != 2 || !bytes.Equal(r.Ident, ident) {
			t.Errorf("record %d: %+v", i, r)
		}
	}
}

func TestReadGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			h, err := Read(headerImage(readGolden(t, c.name)))
			if err != nil {
				t.Fatal(err)
			}
			checkHeader(t, h, c.p)
		})
	}
}

func TestReadRefuses(t *testing.T) {
	good := readGolden(t, "default")
	for _, c := range []struct {
		name string
		off  int // header byte to change
		val  byte
	}{
		{"no signature", 1, 'X'},
		{"no terminator", 2 * BlockSize, typePrimary},
		{"checksum", 3*BlockSize + valChecksum, 0},
		{"key bytes", 3*BlockSize + valKey, 0},
		{"both-endian space size", pvdSpaceSize + 7, 22},
		{"creation date digit", pvdCreated, 'x'},
		{"boot indicator", 3*BlockSize + entrySize, 0x44},
		{"no final section", 3*BlockSize + 2*entrySize, 0x90},
		{"root record length", 4 * BlockSize, 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := bytes.Clone(good)
			b[c.off] = c.val
			if _, err := Read(headerImage(b)); err == nil {
				t.Fatal("Read accepted it")
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	for _, c := range goldenCases {
		b, err := Encode(c.p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = Read(headerImage(b)) // must not panic
	})
}

// FuzzRoundTrip encodes arbitrary parameters: Encode must refuse exactly
// what repart refuses, and Read must give back what it was given.
func FuzzRoundTrip(f *testing.F) {
	for _, c := range goldenCases {
		_, off := c.p.Time.Zone()
		f.Add(c.p.System, c.p.Volume, c.p.Publisher, c.p.Time.Unix(), int32(off), c.p.ESPOffset)
	}
	f.Add("a@b", "", "", int64(0), int32(0), uint64(512))
	f.Fuzz(func(t *testing.T, system, volume, publisher string, unix int64, zoneSecs int32, esp uint64) {
		p := Params{System: system, Volume: volume, Publisher: publisher,
			Time: time.Unix(unix, 0).In(time.FixedZone("", int(zoneSecs))), ESPOffset: esp}
		y := p.Time.Year()
		valid := ValidSystem(system) && ValidVolume(volume) && ValidPublisher(publisher) &&
			esp%2048 == 0 && esp>>43 == 0 && y >= 1900 && y <= 2155 &&
			zoneSecs/900 >= -128 && zoneSecs/900 <= 127
		b, err := Encode(p)
		if !valid {
			if err == nil {
				t.Fatalf("Encode accepted %+v", p)
			}
			for _, e := range []error{ErrInvalidIdentifier, ErrESPUnaligned, ErrESPTooFar, ErrYear, ErrZone} {
				if errors.Is(err, e) {
					return
				}
			}
			t.Fatalf("Encode: unexpected error %v", err)
		}
		if err != nil {
			t.Fatalf("Encode(%+v): %v", p, err)
		}
		h, err := Read(headerImage(b))
		if err != nil {
			t.Fatal(err)
		}
		// repart writes the wall clock of Time's location with the zone
		// truncated toward zero to quarter hours.
		for _, s := range []*string{&p.System, &p.Volume, &p.Publisher} {
			*s = strings.TrimRight(*s, " ") // padding
		}
		w := p.Time
		p.Time = time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0,
			time.FixedZone("", int(zoneSecs/900*900)))
		checkHeader(t, h, p)
	})
}
