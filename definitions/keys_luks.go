package definitions

import "strings"

// Keys with ':'-separated fields: MountPoint=, EncryptedVolume=, and TPM2PCRs=.

// colonFields splits v into at most n ':'-separated fields with
// EXTRACT_CUNESCAPE|EXTRACT_DONT_COALESCE_SEPARATORS|EXTRACT_UNQUOTE and
// refuses leftovers.
func colonFields(v string, n int, pos Position) ([]string, error) {
	x := &extractor{s: v}
	var out []string
	for len(out) < n {
		w, ok, err := x.next(":", extractCUnescape|extractDontCoalesce|extractUnquote)
		if err != nil {
			return nil, invalid(pos, "value", v, err)
		}
		if !ok {
			break
		}
		out = append(out, w)
	}
	if x.rest() != "" {
		return nil, &Error{Pos: pos, Msg: "too many ':'-separated fields in " + quote(v)}
	}
	return out, nil
}

func (p *keyParser) keyMountPoint(v string, pos Position) error {
	if v == "" {
		p.d.MountPoints, p.d.Mounts = nil, nil
		return nil
	}
	f, err := colonFields(v, 2, pos)
	if err != nil {
		return err
	}
	where, err := simplifyAbsPath(f[0], false)
	if err != nil {
		return &Error{Pos: pos, Msg: "invalid mount point", Err: err}
	}
	m := MountPoint{Where: where}
	if len(f) > 1 && f[1] != "" {
		m.Options = f[1]
		where += ":" + f[1]
	}
	p.d.MountPoints = append(p.d.MountPoints, where)
	p.d.Mounts = append(p.d.Mounts, m)
	return nil
}

func (p *keyParser) keyEncryptedVolume(v string, pos Position) error {
	if v == "" {
		p.d.EncryptedVolume = nil
		return nil
	}
	f, err := colonFields(v, 4, pos)
	if err != nil {
		return err
	}
	for len(f) < 4 {
		f = append(f, "")
	}
	if f[0] != "" && !filenameValid(f[0]) { // empty: luks-<LUKS UUID>
		return &Error{Pos: pos, Msg: "volume name " + quote(f[0]) + " is not valid"}
	}
	ev := &EncryptedVolume{Name: f[0], KeyFile: f[1], Options: f[2]}
	if f[3] != "" {
		for _, w := range strings.Split(f[3], ",") {
			if w == "fixate-volume-key" {
				ev.FixateVolumeKey = true
			} else {
				p.warn(pos, "Unknown extra option '"+w+"', ignoring")
			}
		}
	}
	p.d.EncryptedVolume = ev
	return nil
}

func (p *keyParser) keyTPM2PCRs(v string, pos Position) error {
	if v == "" {
		p.d.TPM2PCRs = nil
		return nil
	}
	for _, item := range strings.Split(strings.ReplaceAll(v, ",", "+"), "+") {
		name, _, _ := strings.Cut(item, ":")
		if name == "" {
			return invalid(pos, "PCR list", v, nil)
		}
	}
	p.d.TPM2PCRs = append(p.d.TPM2PCRs, v)
	return nil
}
