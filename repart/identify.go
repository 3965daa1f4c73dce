package repart

import (
	"fmt"
	"strconv"

	"github.com/gorepart/gorepart/definitions"
)

// GPT attribute bits (spec §3.8).
const (
	AttrRequired       = 1 << 0
	AttrGrowFileSystem = 1 << 59
	AttrReadOnly       = 1 << 60
	AttrNoAuto         = 1 << 63
)

// Identify gives every definition its partition: type, UUID, label,
// effective format and GPT attributes, in list order (spec §4). It is the
// first, pure step of planning; sizes and placement come later.
func Identify(defs []*definitions.Definition, seed UUID) ([]*Partition, []string, error) {
	return IdentifyExisting(defs, seed, nil)
}

// Existing is a partition found in an image's partition table.
type Existing struct {
	PartNo       int
	Type, UUID   UUID
	Label        string
	Offset, Size uint64
	Attrs        uint64
}

// IdentifyExisting is Identify for an image that already has partitions:
// each existing entry is claimed by the first definition of its type
// without one (in list order); entries nobody claims are kept as foreign
// partitions. Existing partitions keep their UUID, label and flags.
func IdentifyExisting(defs []*definitions.Definition, seed UUID, existing []Existing) ([]*Partition, []string, error) {
	return identify(nil, defs, seed, existing)
}

// identify is IdentifyExisting with the partitions of --copy-from=
// images listed first, as repart lists them.
func identify(copied []*Copied, defs []*definitions.Definition, seed UUID, existing []Existing) ([]*Partition, []string, error) {
	var warnings []string
	var parts []*Partition
	for _, c := range copied {
		parts = append(parts, &Partition{Def: c.Def, Type: c.Def.Type, Index: len(parts), PartNo: -1, Copied: c})
	}
	for _, d := range defs {
		parts = append(parts, &Partition{Def: d, Type: d.Type, Index: len(parts), PartNo: -1, Format: effectiveFormat(d)})
	}
	parts = matchExisting(parts, existing)
	linkSupplements(parts)
	for i, p := range parts {
		if p.Foreign {
			continue // never touched
		}
		switch {
		case p.Exists && p.UUID != (UUID{}):
		case p.Def.UUID != nil:
			p.UUID = *p.Def.UUID
		default:
			p.UUID = partitionUUID(seed, p.Type.UUID, countSameType(parts[:i], p.Type.UUID))
			if usedByOther(parts, p) {
				// repart 262 takes a random UUID here, which makes the
				// image depend on chance; a second derivation does not.
				warnings = append(warnings, fmt.Sprintf("%s: Partition UUID calculated from seed already used, deriving another one.", p.Def.Path))
				for j := uint64(1); usedByOther(parts, p); j++ {
					p.UUID = collisionUUID(seed, p.Type.UUID, countSameType(parts[:i], p.Type.UUID), j)
				}
			}
		}
		if p.Exists {
			// An existing partition keeps its flags and a label it has;
			// one without gets the label a new one would.
			if p.Label == "" {
				p.Label = defaultOrExplicitLabel(parts[:i], p)
			}
			continue
		}
		p.Label = defaultOrExplicitLabel(parts[:i], p)
		if p.Copied != nil {
			p.Attrs = p.Def.Flags // the source's flags, without repart's defaults
			continue
		}
		var warns []string
		p.Attrs, warns = attributes(p)
		for _, w := range warns {
			warnings = append(warnings, p.Def.Path+": "+w)
		}
	}
	for i, p := range parts {
		for _, q := range parts[:i] {
			// Copied partitions keep their UUIDs, also when an image is
			// copied twice, as in repart.
			if q.UUID == p.UUID && p.UUID != (UUID{}) && p.Copied == nil && q.Copied == nil {
				return nil, nil, fmt.Errorf("%s: partition UUID %s is also used by %s", p.Def.Path, formatUUID(p.UUID), q.Def.Path)
			}
		}
	}
	return parts, warnings, nil
}

// linkSupplements links every SupplementFor= partition and its target
// (the definitions checked that targets exist and are unique).
func linkSupplements(parts []*Partition) {
	for _, p := range parts {
		if p.Def.SupplementFor == "" {
			continue
		}
		for _, t := range parts {
			if t != p && !t.Foreign && t.Def.Name == p.Def.SupplementFor {
				p.SupplementFor, t.Supplement = t, p
				break
			}
		}
	}
}

