package main

import (
	"math"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"github.com/gorepart/gorepart/repart"
)

// sourceDateEpoch reads SOURCE_DATE_EPOCH as systemd's
// parse_source_date_epoch() does: an unsigned number as safe_atou64()
// takes it (decimal, 0x hexadecimal, 0o or leading-0 octal, 0b binary,
// leading whitespace and a '+' allowed) whose microseconds fit in 64
// bits. Anything else is ignored (repart logs it at debug level only),
// and the files keep their own times.
func sourceDateEpoch(getenv func(string) string) (time.Time, bool) {
	v := getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return time.Time{}, false
	}
	secs, ok := parseU64(v)
	if !ok {
		return time.Time{}, false
	}
	if hi, lo := bits.Mul64(secs, 1e6); hi != 0 || lo == math.MaxUint64 {
		return time.Time{}, false // does not fit, or is USEC_INFINITY
	}
	return time.Unix(int64(secs), 0).UTC(), true
}

// parseU64 is systemd's safe_atou64(): strtoull() with base 0 after
// "0b"/"0o" prefixes are taken, the whole string consumed, no negative
// number but -0.
func parseU64(s string) (uint64, bool) {
	s = strings.TrimLeft(s, " \t\n\r")
	base := 0
	switch {
	case strings.HasPrefix(s, "0b"), strings.HasPrefix(s, "0B"):
		s, base = s[2:], 2
	case strings.HasPrefix(s, "0o"), strings.HasPrefix(s, "0O"):
		s, base = s[2:], 8
	}
	// strtoull skips whitespace and takes a sign itself.
	t := strings.TrimLeft(s, " \t\n\r\v\f")
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if base == 0 {
		switch {
		case len(t) > 2 && (t[:2] == "0x" || t[:2] == "0X") && isHexDigit(t[2]):
			t, base = t[2:], 16
		case len(t) > 1 && t[0] == '0':
			t, base = t[1:], 8
		default:
			base = 10
		}
	}
	if t == "" || t[0] == '+' || t[0] == '-' || t[0] == '_' {
		return 0, false
	}
	n, err := strconv.ParseUint(t, base, 64)
	if err != nil || strings.Contains(t, "_") {
		return 0, false
	}
	if neg && n != 0 {
		return 0, false
	}
	return n, true
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// reportStyle is what of the environment shapes repart's report: debug
// logging (SYSTEMD_LOG_LEVEL=debug or 7, also as one of a comma list of
// levels) shows every column, and the arrow is ASCII unless the locale
// is UTF-8 (systemd's is_locale_utf8(): SYSTEMD_UTF8= first, then
// LC_ALL, LC_CTYPE, LANG; none set counts as UTF-8).
func reportStyle(getenv func(string) string) repart.ReportStyle {
	return repart.ReportStyle{Debug: debugLogging(getenv("SYSTEMD_LOG_LEVEL")), ASCII: !localeUTF8(getenv)}
}

// debugLogging reports whether SYSTEMD_LOG_LEVEL sets the maximum log
// level to debug (log_set_max_level_from_string(): comma-separated
// levels, TARGET:LEVEL ones for a single target only; parsing stops at
// the first invalid one).
func debugLogging(v string) bool {
	levels := []string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}
	debug := false
	for _, w := range strings.Split(v, ",") {
		w = strings.TrimSpace(w)
		if w == "" {
			continue
		}
		target := strings.Contains(w, ":")
		if target {
			w = w[strings.IndexByte(w, ':')+1:]
		}
		level := -1
		for i, l := range levels {
			if w == l {
				level = i
			}
		}
		if n, err := strconv.Atoi(w); err == nil && n >= 0 && n <= 7 {
			level = n
		}
		if level < 0 {
			break
		}
		if !target {
			debug = level == 7
		}
	}
	return debug
}

// localeUTF8 is systemd's is_locale_utf8() without asking libc: a locale
// whose name says UTF-8 is, "C" and "POSIX" set explicitly are not, and
// other locales are not (their codeset is not UTF-8).
func localeUTF8(getenv func(string) string) bool {
	if b, err := parseBool("", getenv("SYSTEMD_UTF8")); err == nil {
		return b
	}
	for _, k := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		v := getenv(k)
		if v == "" {
			continue
		}
		l := strings.ToLower(v)
		return strings.Contains(l, "utf-8") || strings.Contains(l, "utf8")
	}
	return true
}
