package fsformat

import (
	"fmt"
	"strings"
)

// MkfsOption is one option of SYSTEMD_REPART_MKFS_OPTIONS_<FORMAT>: a flag
// ("-L") and, for a flag that takes one, its value.
type MkfsOption struct {
	Flag, Value string
}

func (o MkfsOption) String() string {
	if o.Value == "" {
		return o.Flag
	}
	return o.Flag + " " + o.Value
}

// ParseMkfsOptions reads the words of a mkfs command line the way getopt
// does for short options: a flag whose letter is in valued takes the rest
// of its word ("-Lroot", "-zlz4") or the next word ("-L root"). Long
// options ("--foo=bar") are kept whole. Words that are not options are
// refused: repart appends them after the device, where mkfs would take
// them as extra operands.
func ParseMkfsOptions(words []string, valued string) ([]MkfsOption, error) {
	var out []MkfsOption
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case strings.HasPrefix(w, "--"):
			flag, val, _ := strings.Cut(w, "=")
			out = append(out, MkfsOption{flag, val})
		case strings.HasPrefix(w, "-") && len(w) >= 2:
			flag := w[:2]
			if !strings.ContainsRune(valued, rune(w[1])) {
				out = append(out, MkfsOption{Flag: w})
				continue
			}
			val := w[2:]
			if val == "" {
				if i+1 >= len(words) {
					return nil, fmt.Errorf("option %s needs a value", flag)
				}
				i++
				val = words[i]
			}
			out = append(out, MkfsOption{flag, val})
		default:
			return nil, fmt.Errorf("%q is not an option", w)
		}
	}
	return out, nil
}

// NotApplied warns that a native writer has no equivalent of o: the
// filesystem is made as repart makes it without the option.
func (p Params) NotApplied(format string, o MkfsOption) {
	if p.Warn != nil {
		p.Warn(fmt.Sprintf("SYSTEMD_REPART_MKFS_OPTIONS_%s: %s is not applied: gorepart writes %s itself and has no such option",
			strings.ToUpper(format), o, format))
	}
}

// ParseUUID parses a UUID given to a mkfs option: 32 hexadecimal digits,
// dashes anywhere ignored.
func ParseUUID(s string) ([16]byte, error) {
	var u [16]byte
	h := strings.ReplaceAll(s, "-", "")
	if len(h) != 32 {
		return u, fmt.Errorf("%q is not a UUID", s)
	}
	for i := range u {
		var b byte
		for _, c := range h[2*i : 2*i+2] {
			switch {
			case c >= '0' && c <= '9':
				b = b<<4 | byte(c-'0')
			case c >= 'a' && c <= 'f':
				b = b<<4 | byte(c-'a'+10)
			case c >= 'A' && c <= 'F':
				b = b<<4 | byte(c-'A'+10)
			default:
				return u, fmt.Errorf("%q is not a UUID", s)
			}
		}
		u[i] = b
	}
	return u, nil
}