// matchExisting assigns existing table entries to partitions and appends
// the unclaimed ones as foreign partitions.
func matchExisting(parts []*Partition, existing []Existing) []*Partition {
	for _, e := range existing {
		var claimed *Partition
		for _, p := range parts {
			if p.Type.UUID == e.Type && !p.Exists {
				claimed = p
				break
			}
		}
		if claimed == nil {
			claimed = &Partition{Foreign: true, Type: definitions.TypeByUUID(e.Type), Index: len(parts),
				Def: &definitions.Definition{SplitName: "-"}}
			claimed.Def.Type = claimed.Type
			parts = append(parts, claimed)
		}
		claimed.Exists = true
		claimed.UUID, claimed.Label, claimed.Attrs = e.UUID, e.Label, e.Attrs
		claimed.Offset, claimed.CurrentSize, claimed.PartNo = e.Offset, e.Size, e.PartNo
	}
	return parts
}

func effectiveFormat(d *definitions.Definition) string {
	if d.Format == "empty" {
		return ""
	}
	return d.Format
}

func countSameType(earlier []*Partition, typ UUID) uint64 {
	var k uint64
	for _, q := range earlier {
		if q.Type.UUID == typ {
			k++
		}
	}
	return k
}

// defaultOrExplicitLabel returns Label= when set, else "_empty" for
// Format=empty, else the type name made unique among earlier partitions
// with "-2", "-3", ... (partition_acquire_label).
func defaultOrExplicitLabel(earlier []*Partition, p *Partition) string {
	if p.Def.Label != nil {
		return *p.Def.Label
	}
	if p.Def.Format == "empty" {
		return "_empty"
	}
	prefix := p.Type.Name
	if prefix == "" {
		prefix = "linux"
	}
	label := prefix
	for k := 1; ; {
		taken := false
		for _, q := range earlier {
			if q.Label == label {
				taken = true
				break
			}
		}
		if !taken {
			return label
		}
		k++
		label = prefix + "-" + strconv.Itoa(k)
	}
}

func designatorIn(d string, set ...string) bool {
	for _, s := range set {
		if d == s {
			return true
		}
	}
	return false
}

// attributes computes the GPT attribute bits: Flags= first, then NoAuto=,
// ReadOnly=, GrowFileSystem= and their defaults on top (spec §3.8,
// partition_merge_flags). As repart does, GrowFileSystem is switched on for
// the types that know it whenever the partition is not read-only, even over
// an explicit GrowFileSystem=no.
func attributes(p *Partition) (uint64, []string) {
	d := p.Def
	des := p.Type.Designator

	readOnly := d.ReadOnly
	if readOnly == definitions.Unset &&
		(designatorIn(des, "root-verity", "usr-verity", "root-verity-sig", "usr-verity-sig") ||
			d.Verity == definitions.VerityData || d.Verity == definitions.VeritySignature) {
		readOnly = definitions.Yes
	}
	noAuto := d.NoAuto
	if noAuto == definitions.Unset && d.Format == "empty" {
		noAuto = definitions.Yes
	}
	growfs := d.GrowFileSystem
	if knowsGrowFS(des) && readOnly != definitions.Yes {
		growfs = definitions.Yes
	}

	a := d.Flags
	var warnings []string
	apply := func(key string, v definitions.Tristate, knows bool, bit uint64) {
		if v == definitions.Unset {
			return
		}
		if !knows {
			warnings = append(warnings, fmt.Sprintf("Configured %s=%s for partition type '%s' that doesn't support it, ignoring.",
				key, yesNo(v == definitions.Yes), typeString(p.Type)))
			return
		}
		a = setBit(a, bit, v == definitions.Yes)
	}
	apply("NoAuto", noAuto, designatorIn(des, "root", "root-verity", "usr", "usr-verity", "home", "srv", "var", "tmp", "xbootldr", "swap"), AttrNoAuto)
	apply("ReadOnly", readOnly, designatorIn(des, "root", "usr", "root-verity", "usr-verity", "root-verity-sig", "usr-verity-sig",
		"home", "srv", "var", "tmp", "xbootldr"), AttrReadOnly)
	apply("GrowFileSystem", growfs, knowsGrowFS(des), AttrGrowFileSystem)
	return a, warnings
}

func knowsGrowFS(des string) bool {
	return designatorIn(des, "root", "usr", "home", "srv", "var", "tmp", "xbootldr")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// typeString is the type's canonical name, or its UUID when unknown.
func typeString(t definitions.PartitionType) string {
	if t.Name != "" {
		return t.Name
	}
	return formatUUID(t.UUID)
}

func setBit(a, bit uint64, on bool) uint64 {
	if on {
		return a | bit
	}
	return a &^ bit
}

// usedByOther reports whether another partition has p's UUID.
func usedByOther(parts []*Partition, p *Partition) bool {
	for _, q := range parts {
		if q != p && q.UUID == p.UUID {
			return true
		}
	}
	return false
}
