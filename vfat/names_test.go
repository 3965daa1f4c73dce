package vfat

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/gorepart/gorepart/fstree"
)

// TestShortNames checks aliases against what Linux vfat (shortname=mixed)
// creates for the same names in an empty directory.
func TestShortNames(t *testing.T) {
	for _, c := range []struct{ name, short string }{
		{"README.TXT", "README  TXT"},
		{"BOOTX64.EFI", "BOOTX64 EFI"},
		{"12345678.123", "12345678123"},
		{"CON", "CON        "},
		{"A~1", "A~1        "},
		{"readme.txt", "README~1TXT"},
		{"ReadMe.Txt", "README~1TXT"},
		{"Long File Name Entry.conf", "LONGFI~1CON"},
		{".hidden", "HIDDEN~1   "},
		{"..dots.x", "DOTS~1  X  "},
		{"a+b,c;d=e[f]g.txt", "A_B_C_~1TXT"},
		{"archive.tar.gz", "ARCHIV~1GZ "},
		{"x", "X~1        "},
		{"123456789.1234", "123456~1123"},
		{" leading space", "LEADIN~1   "},
		{"日本語.txt", "___~1   TXT"},
		{"a b", "AB~1       "},
	} {
		got := aliases(t, c.name)[0]
		if got != c.short {
			t.Errorf("%q: alias %q, want %q", c.name, got, c.short)
		}
	}
}

// aliases returns the short names of names in one directory.
func aliases(t *testing.T, names ...string) []string {
	t.Helper()
	root := &fstree.Inode{Kind: fstree.Dir}
	for _, n := range names {
		root.Entries = append(root.Entries, &fstree.Entry{Name: n, Inode: &fstree.Inode{Kind: fstree.File}})
	}
	c, err := analyze(&fstree.Tree{Root: root}, false)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range c.root.kids {
		out = append(out, string(k.short[:]))
	}
	return out
}

func TestNumericTails(t *testing.T) {
	var names []string
	for i := 0; i < 1200; i++ {
		names = append(names, fmt.Sprintf("verylongname%04d.txt", i))
	}
	got := aliases(t, names...)
	for i, want := range map[int]string{0: "VERYLO~1TXT", 8: "VERYLO~9TXT", 9: "VERYL~10TXT",
		98: "VERYL~99TXT", 99: "VERY~100TXT", 998: "VERY~999TXT", 999: "VER~1000TXT"} {
		if got[i] != want {
			t.Errorf("alias %d: %q, want %q", i, got[i], want)
		}
	}
	// An existing 8.3 name keeps its name; generated aliases go around it.
	got = aliases(t, "README~1.TXT", "readme.txt")
	if got[0] != "README~1TXT" || got[1] != "README~2TXT" {
		t.Errorf("aliases %q", got)
	}
}

func TestLFNSlots(t *testing.T) {
	for _, name := range []string{"a", "exactly13char", "fourteen chars", "smiley 😀 outside the BMP"} {
		units := utf16.Encode([]rune(name))
		n := lfnSlots(len(units))
		b := make([]byte, n*dirEntrySize)
		short := packShort([]byte("X"), nil)
		putLFN(b, units, lfnChecksum(short))
		if b[0] != byte(n)|lfnLast {
			t.Errorf("%q: first ordinal %#x", name, b[0])
		}
		var back []uint16
		for i := n - 1; i >= 0; i-- {
			s := b[i*dirEntrySize:]
			if s[11] != attrLFN || s[13] != lfnChecksum(short) {
				t.Fatalf("%q: slot %d attr %#x sum %#x", name, i, s[11], s[13])
			}
			for _, off := range lfnOffsets {
				back = append(back, uint16(s[off])|uint16(s[off+1])<<8)
			}
		}
		for len(back) > len(units) && back[len(back)-1] == 0xFFFF {
			back = back[:len(back)-1]
		}
		if len(back) > len(units) {
			if back[len(units)] != 0 {
				t.Errorf("%q: no terminator", name)
			}
			back = back[:len(units)]
		}
		if string(utf16.Decode(back)) != name {
			t.Errorf("%q: decoded %q", name, string(utf16.Decode(back)))
		}
	}
	// Checksum of "README~1TXT" (fatgen103 algorithm, computed independently).
	if s := lfnChecksum(packShort([]byte("README~1"), []byte("TXT"))); s != 0x6b {
		t.Errorf("checksum %#x", s)
	}
}

func TestFATTime(t *testing.T) {
	for _, c := range []struct {
		t        time.Time
		date, tm uint16
		cs       byte
	}{
		{time.Date(2024, 5, 6, 7, 8, 9, 500_000_000, time.UTC), 44<<9 | 5<<5 | 6, 7<<11 | 8<<5 | 4, 150},
		{time.Date(1979, 12, 31, 23, 59, 59, 0, time.UTC), 1<<5 | 1, 0, 0},
		{time.Date(2108, 1, 1, 0, 0, 0, 0, time.UTC), 127<<9 | 12<<5 | 31, 23<<11 | 59<<5 | 29, 199},
		// Time zones do not matter: the UTC instant is stored.
		{time.Date(2024, 5, 6, 9, 8, 8, 0, time.FixedZone("CEST", 7200)), 44<<9 | 5<<5 | 6, 7<<11 | 8<<5 | 4, 0},
	} {
		d, tm, cs := fatTime(c.t)
		if d != c.date || tm != c.tm || cs != c.cs {
			t.Errorf("%v: %#x %#x %d, want %#x %#x %d", c.t, d, tm, cs, c.date, c.tm, c.cs)
		}
	}
}

func TestMangleLabel(t *testing.T) {
	for in, want := range map[string]string{
		"esp": "ESP", "root-x86-64": "ROOT-X86-64", "xbootldr": "XBOOTLDR", "a very long label": "A VERY LONG",
		"ümlaut": "_MLAUT", "a.b:c": "A_B_C", "": "",
	} {
		if got := MangleLabel(in); got != want {
			t.Errorf("MangleLabel(%q) = %q, want %q", in, got, want)
		}
		if _, err := labelField(MangleLabel(in)); err != nil {
			t.Errorf("mangled %q refused: %v", in, err)
		}
	}
	if _, err := labelField("lower"); err == nil || !strings.Contains(err.Error(), "lower") {
		t.Errorf("lower-case label accepted: %v", err)
	}
}
