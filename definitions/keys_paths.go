package definitions

import (
	"slices"
	"strings"

	"github.com/gorepart/gorepart/fstree"
)

// Keys whose values are paths or lists of paths.

// expandPath expands specifiers in a path and checks it is absolute and
// normalized, as specifier_printf + path_simplify_and_warn do.
func (p *keyParser) expandPath(v string, pos Position, keepSlash bool) (string, error) {
	r, err := expandMax(v, p.sp, nil, pathMax)
	if err != nil {
		return "", &Error{Pos: pos, Msg: "cannot expand specifiers in " + quote(v), Err: err}
	}
	s, err := simplifyAbsPath(r, keepSlash)
	if err != nil {
		return "", &Error{Pos: pos, Msg: "invalid path", Err: err}
	}
	return s, nil
}

// keyCopyFiles parses SRC[:DST[:OPTS]] as config_parse_copy_files:
// ':'-separated, C escapes decoded, separators not coalesced. An empty
// value resets the list (repart would warn and ignore it).
func (p *keyParser) keyCopyFiles(v string, pos Position) error {
	if v == "" {
		p.d.Copies = nil
		return nil
	}
	x := &extractor{s: v}
	fl := extractCUnescape | extractDontCoalesce
	src, _, err := x.next(":", fl)
	if err != nil {
		return invalid(pos, "source path in", v, err)
	}
	dst, ok, err := x.next(":", fl)
	if err != nil {
		return invalid(pos, "target path in", v, err)
	}
	if !ok {
		dst = src
	}
	opts, _, err := x.next(":", fl)
	if err != nil {
		return invalid(pos, "options in", v, err)
	}
	if x.rest() != "" {
		return &Error{Pos: pos, Msg: "too many ':'-separated fields (SRC[:DST[:OPTIONS]]) in " + quote(v) + " (write a ':' in a path as \\x3a)"}
	}
	c := fstree.Copy{Origin: pos.File + ":" + itoa(pos.Line)}
	ox := &extractor{s: opts}
	for opts != "" {
		w, ok, err := ox.next(",", extractDontCoalesce|extractUnescapeSeparators)
		if err != nil {
			return invalid(pos, "options", opts, err)
		}
		if !ok {
			break
		}
		switch {
		case w == "":
		case w == "fsverity=copy":
			c.FSVerity = true
		case w == "fsverity=off":
			c.FSVerity = false
		case strings.HasPrefix(w, "fsverity="):
			p.warn(pos, "fsverity= expects either 'off' or 'copy'.")
		default:
			p.warn(pos, "Encountered unknown option '"+w+"', ignoring.")
		}
	}
	if c.Source, err = p.expandPath(src, pos, false); err != nil {
		return err
	}
	if c.Target, err = p.expandPath(dst, pos, false); err != nil {
		return err
	}
	p.d.Copies = append(p.d.Copies, c)
	return nil
}

func (p *keyParser) keyExcludeFiles(v string, pos Position) error {
	dst := &p.d.ExcludeFiles
	if pos.Key == "ExcludeFilesTarget" {
		dst = &p.d.ExcludeTargets
	}
	return p.pathList(dst, v, pos, true, false)
}

func (p *keyParser) keyMakeDirectories(v string, pos Position) error {
	return p.pathList(&p.d.MakeDirs, v, pos, false, true)
}

// pathList parses a whitespace-separated list of absolute paths with
// quoting and specifiers into dst: an empty value resets the list,
// trailingSlash keeps a trailing "/" (ExcludeFiles=), unique drops
// duplicates (MakeDirectories=).
func (p *keyParser) pathList(dst *[]string, v string, pos Position, trailingSlash, unique bool) error {
	if v == "" {
		*dst = nil
		return nil
	}
	words, err := splitWords(v)
	if err != nil {
		return invalid(pos, "list", v, err)
	}
	for _, w := range words {
		s, err := p.expandPath(w, pos, trailingSlash)
		if err != nil {
			return err
		}
		if !unique || !slices.Contains(*dst, s) {
			*dst = append(*dst, s)
		}
	}
	return nil
}

// colonPairs calls fn for each whitespace-separated, quoted "A[:B]" word
// of v (MakeSymlinks=, Subvolumes=); kind names the word in errors.
func colonPairs(v string, pos Position, kind string, fn func(w, a, b string, hasB bool) error) error {
	words, err := splitWords(v)
	if err != nil {
		return invalid(pos, "list", v, err)
	}
	for _, w := range words {
		x := &extractor{s: w}
		fl := extractUnquote | extractDontCoalesce
		a, _, err1 := x.next(":", fl)
		b, hasB, err2 := x.next(":", fl)
		if err1 != nil || err2 != nil {
			return invalid(pos, kind, w, errSyntax)
		}
		if err := fn(w, a, b, hasB); err != nil {
			return err
		}
	}
	return nil
}

func (p *keyParser) keyMakeSymlinks(v string, pos Position) error {
	if v == "" {
		p.d.MakeSymlinks = nil
		return nil
	}
	return colonPairs(v, pos, "symlink", func(w, path, target string, hasTarget bool) error {
		if path == "" || !hasTarget {
			return &Error{Pos: pos, Msg: "missing symlink path or target (PATH:TARGET) in " + quote(w)}
		}
		s, err := p.expandPath(path, pos, false)
		if err != nil {
			return err
		}
		// The target gets specifiers too but is not simplified (repart
		// keeps it exactly, relative components included).
		t, err := expandMax(target, p.sp, nil, pathMax)
		if err != nil {
			return &Error{Pos: pos, Msg: "cannot expand specifiers in " + quote(target), Err: err}
		}
		p.d.MakeSymlinks = append(p.d.MakeSymlinks, fstree.SymlinkSpec{Path: s, Target: t})
		return nil
	})
}

func (p *keyParser) keySubvolumes(v string, pos Position) error {
	if v == "" {
		p.d.Subvolumes, p.d.SubvolumeFlags = nil, nil
		return nil
	}
	return colonPairs(v, pos, "subvolume", func(_, path, flags string, hasFlags bool) error {
		s, err := p.expandPath(path, pos, false)
		if err != nil {
			return err
		}
		if !slices.Contains(p.d.Subvolumes, s) {
			p.d.Subvolumes = append(p.d.Subvolumes, s)
		}
		if !hasFlags {
			return nil
		}
		var f SubvolumeFlags
		for _, fw := range strings.Split(flags, ",") {
			switch fw {
			case "ro":
				f.ReadOnly = true
			case "nodatacow":
				f.NoDataCOW = true
			default:
				return &Error{Pos: pos, Msg: "unknown subvolume flag " + quote(fw) + " (known: ro, nodatacow)"}
			}
		}
		if p.d.SubvolumeFlags == nil {
			p.d.SubvolumeFlags = map[string]SubvolumeFlags{}
		}
		p.d.SubvolumeFlags[s] = f
		return nil
	})
}

func (p *keyParser) keyDefaultSubvolume(v string, pos Position) error {
	if v == "" {
		p.d.DefaultSubvol = ""
		return nil
	}
	s, err := p.expandPath(v, pos, false)
	if err != nil {
		return err
	}
	p.d.DefaultSubvol = s
	return nil
}
