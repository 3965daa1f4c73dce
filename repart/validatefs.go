package repart

import (
	"slices"
	"sort"
	"strings"

	"github.com/gorepart/gorepart/definitions"
	"github.com/gorepart/gorepart/fstree"
)

// designatorMountPoints are where a partition type is mounted (gpt.c
// partition_mountpoint_to_string).
func designatorMountPoints(designator string) []string {
	switch designator {
	case "root":
		return []string{"/"}
	case "usr":
		return []string{"/usr"}
	case "home":
		return []string{"/home"}
	case "srv":
		return []string{"/srv"}
	case "esp":
		return []string{"/efi", "/boot"}
	case "xbootldr":
		return []string{"/boot"}
	case "tmp":
		return []string{"/var/tmp"}
	case "var":
		return []string{"/var"}
	}
	return nil
}

// addValidateFS is AddValidateFS= with repart's default: on for every
// filesystem but swap and vfat.
func addValidateFS(p *Partition) bool {
	switch p.Def.AddValidateFS {
	case definitions.Yes:
		return true
	case definitions.No:
		return false
	}
	return p.Format != "" && p.Format != "swap" && p.Format != "vfat"
}

func nulstr(l []string) []byte {
	var b []byte
	for _, s := range l {
		b = append(append(b, s...), 0)
	}
	return b
}

// validateFSXattrs are the user.validatefs.* attributes repart sets on a
// filesystem's root so systemd-validatefs can check where it is mounted.
func (b *builder) validateFSXattrs(p *Partition) []fstree.Xattr {
	if !addValidateFS(p) {
		return nil
	}
	group := []*Partition{p}
	for _, role := range []definitions.Verity{definitions.VerityData, definitions.VerityHash, definitions.VeritySignature} {
		if s := b.sibling(p, role); s != nil && s != p {
			group = append(group, s)
		}
	}
	var labels, types []string
	for _, q := range group {
		if q.Label != "" && !slices.Contains(labels, q.Label) {
			labels = append(labels, q.Label)
		}
		if u := formatUUID(q.Type.UUID); !slices.Contains(types, u) {
			types = append(types, u)
		}
	}
	sort.Strings(labels)
	sort.Strings(types)
	var x []fstree.Xattr
	if len(labels) > 0 {
		x = append(x, fstree.Xattr{Name: "user.validatefs.gpt_label", Value: nulstr(labels)})
	}
	x = append(x, fstree.Xattr{Name: "user.validatefs.gpt_type_uuid", Value: nulstr(types)})
	var mps []string
	for _, m := range p.Def.MountPoints {
		where, _, _ := strings.Cut(m, ":")
		mps = append(mps, where)
	}
	if len(mps) == 0 {
		mps = designatorMountPoints(p.Type.Designator)
	}
	if len(mps) > 0 {
		x = append(x, fstree.Xattr{Name: "user.validatefs.mount_point", Value: nulstr(mps)})
	}
	sort.Slice(x, func(i, j int) bool { return x[i].Name < x[j].Name })
	return x
}

// otherMountPoints are the mount points of the other partitions, whose
// contents a root partition copying "/" leaves out (spec §8.1).
func (b *builder) otherMountPoints(p *Partition) []string {
	var out []string
	for _, q := range b.parts {
		if q == p || !b.live(q) {
			continue
		}
		for _, m := range designatorMountPoints(q.Type.Designator) {
			if m != "/" && !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	sort.Strings(out)
	return out
}
