package definitions

import (
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Options are the inputs of Load.
type Options struct {
	Dirs         []string // --definitions=, in order; empty: repart's search path under Root
	Root         string   // --root= ("" = /)
	Architecture string   // --architecture=; "" = native
	// Include and Exclude are the raw --include-partitions= and
	// --exclude-partitions= values (comma-separated type names or UUIDs).
	Include, Exclude []string
	// Manifest is the --manifest= path; "-" reads ManifestReader.
	Manifest       string
	ManifestReader io.Reader
	Specifiers     Specifiers
}

// Load reads, merges and validates the partition definitions: the .conf
// files of the definition directories with their drop-ins, and the
// manifest's partitions. The result is in base-name order (the partition
// list order repart uses everywhere). Warnings are lines repart ignores
// with a warning (and repart's notices); the error, if any, is an *Error
// naming file, line and key.
func Load(o Options) ([]*Definition, []Warning, error) {
	arch := ""
	if o.Architecture != "" {
		a, err := CanonicalArch(o.Architecture)
		if err != nil {
			return nil, nil, &Error{Pos: Position{File: "--architecture"}, Msg: "invalid architecture", Err: err}
		}
		arch = a
	}
	filter, err := typeFilter(o, arch)
	if err != nil {
		return nil, nil, err
	}
	manifest, err := openManifest(o)
	if err != nil {
		return nil, nil, err
	}

	dirs := searchDirs(o)
	confs, err := listConfs(dirs)
	if err != nil {
		return nil, nil, &Error{Pos: Position{File: strings.Join(dirs, ":")}, Msg: "listing definitions", Err: err}
	}
	var warns []Warning
	var defs []*Definition
	byName := map[string]*Definition{}
	for _, c := range confs {
		d, w, err := parseDefinition(c, dirs, arch, o)
		warns = append(warns, w...)
		if err != nil {
			return nil, warns, err
		}
		defs = append(defs, d)
		byName[d.Name] = d
	}
	for _, mp := range manifest {
		d := byName[mp.name]
		if d == nil {
			var w []Warning
			d, w, err = manifestDefinition(mp, dirs, arch, o)
			warns = append(warns, w...)
			if err != nil {
				return nil, warns, err
			}
			defs = append(defs, d)
			byName[d.Name] = d
		}
		d.Copies = append(d.Copies, mp.copies...)
	}
	sort.SliceStable(defs, func(i, j int) bool { return filepath.Base(defs[i].Path) < filepath.Base(defs[j].Path) })

	var kept []*Definition
	for _, d := range defs {
		if filter != nil && filter.excludes(d.Type) {
			continue
		}
		w, err := finalize(d, o.Root)
		warns = append(warns, w...)
		if err != nil {
			return nil, warns, err
		}
		kept = append(kept, d)
	}
	if err := validateSet(kept); err != nil {
		return nil, warns, err
	}
	return kept, warns, nil
}

// parseDefinition reads one .conf file and its drop-ins.
func parseDefinition(c confFile, dirs []string, arch string, o Options) (*Definition, []Warning, error) {
	d := newDefinition(c.path, strings.TrimSuffix(c.name, ".conf"))
	kp := &keyParser{d: d, arch: arch, sp: o.Specifiers}
	drops, err := dropIns(dirs, c.name)
	if err != nil {
		return nil, nil, &Error{Pos: Position{File: c.path}, Msg: "listing drop-ins", Err: err}
	}
	files := []string{c.path}
	for _, dr := range drops {
		files = append(files, dr.path)
		d.DropIns = append(d.DropIns, dr.path)
	}
	for _, f := range files {
		if err := kp.parseFile(f); err != nil {
			return nil, kp.warns, err
		}
	}
	return d, kp.warns, nil
}

func (p *keyParser) parseFile(file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return &Error{Pos: Position{File: file}, Msg: "reading definition", Err: err}
	}
	as, w, err := parseINI(file, data)
	p.warns = append(p.warns, w...)
	if err != nil {
		return err
	}
	for _, a := range as {
		if err := p.set(a.Key, a.Value, Position{File: file, Line: a.Line}); err != nil {
			return err
		}
	}
	return nil
}

// ParseConf parses one .conf file's contents (no drop-ins, no validation)
// as Load would; it exists for tests and fuzzing.
func ParseConf(name string, data []byte, arch string, sp Specifiers) (*Definition, []Warning, error) {
	d := newDefinition(name, strings.TrimSuffix(filepath.Base(name), ".conf"))
	kp := &keyParser{d: d, arch: arch, sp: sp}
	as, w, err := parseINI(name, data)
	kp.warns = append(kp.warns, w...)
	if err != nil {
		return nil, kp.warns, err
	}
	for _, a := range as {
		if err := kp.set(a.Key, a.Value, Position{File: name, Line: a.Line}); err != nil {
			return nil, kp.warns, err
		}
	}
	return d, kp.warns, nil
}

// filter is --include-partitions= / --exclude-partitions=.
type filter struct {
	include bool
	types   map[[16]byte]bool
}

func (f *filter) excludes(t PartitionType) bool {
	return f.types[t.UUID] != f.include
}

func typeFilter(o Options, arch string) (*filter, error) {
	if len(o.Include) > 0 && len(o.Exclude) > 0 {
		return nil, &Error{Pos: Position{File: "--include-partitions"}, Msg: "cannot be combined with --exclude-partitions="}
	}
	raw, flag, include := o.Exclude, "--exclude-partitions", false
	if len(o.Include) > 0 {
		raw, flag, include = o.Include, "--include-partitions", true
	}
	if len(raw) == 0 {
		return nil, nil
	}
	f := &filter{include: include, types: map[[16]byte]bool{}}
	for _, s := range raw {
		ts, err := ParseTypeList(s, arch)
		if err != nil {
			return nil, &Error{Pos: Position{File: flag}, Msg: "invalid partition type list " + quote(s), Err: err}
		}
		for _, t := range ts {
			f.types[t.UUID] = true
		}
	}
	return f, nil
}
