package definitions

import (
	"os"
	"path/filepath"
)

// openManifest reads Options.Manifest ("-": ManifestReader), if set.
func openManifest(o Options) ([]*manifestPartition, error) {
	if o.Manifest == "" {
		return nil, nil
	}
	name, r := o.Manifest, o.ManifestReader
	if o.Manifest == "-" {
		name = "<stdin>"
	} else {
		f, err := os.Open(o.Manifest)
		if err != nil {
			return nil, &Error{Pos: Position{File: o.Manifest}, Msg: "opening manifest", Err: err}
		}
		defer f.Close()
		r = f
	}
	if r == nil {
		return nil, &Error{Pos: Position{File: name}, Msg: "no manifest input"}
	}
	return readManifest(name, r)
}

// manifestDefinition renders a manifest partition that has no .conf file
// from its repartConfig, through the same key parser, then applies the
// drop-ins of the <name>.conf nixpkgs would have written. Positions are
// "<manifest>[<name>]" plus the key.
func manifestDefinition(mp *manifestPartition, dirs []string, arch string, o Options) (*Definition, []Warning, error) {
	if !mp.hasConfig {
		return nil, nil, &Error{Pos: Position{File: mp.file}, Msg: "partition " + quote(mp.name) +
			" has neither a " + mp.name + ".conf in the definitions nor a repartConfig in the manifest"}
	}
	d := newDefinition(filepath.Join(dirs[0], mp.name+".conf"), mp.name)
	d.FromManifest = true
	kp := &keyParser{d: d, arch: arch, sp: o.Specifiers, fsOverride: o.FSTypeOverride[""], fsys: o.fileSystem()}
	for _, a := range mp.config {
		if err := kp.set(a.Key, a.Value, Position{File: mp.file}); err != nil {
			return nil, kp.warns, err
		}
	}
	drops, err := dropIns(o.fileSystem(), dirs, mp.name+".conf")
	if err != nil {
		return nil, kp.warns, &Error{Pos: Position{File: d.Path}, Msg: "listing drop-ins", Err: err}
	}
	for _, dr := range drops {
		d.DropIns = append(d.DropIns, dr.path)
		if err := kp.parseFile(dr.path); err != nil {
			return nil, kp.warns, err
		}
	}
	return d, kp.warns, nil
}
