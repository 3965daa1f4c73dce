package definitions

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// Specifiers holds the values of the system specifiers repart expands
// (systemd's COMMON_SYSTEM_SPECIFIERS and COMMON_TMP_SPECIFIERS). The CLI
// fills it: from os-release under --root (see ApplyOSRelease), or from
// --image-id=/--image-version=. An empty field expands to "".
type Specifiers struct {
	Arch           string // %a: defaults to NativeArch() when empty
	ImageVersion   string // %A IMAGE_VERSION
	BootID         string // %b
	BuildID        string // %B BUILD_ID
	Hostname       string // %H
	ShortHostname  string // %l: defaults to Hostname up to the first '.'
	PrettyHostname string // %q
	MachineID      string // %m
	ImageID        string // %M IMAGE_ID
	OSID           string // %o ID
	KernelRelease  string // %v
	VersionID      string // %w VERSION_ID
	VariantID      string // %W VARIANT_ID
	TmpDir         string // %T: defaults to "/tmp"
	VarTmpDir      string // %V: defaults to "/var/tmp"
}

func (sp Specifiers) lookup(c rune) (string, bool) {
	switch c {
	case 'a':
		if sp.Arch == "" {
			return NativeArch(), true
		}
		return sp.Arch, true
	case 'A':
		return sp.ImageVersion, true
	case 'b':
		return sp.BootID, true
	case 'B':
		return sp.BuildID, true
	case 'H':
		return sp.Hostname, true
	case 'l':
		if sp.ShortHostname == "" {
			h, _, _ := strings.Cut(sp.Hostname, ".")
			return h, true
		}
		return sp.ShortHostname, true
	case 'q':
		return sp.PrettyHostname, true
	case 'm':
		return sp.MachineID, true
	case 'M':
		return sp.ImageID, true
	case 'o':
		return sp.OSID, true
	case 'v':
		return sp.KernelRelease, true
	case 'w':
		return sp.VersionID, true
	case 'W':
		return sp.VariantID, true
	case 'T':
		if sp.TmpDir == "" {
			return "/tmp", true
		}
		return sp.TmpDir, true
	case 'V':
		if sp.VarTmpDir == "" {
			return "/var/tmp", true
		}
		return sp.VarTmpDir, true
	}
	return "", false
}

// Expand replaces %X specifiers in s as systemd's specifier_printf does:
// "%%" is a '%', a '%' at the very end stays, extra (if not nil) is
// consulted first (the planner passes %t %T %U %n for SplitName=), an
// unknown specifier is an error.
func Expand(s string, sp Specifiers, extra map[rune]string) (string, error) {
	return expandMax(s, sp, extra, 0)
}

// expandMax is Expand with specifier_printf's max_length check: a result
// longer than max bytes (max > 0) is an error.
func expandMax(s string, sp Specifiers, extra map[rune]string, max int) (string, error) {
	if !strings.Contains(s, "%") {
		if max > 0 && len(s) > max {
			return "", fmt.Errorf("longer than %d bytes", max)
		}
		return s, nil
	}
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '%' {
			b.WriteRune(rs[i])
			continue
		}
		if i+1 >= len(rs) {
			b.WriteByte('%')
			break
		}
		i++
		c := rs[i]
		if c == '%' {
			b.WriteByte('%')
			continue
		}
		if v, ok := extra[c]; ok {
			b.WriteString(v)
			continue
		}
		v, ok := sp.lookup(c)
		if !ok {
			return "", fmt.Errorf("unknown specifier %%%c", c)
		}
		b.WriteString(v)
	}
	if max > 0 && b.Len() > max {
		return "", fmt.Errorf("longer than %d bytes", max)
	}
	return b.String(), nil
}

// ApplyOSRelease sets the os-release based specifiers (%A %B %M %o %w %W)
// from the contents of an os-release file.
func (sp *Specifiers) ApplyOSRelease(data []byte) {
	v := ParseOSRelease(data)
	sp.ImageVersion = v["IMAGE_VERSION"]
	sp.BuildID = v["BUILD_ID"]
	sp.ImageID = v["IMAGE_ID"]
	sp.OSID = v["ID"]
	sp.VersionID = v["VERSION_ID"]
	sp.VariantID = v["VARIANT_ID"]
}

// ParseOSRelease reads os-release KEY=VALUE lines (shell-style quoting
// with '"' or '\”, backslash escapes inside double quotes, '#' comments).
func ParseOSRelease(data []byte) map[string]string {
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || l[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			q := v[0]
			v = v[1 : len(v)-1]
			if q == '"' {
				var b strings.Builder
				for i := 0; i < len(v); i++ {
					if v[i] == '\\' && i+1 < len(v) {
						i++
					}
					b.WriteByte(v[i])
				}
				v = b.String()
			}
		}
		m[strings.TrimSpace(k)] = v
	}
	return m
}
