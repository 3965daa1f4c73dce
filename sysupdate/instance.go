package sysupdate

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Instance holds the fields a match extracted; nil means the pattern had
// no such field.
type Instance struct {
	Version        string
	PartitionUUID  *[16]byte
	PartitionFlags *uint64
	Mtime          *uint64 // µs since the epoch
	Mode           *uint32
	Size           *uint64
	TriesDone      *uint64
	TriesLeft      *uint64
	NoAuto         *bool
	ReadOnly       *bool
	GrowFS         *bool
	SHA256         *[32]byte
}

// usecInfinity is systemd's USEC_INFINITY; maxTimeT is TIME_T_MAX.
const (
	usecInfinity = ^uint64(0)
	maxTimeT     = 1<<63 - 1
)

// set parses one field's text; false when it is not a valid value.
func (in *Instance) set(f field, t string) bool {
	switch f {
	case version:
		if !versionValid(t) {
			return false
		}
		in.Version = t
	case partitionUUID:
		u, ok := parseID128(t)
		if !ok {
			return false
		}
		in.PartitionUUID = &u
	case partitionFlags:
		v, ok := parseUint(t, 16, false)
		if !ok {
			return false
		}
		in.PartitionFlags = &v
	case mtime:
		v, ok := parseUint(t, 0, false)
		if !ok || v == usecInfinity || v/1000000 > maxTimeT {
			return false
		}
		in.Mtime = &v
	case mode:
		v, ok := parseUint(t, 8, true)
		if !ok || v > 0o7777 || v&^0o775 != 0 {
			return false
		}
		m := uint32(v)
		in.Mode = &m
	case size, triesDone, triesLeft:
		v, ok := parseUint(t, 0, false)
		if !ok || v == ^uint64(0) {
			return false
		}
		switch f {
		case size:
			in.Size = &v
		case triesDone:
			in.TriesDone = &v
		default:
			in.TriesLeft = &v
		}
	case noAuto, readOnly, growFS:
		b, ok := parseBoolean(t)
		if !ok {
			return false
		}
		switch f {
		case noAuto:
			in.NoAuto = &b
		case readOnly:
			in.ReadOnly = &b
		default:
			in.GrowFS = &b
		}
	case sha256sum:
		if len(t) != 64 {
			return false
		}
		var h [32]byte
		if _, err := hex.Decode(h[:], []byte(t)); err != nil {
			return false
		}
		in.SHA256 = &h
	default:
		return false
	}
	return true
}

// versionValid is version_is_valid: non-empty, no "/", at most NAME_MAX
// bytes, only letters, digits and ".,_-+".
func versionValid(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(".,_-+", c) >= 0) {
			return false
		}
	}
	return true
}

// parseID128 is sd_id128_from_string: 32 hex digits, or the 36-character
// UUID form with dashes at 8, 13, 18 and 23.
func parseID128(s string) ([16]byte, bool) {
	var u [16]byte
	h := s
	switch len(s) {
	case 32:
	case 36:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return u, false
		}
		h = s[:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	default:
		return u, false
	}
	if _, err := hex.Decode(u[:], []byte(h)); err != nil {
		return u, false
	}
	return u, true
}

// parseBoolean is systemd's parse_boolean (case-insensitive).
func parseBoolean(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "1", "yes", "y", "true", "t", "on":
		return true, true
	case "0", "no", "n", "false", "f", "off":
		return false, true
	}
	return false, false
}

// parseUint follows safe_atollu_full/safe_atou_full: leading whitespace
// skipped; with base 0 the "0b"/"0o" prefixes and strtoull's "0x" and
// leading-"0" octal apply; a sign is allowed unless refuseSign, and "-"
// only for zero; the whole string must be digits.
func parseUint(s string, base int, refuseSign bool) (uint64, bool) {
	s = strings.TrimLeft(s, " \t\n\r")
	if refuseSign && (strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-")) {
		return 0, false
	}
	if base == 0 {
		switch {
		case len(s) >= 2 && (s[:2] == "0b" || s[:2] == "0B"):
			base, s = 2, s[2:]
		case len(s) >= 2 && (s[:2] == "0o" || s[:2] == "0O"):
			base, s = 8, s[2:]
		}
	}
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	if (base == 0 || base == 16) && len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		base, s = 16, s[2:]
	}
	if base == 0 {
		base = 10
		if len(s) > 1 && s[0] == '0' {
			base = 8
		}
	}
	if s == "" || strings.ContainsAny(s, "_+- ") {
		return 0, false
	}
	v, err := strconv.ParseUint(s, base, 64)
	if err != nil || neg && v != 0 {
		return 0, false
	}
	return v, true
}

// Format renders the instance through the pattern (pattern_format): @u as
// 32 lowercase hex digits, @f in hex, @m as three or more octal digits,
// booleans as 1/0, @h in lowercase hex. A field the pattern uses but the
// instance lacks is an error.
func (p *Pattern) Format(in Instance) (string, error) {
	var b strings.Builder
	missing := func(c byte) error { return fmt.Errorf("pattern %q: instance has no value for @%c", p.text, c) }
	bit := func(v bool) string {
		if v {
			return "1"
		}
		return "0"
	}
	for _, e := range p.elems {
		switch e.kind {
		case slash:
			b.WriteByte('/')
		case literal:
			b.WriteString(e.lit)
		case version:
			if in.Version == "" {
				return "", missing('v')
			}
			b.WriteString(in.Version)
		case partitionUUID:
			if in.PartitionUUID == nil {
				return "", missing('u')
			}
			b.WriteString(hex.EncodeToString(in.PartitionUUID[:]))
		case partitionFlags:
			if in.PartitionFlags == nil {
				return "", missing('f')
			}
			b.WriteString(strconv.FormatUint(*in.PartitionFlags, 16))
		case mtime:
			if in.Mtime == nil {
				return "", missing('t')
			}
			b.WriteString(strconv.FormatUint(*in.Mtime, 10))
		case mode:
			if in.Mode == nil {
				return "", missing('m')
			}
			fmt.Fprintf(&b, "%03o", *in.Mode)
		case size, triesDone, triesLeft:
			v, c := in.Size, byte('s')
			if e.kind == triesDone {
				v, c = in.TriesDone, 'd'
			} else if e.kind == triesLeft {
				v, c = in.TriesLeft, 'l'
			}
			if v == nil {
				return "", missing(c)
			}
			b.WriteString(strconv.FormatUint(*v, 10))
		case noAuto, readOnly, growFS:
			v, c := in.NoAuto, byte('a')
			if e.kind == readOnly {
				v, c = in.ReadOnly, 'r'
			} else if e.kind == growFS {
				v, c = in.GrowFS, 'g'
			}
			if v == nil {
				return "", missing(c)
			}
			b.WriteString(bit(*v))
		case sha256sum:
			if in.SHA256 == nil {
				return "", missing('h')
			}
			b.WriteString(hex.EncodeToString(in.SHA256[:]))
		}
	}
	return b.String(), nil
}
