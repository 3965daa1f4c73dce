package definitions

import (
	"strings"
	"unicode/utf8"
)

// assignment is one "Key=Value" line of the [Partition] section.
type assignment struct {
	Key, Value string
	Line       int
}

// parseINI splits a .conf file into [Partition] assignments with systemd's
// conf-parser rules (src/shared/conf-parser.c config_parse/parse_line):
//   - a line whose first non-blank character is '#' or ';' is a comment,
//     also in the middle of a continued line;
//   - a line ending in an odd number of backslashes continues on the next
//     line, the final backslash becoming a space; the assignment is
//     reported at the line where it ends;
//   - a UTF-8 byte order mark is removed from the first line that has one;
//   - keys and values are trimmed of surrounding whitespace; quotes mean
//     nothing at this level;
//   - only [Partition] is read; other sections are skipped (warned unless
//     named "X-..."), assignments before any section are warned and
//     ignored, lines without '=' are warned and ignored;
//   - a line that is not valid UTF-8 and a malformed section header are
//     errors, as in systemd.
func parseINI(file string, data []byte) ([]assignment, []Warning, error) {
	var out []assignment
	var warns []Warning
	lines := strings.Split(string(data), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	section := ""
	ignored := false
	var cont *strings.Builder
	lineNo := 0
	bomSeen := false
	handle := func(l string, n int) error {
		l = strings.Trim(l, whitespace)
		if l == "" {
			return nil
		}
		if !utf8.ValidString(l) {
			return &Error{Pos: Position{File: file, Line: n}, Msg: "line is not valid UTF-8"}
		}
		if l[0] == '[' {
			if l[len(l)-1] != ']' {
				return &Error{Pos: Position{File: file, Line: n}, Msg: "invalid section header " + quote(l)}
			}
			name := l[1 : len(l)-1]
			if name == "Partition" {
				section, ignored = name, false
				return nil
			}
			if !strings.HasPrefix(name, "X-") {
				warns = append(warns, Warning{Pos: Position{File: file, Line: n}, Msg: "Unknown section '" + name + "'. Ignoring."})
			}
			section, ignored = "", true
			return nil
		}
		if section == "" {
			if !ignored {
				warns = append(warns, Warning{Pos: Position{File: file, Line: n}, Msg: "Assignment outside of section. Ignoring."})
			}
			return nil
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			warns = append(warns, Warning{Pos: Position{File: file, Line: n}, Msg: "Missing '=', ignoring line."})
			return nil
		}
		if k == "" {
			warns = append(warns, Warning{Pos: Position{File: file, Line: n}, Msg: "Missing key name before '=', ignoring line."})
			return nil
		}
		out = append(out, assignment{Key: strings.Trim(k, whitespace), Value: strings.Trim(v, whitespace), Line: n})
		return nil
	}
	for _, raw := range lines {
		lineNo++
		raw = strings.TrimSuffix(raw, "\r")
		if t := strings.TrimLeft(raw, whitespace); t != "" && (t[0] == '#' || t[0] == ';') {
			continue
		}
		// As config_parse: the comment check above sees the byte order
		// mark; only the first line carrying one has it removed.
		if !bomSeen && strings.HasPrefix(raw, bom) {
			raw = raw[len(bom):]
			bomSeen = true
		}
		var p string
		if cont != nil {
			cont.WriteString(raw)
			p = cont.String()
		} else {
			p = raw
		}
		if oddTrailingBackslash(p) {
			if cont == nil {
				cont = &strings.Builder{}
				cont.WriteString(raw)
			}
			s := cont.String()
			cont.Reset()
			cont.WriteString(s[:len(s)-1] + " ")
			continue
		}
		cont = nil
		if err := handle(p, lineNo); err != nil {
			return nil, nil, err
		}
	}
	if cont != nil {
		if err := handle(cont.String(), lineNo+1); err != nil {
			return nil, nil, err
		}
	}
	return out, warns, nil
}

const whitespace = " \t\n\r"

// bom is the UTF-8 byte order mark.
const bom = "\xef\xbb\xbf"

// oddTrailingBackslash reports whether s ends in an unescaped backslash,
// scanning left to right as conf-parser does.
func oddTrailingBackslash(s string) bool {
	esc := false
	for i := 0; i < len(s); i++ {
		if esc {
			esc = false
		} else if s[i] == '\\' {
			esc = true
		}
	}
	return esc
}
