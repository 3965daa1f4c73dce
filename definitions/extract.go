package definitions

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// extractFlags mirror the subset of systemd's ExtractFlags repart uses
// (src/basic/extract-word.c).
type extractFlags uint8

const (
	extractUnquote extractFlags = 1 << iota
	extractCUnescape
	extractDontCoalesce
	extractUnescapeSeparators
)

var errSyntax = errors.New("invalid quoting or escaping")

// extractor walks a string as repeated calls of systemd's
// extract_first_word(&p, ...) do; done plays the role of p == NULL.
type extractor struct {
	s    string
	done bool
}

// next returns the next word and whether there was one. Separators
// default to whitespace.
func (x *extractor) next(seps string, fl extractFlags) (string, bool, error) {
	if x.done {
		return "", false, nil
	}
	if seps == "" {
		seps = whitespace
	}
	s := x.s
	i := 0
	haveWord := fl&extractDontCoalesce != 0
	// Skip leading separators (or, without coalescing, stop at the first).
	for ; ; i++ {
		if i >= len(s) {
			x.done = true
			if haveWord {
				return "", true, nil
			}
			return "", false, nil
		}
		if strings.IndexByte(seps, s[i]) >= 0 {
			if fl&extractDontCoalesce != 0 {
				x.s = s[i+1:]
				return "", true, nil
			}
			continue
		}
		break
	}
	var b strings.Builder
	var quote byte
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\\':
			i++
			if i >= len(s) {
				return "", false, errSyntax
			}
			n, err := unescapeOne(s[i:], seps, fl, &b)
			if err != nil {
				return "", false, err
			}
			i += n
			continue
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				b.WriteByte(c)
			}
		case (c == '\'' || c == '"') && fl&extractUnquote != 0:
			quote = c
		case strings.IndexByte(seps, c) >= 0:
			if fl&extractDontCoalesce != 0 {
				x.s = s[i+1:]
				return b.String(), true, nil
			}
			for i < len(s) && strings.IndexByte(seps, s[i]) >= 0 {
				i++
			}
			if i >= len(s) {
				x.done = true
			} else {
				x.s = s[i:]
			}
			return b.String(), true, nil
		default:
			b.WriteByte(c)
		}
		i++
	}
	if quote != 0 {
		return "", false, errSyntax
	}
	x.done = true
	return b.String(), true, nil
}

// rest is what is left after the words extracted so far ("" when done).
func (x *extractor) rest() string {
	if x.done {
		return ""
	}
	return x.s
}

// unescapeOne handles the character(s) after a backslash and returns how
// many bytes it consumed.
func unescapeOne(s, seps string, fl extractFlags, b *strings.Builder) (int, error) {
	if fl&(extractCUnescape|extractUnescapeSeparators) == 0 {
		r, n := utf8.DecodeRuneInString(s)
		if r == utf8.RuneError && n == 1 {
			b.WriteByte(s[0])
			return 1, nil
		}
		b.WriteString(s[:n])
		return n, nil
	}
	if fl&extractCUnescape != 0 {
		if n, ok := cunescapeOne(s, b); ok {
			return n, nil
		}
	}
	if fl&extractUnescapeSeparators != 0 && (strings.IndexByte(seps, s[0]) >= 0 || s[0] == '\\') {
		b.WriteByte(s[0])
		return 1, nil
	}
	return 0, errSyntax
}

// cunescapeOne decodes one C escape (without the backslash) as systemd's
// cunescape_one does with NUL bytes refused.
func cunescapeOne(s string, b *strings.Builder) (int, bool) {
	simple := map[byte]byte{'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v',
		'\\': '\\', '"': '"', '\'': '\'', 's': ' '}
	c := s[0]
	if v, ok := simple[c]; ok {
		b.WriteByte(v)
		return 1, true
	}
	hexv := func(t string) (uint32, bool) {
		var v uint32
		for i := 0; i < len(t); i++ {
			d := t[i]
			switch {
			case d >= '0' && d <= '9':
				v = v<<4 | uint32(d-'0')
			case d >= 'a' && d <= 'f':
				v = v<<4 | uint32(d-'a'+10)
			case d >= 'A' && d <= 'F':
				v = v<<4 | uint32(d-'A'+10)
			default:
				return 0, false
			}
		}
		return v, true
	}
	switch {
	case c == 'x':
		if len(s) < 3 {
			return 0, false
		}
		v, ok := hexv(s[1:3])
		if !ok || v == 0 {
			return 0, false
		}
		b.WriteByte(byte(v))
		return 3, true
	case c == 'u' || c == 'U':
		n := 4
		if c == 'U' {
			n = 8
		}
		if len(s) < 1+n {
			return 0, false
		}
		v, ok := hexv(s[1 : 1+n])
		if !ok || v == 0 || !utf8.ValidRune(rune(v)) {
			return 0, false
		}
		b.WriteRune(rune(v))
		return 1 + n, true
	case c >= '0' && c <= '7':
		if len(s) < 3 {
			return 0, false
		}
		var v uint32
		for i := 0; i < 3; i++ {
			d := s[i]
			if d < '0' || d > '7' {
				return 0, false
			}
			v = v<<3 | uint32(d-'0')
		}
		if v == 0 || v > 255 {
			return 0, false
		}
		b.WriteByte(byte(v))
		return 3, true
	}
	return 0, false
}

// splitWords splits a whitespace list with quoting (EXTRACT_UNQUOTE), as
// ExcludeFiles=, MakeDirectories=, MakeSymlinks= and Subvolumes= do.
func splitWords(s string) ([]string, error) {
	x := &extractor{s: s}
	var out []string
	for {
		w, ok, err := x.next("", extractUnquote)
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		out = append(out, w)
	}
}
