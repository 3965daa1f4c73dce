package definitions

import (
	"io"
	"io/fs"
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
	// FSTypeOverride carries what repart reads from the environment
	// (library code here reads none): key "" is
	// SYSTEMD_REPART_OVERRIDE_FSTYPE (replaces every Format= value), a
	// designator in upper case with '_' for '-' ("ROOT", "USR", "ESP",
	// "XBOOTLDR", "HOME", "SRV", "VAR", "TMP") is
	// SYSTEMD_REPART_OVERRIDE_FSTYPE_<DESIGNATOR> (applied last, to
	// partitions of that designator).
	FSTypeOverride map[string]string
	// FS, when set, holds the definition directories instead of the
	// host: Dirs are its paths with a leading '/' (the built-in
	// --make-ddi= definitions, DDI, come this way).
	FS fs.FS
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
	confs, err := listConfs(o.fileSystem(), dirs)
	if err != nil {
		return nil, nil, &Error{Pos: Position{File: strings.Join(dirs, ":")}, Msg: "listing definitions", Err: err}
	}
	// Definitions are read, completed and checked one at a time in
	// base-name order, as repart does, so messages and the first error
	// come in its order.
	type entry struct {
		name string
		conf *confFile
		mps  []*manifestPartition
	}
	var entries []*entry
	byName := map[string]*entry{}
	for i := range confs {
		e := &entry{name: strings.TrimSuffix(confs[i].name, ".conf"), conf: &confs[i]}
		entries = append(entries, e)
		byName[e.name] = e
	}
	for _, mp := range manifest {
		e := byName[mp.name]
		if e == nil {
			e = &entry{name: mp.name}
			entries = append(entries, e)
			byName[e.name] = e
		}
		e.mps = append(e.mps, mp)
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].name+".conf" < entries[j].name+".conf" })

	var warns []Warning
	var kept []*Definition
	for _, e := range entries {
		var d *Definition
		var w []Warning
		if e.conf != nil {
			d, w, err = parseDefinition(*e.conf, dirs, arch, o)
		} else {
			d, w, err = manifestDefinition(e.mps[0], dirs, arch, o)
		}
		warns = append(warns, w...)
		if err != nil {
			return nil, warns, err
		}
		for _, mp := range e.mps {
			d.Copies = append(d.Copies, mp.copies...)
		}
		if filter != nil && filter.excludes(d.Type) {
			continue
		}
		w, err = finalize(d, o.Root)
		warns = append(warns, w...)
		if err != nil {
			return nil, warns, err
		}
		warns = append(warns, overrideFSType(d, o.FSTypeOverride)...)
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
	kp := &keyParser{d: d, arch: arch, sp: o.Specifiers, fsOverride: o.FSTypeOverride[""], fsys: o.fileSystem()}
	drops, err := dropIns(o.fileSystem(), dirs, c.name)
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
	data, err := p.fsys.ReadFile(file)
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

// TypeFilter returns what --include-partitions= and
// --exclude-partitions= (Include, Exclude) leave out, as repart's
// partition_type_exclude() applies it to definitions and to the
// partitions of --copy-from= images alike; nil when neither is given.
func (o Options) TypeFilter() (func(PartitionType) bool, error) {
	arch := ""
	if o.Architecture != "" {
		a, err := CanonicalArch(o.Architecture)
		if err != nil {
			return nil, &Error{Pos: Position{File: "--architecture"}, Msg: "invalid architecture", Err: err}
		}
		arch = a
	}
	f, err := typeFilter(o, arch)
	if err != nil || f == nil {
		return nil, err
	}
	return f.excludes, nil
}
