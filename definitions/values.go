package definitions

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"path"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

func quote(s string) string { return strconv.Quote(s) }

var errRange = errors.New("value out of range")

// sizeFactors is parse_size's base-1024 suffix table, in its order.
var sizeFactors = []struct {
	suffix string
	factor uint64
}{
	{"E", 1 << 60}, {"P", 1 << 50}, {"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}, {"", 1},
}

// parseSize is systemd's parse_size(t, 1024): one or more "N[.F][suffix]"
// terms with decreasing suffixes, summed; whitespace allowed between terms
// and before a suffix; negative values refused.
func parseSize(t string) (uint64, error) {
	var total uint64
	p := t
	start := 0
	for {
		p = strings.TrimLeft(p, whitespace)
		q := p
		if q != "" && q[0] == '-' {
			return 0, errRange
		}
		if q != "" && q[0] == '+' {
			q = q[1:]
		}
		n := 0
		for n < len(q) && q[n] >= '0' && q[n] <= '9' {
			n++
		}
		if n == 0 {
			return 0, fmt.Errorf("invalid size %q", t)
		}
		l, err := strconv.ParseUint(q[:n], 10, 64)
		if err != nil {
			return 0, errRange
		}
		e := q[n:]
		frac := 0.0
		if strings.HasPrefix(e, ".") {
			e = e[1:]
			m := 0
			for m < len(e) && e[m] >= '0' && e[m] <= '9' {
				m++
			}
			if m > 0 {
				l2, err := strconv.ParseUint(e[:m], 10, 64)
				if err != nil {
					return 0, errRange
				}
				frac = float64(l2)
				for i := 0; i < m; i++ {
					frac /= 10
				}
				e = e[m:]
			}
		}
		e = strings.TrimLeft(e, whitespace)
		// Each suffix may follow only smaller ones: "1G 512M" is fine,
		// "1M 1M" and "5 5" are not.
		i := start
		for ; i < len(sizeFactors); i++ {
			if strings.HasPrefix(e, sizeFactors[i].suffix) {
				break
			}
		}
		if i >= len(sizeFactors) {
			return 0, fmt.Errorf("invalid size %q", t)
		}
		start = i + 1
		f := sizeFactors[i].factor
		add := uint64(0)
		if frac > 0 {
			add = 1
		}
		if l+add > math.MaxUint64/f {
			return 0, errRange
		}
		tmp := l*f + uint64(frac*float64(f))
		if tmp > math.MaxUint64-total {
			return 0, errRange
		}
		total += tmp
		p = e[len(sizeFactors[i].suffix):]
		if p == "" {
			return total, nil
		}
	}
}

// parseBool is systemd's parse_boolean.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "1", "yes", "y", "true", "t", "on":
		return true, nil
	case "0", "no", "n", "false", "f", "off":
		return false, nil
	}
	return false, fmt.Errorf("invalid boolean %q", s)
}

// parseNumber is the core of systemd's safe_atou64/safe_atoi family
// (src/basic/parse-util.c): leading whitespace, Python-style "0b"/"0o"
// prefixes, then strtoull/strtol with base 0 (an optional sign, "0x" hex,
// a leading "0" octal, decimal otherwise). It returns the magnitude and
// whether a '-' was given.
func parseNumber(s string, bitSize int) (uint64, bool, error) {
	t := strings.TrimLeft(s, whitespace)
	base := 0
	switch {
	case strings.HasPrefix(t, "0b") || strings.HasPrefix(t, "0B"):
		base, t = 2, t[2:]
	case strings.HasPrefix(t, "0o") || strings.HasPrefix(t, "0O"):
		base, t = 8, t[2:]
	}
	t = strings.TrimLeft(t, " \t\n\v\f\r")
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if base == 0 {
		switch {
		case len(t) > 2 && (t[:2] == "0x" || t[:2] == "0X") && isHexDigit(t[2]):
			base, t = 16, t[2:]
		case len(t) > 1 && t[0] == '0':
			base = 8
		default:
			base = 10
		}
	}
	v, err := strconv.ParseUint(t, base, bitSize)
	if err != nil {
		return 0, false, fmt.Errorf("invalid number %q", s)
	}
	return v, neg, nil
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// parseUint is safe_atou64 (bitSize 64) or safe_atou32 (32); negative
// values other than zero are refused.
func parseUint(s string, bitSize int) (uint64, error) {
	v, neg, err := parseNumber(s, bitSize)
	if err != nil {
		return 0, err
	}
	if neg && v != 0 {
		return 0, fmt.Errorf("negative number %q", s)
	}
	return v, nil
}

// parseInt32 is safe_atoi32.
func parseInt32(s string) (int32, error) {
	v, neg, err := parseNumber(s, 64)
	if err != nil {
		return 0, err
	}
	if neg {
		if v > 1<<31 {
			return 0, fmt.Errorf("number %q out of range", s)
		}
		return int32(-int64(v)), nil
	}
	if v > math.MaxInt32 {
		return 0, fmt.Errorf("number %q out of range", s)
	}
	return int32(v), nil
}

func roundDown4096(v uint64) uint64 { return v &^ 4095 }

func roundUp4096(v uint64) uint64 {
	if v > math.MaxUint64-4095 {
		return math.MaxUint64 &^ 4095
	}
	return (v + 4095) &^ 4095
}

func isPowerOf2(v uint64) bool { return v != 0 && bits.OnesCount64(v) == 1 }

// utf16Len is the number of UTF-16 code units of s.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += len(utf16.Encode([]rune{r}))
	}
	return n
}

// filenameValid is systemd's filename_is_valid.
func filenameValid(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.Contains(s, "/") && len(s) <= 255
}

// simplifyAbsPath is path_simplify_and_warn with PATH_CHECK_ABSOLUTE:
// the path must be absolute, valid UTF-8 and without ".." components; "."
// components, repeated and trailing slashes are dropped (a trailing slash
// is kept when keepSlash).
func simplifyAbsPath(p string, keepSlash bool) (string, error) {
	if !utf8.ValidString(p) {
		return "", fmt.Errorf("path %q is not valid UTF-8", p)
	}
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("path %q is not absolute", p)
	}
	for _, c := range strings.Split(p, "/") {
		if c == ".." {
			return "", fmt.Errorf("path %q is not normalized (contains \"..\")", p)
		}
	}
	if len(p) >= 4096 {
		return "", fmt.Errorf("path %q is too long", p)
	}
	trailing := keepSlash && len(p) > 1 && strings.HasSuffix(p, "/")
	c := path.Clean(p)
	if trailing && c != "/" {
		c += "/"
	}
	return c, nil
}
