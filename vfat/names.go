package vfat

import (
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// checkLongName refuses names Linux vfat would not create as given: empty,
// invalid UTF-8, longer than 255 UTF-16 units, holding a character FAT
// forbids, or ending in a dot (the kernel strips trailing dots).
func checkLongName(name string) error {
	if name == "" || name == "." || name == ".." {
		return fmt.Errorf("name %q not allowed", name)
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("name %q is not valid UTF-8", name)
	}
	for _, r := range name {
		if r < 0x20 || r == '*' || r == '?' || r == '<' || r == '>' || r == '|' ||
			r == '"' || r == ':' || r == '/' || r == '\\' {
			return fmt.Errorf("name %q: character %q cannot be stored on FAT", name, r)
		}
	}
	if name[len(name)-1] == '.' {
		return fmt.Errorf("name %q ends in a dot, which FAT drops", name)
	}
	if n := len(utf16.Encode([]rune(name))); n > maxLFNUnits {
		return fmt.Errorf("name %q is %d UTF-16 units, FAT allows %d", name, n, maxLFNUnits)
	}
	return nil
}

// foldKey maps s to a key equal for names that match case-insensitively
// (Unicode simple folding, as Windows and UEFI compare names).
func foldKey(s string) string {
	b := make([]rune, 0, len(s))
	for _, r := range s {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		b = append(b, m)
	}
	return string(b)
}

// shortChar converts one character for a short name as Linux
// to_shortname_char does with an ASCII code page: it returns the byte (0 to
// skip it) and whether the conversion was exact and whether it was
// lowercase.
func shortChar(r rune) (c byte, exact, lower bool) {
	switch {
	case r == '.' || r == ' ':
		return 0, false, false
	case r == '+' || r == ',' || r == ';' || r == '=' || r == '[' || r == ']':
		return '_', false, false
	case r >= 0x7F:
		return '_', false, false
	case r >= 'a' && r <= 'z':
		return byte(r - 'a' + 'A'), true, true
	}
	return byte(r), true, false
}

// shortBasis splits name into the base and extension of its short name the
// way Linux vfat_create_shortname does. exact is true when name is itself a
// valid upper-case 8.3 name that needs no long name entries.
func shortBasis(name string) (base, ext []byte, exact bool) {
	runes := []rune(name)
	dot := -1
	for i := len(runes) - 1; i >= 0; i-- {
		if runes[i] == '.' {
			dot = i
			break
		}
	}
	// A name that is only dots before its last dot (".profile") has no
	// extension: its extension becomes the base.
	if dot >= 0 {
		onlySkip := true
		for _, r := range runes[:dot] {
			if r != '.' && r != ' ' {
				onlySkip = false
				break
			}
		}
		if onlySkip {
			dot = -1
		}
	}
	baseRunes, extRunes := runes, []rune(nil)
	if dot >= 0 {
		baseRunes, extRunes = runes[:dot], runes[dot+1:]
	}
	exact = true
	for i, r := range baseRunes {
		c, ok, lower := shortChar(r)
		if !ok || lower {
			exact = false
		}
		if c == 0 {
			continue
		}
		base = append(base, c)
		if len(base) == 8 {
			if i+1 < len(baseRunes) {
				exact = false
			}
			break
		}
	}
	for i, r := range extRunes {
		c, ok, lower := shortChar(r)
		if !ok || lower {
			exact = false
		}
		if c == 0 {
			continue
		}
		ext = append(ext, c)
		if len(ext) == 3 {
			if i+1 < len(extRunes) {
				exact = false
			}
			break
		}
	}
	if len(base) > 0 && base[0] == 0xE5 {
		base[0] = 0x05
	}
	return base, ext, exact
}

// packShort builds the 11-byte space-padded directory name.
func packShort(base, ext []byte) [11]byte {
	var n [11]byte
	for i := range n {
		n[i] = ' '
	}
	copy(n[:8], base)
	copy(n[8:], ext)
	return n
}

// shortNamer hands out unique short names within one directory.
type shortNamer struct {
	used map[[11]byte]bool
	next map[string]int // first tail number worth trying per basis
}

// reserve marks a short name as taken.
func (s *shortNamer) reserve(n [11]byte) { s.used[n] = true }

// generate returns the first free numeric-tail alias for base/ext: "~1" to
// "~9" as Linux does, then "~10" and up as mtools does (Linux would switch
// to time-based hex here, which is not reproducible).
func (s *shortNamer) generate(base, ext []byte) ([11]byte, error) {
	key := string(base) + "." + string(ext)
	for i := max(1, s.next[key]); i <= 999999; i++ {
		tail := "~" + strconv.Itoa(i)
		b := base
		limit := 8 - len(tail)
		if i < 10 {
			limit = 6 // Linux keeps at most 6 base characters for ~1..~9
		}
		if len(b) > limit {
			b = b[:limit]
		}
		cand := packShort(append(append([]byte(nil), b...), tail...), ext)
		if !s.used[cand] {
			s.used[cand] = true
			s.next[key] = i + 1
			return cand, nil
		}
	}
	return [11]byte{}, fmt.Errorf("no free short name for %q", base)
}

// lfnChecksum is the checksum of a short name stored in each LFN slot.
func lfnChecksum(n [11]byte) byte {
	var sum byte
	for _, c := range n {
		sum = (sum&1)<<7 + sum>>1 + c
	}
	return sum
}

// lfnSlots is the number of LFN slots a name of n UTF-16 units takes.
func lfnSlots(n int) int { return (n + lfnCharsSlot - 1) / lfnCharsSlot }
