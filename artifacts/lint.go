package artifacts

import (
	"fmt"
	"unicode/utf16"

	"github.com/gorepart/gorepart/definitions"
)

// EmptyLabel is the label systemd-sysupdate gives a free slot.
const EmptyLabel = "_empty"

// LabelWarnUnits is the label length, in UTF-16 code units, at which lint
// warns: GPT allows 36, and versioned labels grow (nixpkgs warns at 34).
const LabelWarnUnits = 34

// Severity says whether a finding breaks A/B updates or only risks it.
type Severity int8

const (
	// Warning: the layout works today but is fragile.
	Warning Severity = iota
	// Problem: systemd-sysupdate cannot update into the layout as written.
	Problem
)

func (s Severity) String() string {
	if s == Problem {
		return "error"
	}
	return "warning"
}

// Finding is one lint result, placed at the key that causes it (or at the
// definition file when the key is missing).
type Finding struct {
	Pos      definitions.Position
	Severity Severity
	Message  string
}

func (f Finding) String() string {
	return f.Pos.String() + ": " + f.Severity.String() + ": " + f.Message
}

// Lint checks the A/B conventions of systemd-sysupdate layouts. A slot
// labelled "_empty" is a B (free) slot; its A slot is the nearest
// preceding definition that is not "_empty" and has the same designator
// (usr, usr-verity, root, …; the same Type= UUID for types without one).
// For every pair it checks that B has A's Type=, that both have fixed
// sizes (SizeMinBytes= equal to SizeMaxBytes=) and that B is at least as
// large as A; it warns about Minimize= on an A slot whose B sibling is
// fixed (unless A is fixed too: then the partition keeps its size and
// only the file system inside is minimal, as mkosi's A/B layouts do) and
// about a SplitName= on a B slot (an empty slot is no artifact).
// Every definition's label is checked against LabelWarnUnits. defs are in
// partition list order, as definitions.Load returns them.
func Lint(defs []*definitions.Definition) []Finding {
	var out []Finding
	for _, d := range defs {
		if d.Label != nil && utf16Len(*d.Label) >= LabelWarnUnits {
			out = append(out, Finding{d.LabelPos, Warning, fmt.Sprintf(
				"label %q is %d UTF-16 code units long; GPT allows 36, so a longer version will not fit (warning at %d)",
				*d.Label, utf16Len(*d.Label), LabelWarnUnits)})
		}
	}
	for i, b := range defs {
		if !isEmptySlot(b) {
			continue
		}
		out = append(out, lintEmptySplit(b)...)
		a := aSlotFor(defs[:i], b)
		if a == nil {
			out = append(out, Finding{keyPos(b, "Type"), Problem, fmt.Sprintf(
				"free slot (label %s) of type %s has no A slot of the same kind before it", EmptyLabel, typeName(b.Type))})
			continue
		}
		out = append(out, lintPair(a, b)...)
	}
	return out
}

func lintPair(a, b *definitions.Definition) []Finding {
	var out []Finding
	if a.Type.UUID != b.Type.UUID {
		out = append(out, Finding{keyPos(b, "Type"), Problem, fmt.Sprintf(
			"free slot has Type=%s but its A slot %s has Type=%s; sysupdate only updates into slots of the same type",
			typeName(b.Type), a.Path, typeName(a.Type))})
	}
	aFixed, bFixed := fixedSize(a), fixedSize(b)
	for _, s := range []struct {
		d     *definitions.Definition
		fixed bool
		role  string
	}{{a, aFixed, "A slot"}, {b, bFixed, "free slot"}} {
		if !s.fixed {
			out = append(out, Finding{sizePos(s.d), Problem, fmt.Sprintf(
				"%s has a free sibling but no fixed size (%s); set SizeMinBytes= and SizeMaxBytes= to the same value",
				s.role, sizeText(s.d))})
		}
	}
	if a.SizeMin != nil && b.SizeMax != nil && *b.SizeMax < *a.SizeMin ||
		a.SizeMax != nil && b.SizeMax != nil && *b.SizeMax < *a.SizeMax ||
		a.SizeMin != nil && b.SizeMin != nil && *b.SizeMin < *a.SizeMin {
		out = append(out, Finding{sizePos(b), Problem, fmt.Sprintf(
			"free slot (%s) is smaller than its A slot %s (%s)", sizeText(b), a.Path, sizeText(a))})
	}
	if a.Minimize != definitions.MinimizeOff && bFixed && !aFixed {
		out = append(out, Finding{keyPos(a, "Minimize"), Warning, fmt.Sprintf(
			"Minimize= shrinks this slot while its free sibling %s is fixed at %d bytes; the slots will differ in size", b.Path, *b.SizeMin)})
	}
	return out
}

func lintEmptySplit(b *definitions.Definition) []Finding {
	if b.SplitName == "-" {
		return nil
	}
	if pos, ok := b.Pos["SplitName"]; ok {
		return []Finding{{pos, Warning, fmt.Sprintf(
			"SplitName=%s on a free slot publishes an empty artifact; use SplitName=-", b.SplitName)}}
	}
	return nil
}

func isEmptySlot(d *definitions.Definition) bool { return d.Label != nil && *d.Label == EmptyLabel }

// aSlotFor is the nearest earlier non-free definition of b's kind.
func aSlotFor(before []*definitions.Definition, b *definitions.Definition) *definitions.Definition {
	for i := len(before) - 1; i >= 0; i-- {
		a := before[i]
		if isEmptySlot(a) {
			continue
		}
		if b.Type.Designator != "" && a.Type.Designator == b.Type.Designator ||
			b.Type.Designator == "" && a.Type.UUID == b.Type.UUID {
			return a
		}
	}
	return nil
}

func fixedSize(d *definitions.Definition) bool {
	return d.SizeMin != nil && d.SizeMax != nil && *d.SizeMin == *d.SizeMax
}

func sizeText(d *definitions.Definition) string {
	f := func(p *uint64) string {
		if p == nil {
			return "unset"
		}
		return fmt.Sprint(*p)
	}
	return "SizeMinBytes=" + f(d.SizeMin) + ", SizeMaxBytes=" + f(d.SizeMax)
}

// sizePos is where the size keys were set, the file when neither was.
func sizePos(d *definitions.Definition) definitions.Position {
	if p, ok := d.Pos["SizeMaxBytes"]; ok {
		return p
	}
	return keyPos(d, "SizeMinBytes")
}

func keyPos(d *definitions.Definition, key string) definitions.Position {
	if p, ok := d.Pos[key]; ok {
		return p
	}
	return definitions.Position{File: d.Path}
}

func typeName(t definitions.PartitionType) string {
	if t.Name != "" {
		return t.Name
	}
	u := t.UUID
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }
