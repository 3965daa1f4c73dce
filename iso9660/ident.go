package iso9660

import (
	"fmt"
	"strings"
)

// aCharacters is the set repart accepts in the system, volume and publisher
// identifiers: ECMA-119's a-characters (§7.4.1) plus lower-case letters,
// "common practice" according to iso9660.c.
const aCharacters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 _!\"%&'()*+,-./:;<=>?"

func validIdent(s string, max int) bool {
	if len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(aCharacters, rune(s[i])) {
			return false
		}
	}
	return true
}

// ValidSystem reports whether repart accepts s for --el-torito-system=:
// at most 32 a-characters ("" too: the field is then all spaces).
func ValidSystem(s string) bool { return validIdent(s, systemLen) }

// ValidVolume reports whether repart accepts s for --el-torito-volume=:
// at most 32 a-characters.
func ValidVolume(s string) bool { return validIdent(s, volumeLen) }

// ValidPublisher reports whether repart accepts s for
// --el-torito-publisher=: at most 128 a-characters.
func ValidPublisher(s string) bool { return validIdent(s, publisherLen) }

// putIdent copies s into field and pads it with spaces.
func putIdent(field []byte, s string) {
	n := copy(field, s)
	for i := n; i < len(field); i++ {
		field[i] = ' '
	}
}

func checkIdents(p Params) error {
	for _, f := range []struct {
		name, value string
		valid       func(string) bool
		max         int
	}{
		{"system", p.System, ValidSystem, systemLen},
		{"volume", p.Volume, ValidVolume, volumeLen},
		{"publisher", p.Publisher, ValidPublisher, publisherLen},
	} {
		if !f.valid(f.value) {
			return fmt.Errorf("%w: %s %q: at most %d characters of A-Z, a-z, 0-9, space and %s",
				ErrInvalidIdentifier, f.name, f.value, f.max, aCharacters[63:])
		}
	}
	return nil
}
