package sysupdate

import (
	"fmt"
	"strings"
)

// field is the kind of a pattern element.
type field int8

const (
	literal field = iota
	version
	partitionUUID
	partitionFlags
	mtime
	mode
	size
	triesDone
	triesLeft
	noAuto
	readOnly
	growFS
	sha256sum
	slash
)

// markers maps the letter after "@" to its field (pattern_element_type_from_char).
var markers = map[byte]field{
	'v': version, 'u': partitionUUID, 'f': partitionFlags, 't': mtime,
	'm': mode, 's': size, 'd': triesDone, 'l': triesLeft,
	'a': noAuto, 'r': readOnly, 'g': growFS, 'h': sha256sum,
}

type element struct {
	kind field
	lit  string
}

// Pattern is a parsed MatchPattern= value.
type Pattern struct {
	text  string
	elems []element
}

// String returns the pattern as written.
func (p *Pattern) String() string { return p.text }

// validChar is sysupdate's valid_char: printable ASCII without the
// characters reserved for a future glob syntax.
func validChar(c byte) bool {
	return c >= ' ' && c < 127 && !strings.ContainsRune("$*?[]!\\|", rune(c))
}

// ParsePattern splits a pattern into literals, slashes and fields, with
// pattern_split's checks.
func ParsePattern(s string) (*Pattern, error) {
	p := &Pattern{text: s}
	at, lastLiteral, lastSlash := false, true, false
	seen := map[field]bool{}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '@' {
			if !at {
				at = true
				continue
			}
			at = false // "@@": a literal "@", handled below
		} else if at {
			f, ok := markers[c]
			if !ok {
				return nil, fmt.Errorf("pattern %q: unknown field marker '@%c'", s, c)
			}
			if seen[f] {
				return nil, fmt.Errorf("pattern %q: field marker '@%c' appears twice", s, c)
			}
			if !lastLiteral && !lastSlash {
				return nil, fmt.Errorf("pattern %q: two field markers without a separating literal", s)
			}
			seen[f] = true
			p.elems = append(p.elems, element{kind: f})
			at, lastLiteral, lastSlash = false, false, false
			continue
		}
		if c == '/' {
			p.elems = append(p.elems, element{kind: slash})
			lastLiteral, lastSlash = false, true
			continue
		}
		if !validChar(c) {
			return nil, fmt.Errorf("pattern %q: invalid character %#x", s, c)
		}
		lastLiteral, lastSlash = true, false
		if n := len(p.elems); n > 0 && p.elems[n-1].kind == literal {
			p.elems[n-1].lit += string(c)
		} else {
			p.elems = append(p.elems, element{kind: literal, lit: string(c)})
		}
	}
	if at {
		return nil, fmt.Errorf("pattern %q: trailing @", s)
	}
	if !seen[version] {
		return nil, fmt.Errorf("pattern %q: version field marker '@v' missing", s)
	}
	return p, nil
}

// Result is the outcome of matching one name.
type Result int8

const (
	// NoMatch: the name does not match.
	NoMatch Result = iota
	// Match: the name matches; the Instance holds the fields.
	Match
	// Retry: the name matched up to a "/" of the pattern and ended there,
	// i.e. it is a directory that may hold a match (PATTERN_MATCH_RETRY).
	Retry
)

func (r Result) String() string {
	return [...]string{"no match", "match", "retry"}[r]
}

// Match matches name against the pattern as pattern_match does.
func (p *Pattern) Match(name string) (Instance, Result) {
	var in Instance
	rest := name
	for i, e := range p.elems {
		switch e.kind {
		case slash:
			switch {
			case strings.HasPrefix(rest, "/"):
				rest = rest[1:]
				continue
			case rest == "":
				return Instance{}, Retry
			default:
				return Instance{}, NoMatch
			}
		case literal:
			r, ok := strings.CutPrefix(rest, e.lit)
			if !ok {
				return Instance{}, NoMatch
			}
			rest = r
			continue
		}
		end := len(rest)
		if i+1 < len(p.elems) {
			// The next element is a literal (or a slash): the field ends
			// at its first occurrence.
			next := "/"
			if p.elems[i+1].kind == literal {
				next = p.elems[i+1].lit
			}
			end = strings.Index(rest, next)
			if end < 0 {
				return Instance{}, NoMatch
			}
		}
		if !in.set(e.kind, rest[:end]) {
			return Instance{}, NoMatch
		}
		rest = rest[end:]
	}
	return in, Match
}

// MatchAny tries the patterns in order, as pattern_match_many does, and
// returns the first match (or retry) with the index of its pattern, or
// NoMatch and -1.
func MatchAny(patterns []*Pattern, name string) (Instance, Result, int) {
	for i, p := range patterns {
		if in, r := p.Match(name); r != NoMatch {
			return in, r, i
		}
	}
	return Instance{}, NoMatch, -1
}
