package sysupdate

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Resource is the [Source] or [Target] section of a transfer file, as far
// as matching needs it.
type Resource struct {
	Type               string // url-file, url-tar, tar, regular-file, directory, subvolume, partition
	Path               string
	Patterns           []*Pattern // MatchPattern=, in order
	MatchPartitionType string     // Target only
	// Line is where the last MatchPattern= was set.
	Line int
}

// Transfer is one *.transfer file.
type Transfer struct {
	Path           string
	Source, Target Resource
}

// LoadTransfers reads every *.transfer file of dir in name order.
func LoadTransfers(dir string) ([]*Transfer, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.transfer"))
	if err != nil {
		return nil, fmt.Errorf("listing transfer files: %w", err)
	}
	sort.Strings(names)
	var out []*Transfer
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			return nil, fmt.Errorf("reading transfer file: %w", err)
		}
		t, err := ParseTransfer(n, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// ParseTransfer reads a transfer file in systemd's INI dialect: "#" and
// ";" comments, [Section] headers, Key=Value with a trailing "\" joining
// the next line. Keys other than Type=, Path=, MatchPattern= and
// MatchPartitionType= of [Source] and [Target] are skipped. MatchPattern=
// takes whitespace-separated, optionally quoted patterns; an empty value
// clears the list; each pattern must be valid.
func ParseTransfer(path string, r io.Reader) (*Transfer, error) {
	t := &Transfer{Path: path}
	var section string
	sc := bufio.NewScanner(r)
	lineNo, startLine := 0, 0
	var cont strings.Builder
	for sc.Scan() {
		lineNo++
		l := strings.TrimSpace(sc.Text())
		if cont.Len() == 0 {
			startLine = lineNo
			if l == "" || l[0] == '#' || l[0] == ';' {
				continue
			}
		} else if l != "" && (l[0] == '#' || l[0] == ';') {
			continue // comments inside a continuation are dropped
		}
		if strings.HasSuffix(l, "\\") {
			cont.WriteString(strings.TrimSuffix(l, "\\") + " ")
			continue
		}
		cont.WriteString(l)
		line := cont.String()
		cont.Reset()
		if strings.HasPrefix(line, "[") {
			if !strings.HasSuffix(line, "]") {
				return nil, fmt.Errorf("%s:%d: invalid section header %q", path, startLine, line)
			}
			section = line[1 : len(line)-1]
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: missing '=' in %q", path, startLine, line)
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		var res *Resource
		switch section {
		case "Source":
			res = &t.Source
		case "Target":
			res = &t.Target
		default:
			continue
		}
		if err := res.set(key, value, startLine); err != nil {
			return nil, fmt.Errorf("%s:%d: %s=: %w", path, startLine, key, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if cont.Len() > 0 {
		return nil, fmt.Errorf("%s:%d: file ends in a line continuation", path, startLine)
	}
	return t, nil
}

func (r *Resource) set(key, value string, line int) error {
	switch key {
	case "Type":
		r.Type = value
	case "Path":
		r.Path = value
	case "MatchPartitionType":
		r.MatchPartitionType = value
	case "MatchPattern":
		if value == "" {
			r.Patterns, r.Line = nil, line
			return nil
		}
		words, err := splitWords(value)
		if err != nil {
			return err
		}
		for _, w := range words {
			w, err := expandPercent(w)
			if err != nil {
				return err
			}
			p, err := ParsePattern(w)
			if err != nil {
				return err
			}
			r.Patterns = append(r.Patterns, p)
		}
		r.Line = line
	}
	return nil
}

// splitWords splits on whitespace, honouring '…' and "…" quoting.
func splitWords(s string) ([]string, error) {
	var words []string
	var b strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				b.WriteByte(c)
			}
		case c == '"' || c == '\'':
			quote, inWord = c, true
		case c == ' ' || c == '\t':
			if inWord {
				words, inWord = append(words, b.String()), false
				b.Reset()
			}
		default:
			b.WriteByte(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unbalanced quote in %q", s)
	}
	if inWord {
		words = append(words, b.String())
	}
	return words, nil
}

// expandPercent resolves "%%"; other specifiers need the target system
// and are refused.
func expandPercent(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		return "", fmt.Errorf("specifier in %q is not supported here", s)
	}
	return b.String(), nil
}
