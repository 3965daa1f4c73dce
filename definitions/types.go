package definitions

import (
	"encoding/hex"
	"fmt"
	"runtime"
	"strings"
)

type typeEntry struct {
	PartitionType
	name string // the name this entry matches (may be an alias)
}

// typeTable is gpt.c's table for the arch this binary was built for.
var typeTable = buildTypeTable(NativeArch())

func buildTypeTable(native string) []typeEntry {
	var t []typeEntry
	sextetOf := map[string]archSextet{}
	for _, s := range archSextets {
		sextetOf[s.arch] = s
	}
	addSextet := func(s archSextet, name, arch string) {
		for i, u := range s.uuids {
			role := sextetDesignators[i]
			var n string
			if name == "" {
				n = role
			} else {
				// "root-x86-64", "root-x86-64-verity", "usr-x86-64-verity-sig".
				base, suffix, _ := strings.Cut(role, "-")
				n = base + "-" + name
				if suffix != "" {
					n += "-" + suffix
				}
			}
			t = append(t, typeEntry{PartitionType: PartitionType{UUID: mustUUID(u), Designator: role, Arch: arch}, name: n})
		}
	}
	for _, s := range archSextets {
		addSextet(s, s.arch, s.arch)
		for _, a := range aliasOrder[s.arch] {
			addSextet(s, a, s.arch)
		}
	}
	if s, ok := sextetOf[native]; ok {
		addSextet(s, "", native)
		if sec, ok := secondaryArch[native]; ok {
			ss := sextetOf[sec]
			for i, u := range ss.uuids {
				role := sextetDesignators[i]
				base, suffix, _ := strings.Cut(role, "-")
				n := base + "-secondary"
				if suffix != "" {
					n += "-" + suffix
				}
				t = append(t, typeEntry{PartitionType: PartitionType{UUID: mustUUID(u), Designator: role, Arch: sec}, name: n})
			}
		}
	}
	for _, g := range genericTypes {
		t = append(t, typeEntry{PartitionType: PartitionType{UUID: mustUUID(g.uuid), Designator: g.designator}, name: g.name})
	}
	// The canonical name of every entry is the name of the first entry
	// with its UUID.
	first := map[[16]byte]string{}
	for _, e := range t {
		if _, ok := first[e.UUID]; !ok {
			first[e.UUID] = e.name
		}
	}
	for i := range t {
		t[i].Name = first[t[i].UUID]
	}
	return t
}

func mustUUID(s string) [16]byte {
	u, err := ParseUUID(s)
	if err != nil {
		panic("definitions: bad UUID in type table: " + s)
	}
	return u
}

// NativeArch is the systemd name of the architecture this binary runs on
// (what repart's native "root", "usr", ... aliases and %a resolve to).
// Unknown Go architectures fall back to "x86-64".
func NativeArch() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86-64"
	case "386":
		return "x86"
	case "arm":
		return "arm"
	case "arm64":
		return "arm64"
	case "loong64":
		return "loongarch64"
	case "mipsle":
		return "mips-le"
	case "mips64le":
		return "mips64-le"
	case "ppc64":
		return "ppc64"
	case "ppc64le":
		return "ppc64-le"
	case "riscv64":
		return "riscv64"
	case "s390x":
		return "s390x"
	}
	return "x86-64"
}

// CanonicalArch returns the canonical systemd architecture name for s
// (which may be an alias such as "aarch64" or "amd64").
func CanonicalArch(s string) (string, error) {
	if a, ok := archAliases[s]; ok {
		return a, nil
	}
	for _, x := range archSextets {
		if x.arch == s {
			return s, nil
		}
	}
	return "", fmt.Errorf("unknown architecture %q", s)
}

// TypeByUUID returns the first table entry with UUID u, or a type with
// only the UUID set when u is not in the table.
func TypeByUUID(u [16]byte) PartitionType {
	for _, e := range typeTable {
		if e.UUID == u {
			return e.PartitionType
		}
	}
	return PartitionType{UUID: u}
}

// ParseType resolves a Type= value: a table name (canonical, alias or
// native alias) or a UUID, re-resolved by UUID so the result carries the
// canonical name. When arch is not empty the result is remapped to that
// architecture as --architecture= does.
func ParseType(s string, arch string) (PartitionType, error) {
	var t PartitionType
	found := false
	for _, e := range typeTable {
		if e.name == s {
			t = TypeByUUID(e.UUID)
			found = true
			break
		}
	}
	if !found {
		u, err := ParseUUID(s)
		if err != nil {
			return PartitionType{}, fmt.Errorf("unknown partition type %q (not a type name nor a UUID)", s)
		}
		t = TypeByUUID(u)
	}
	if arch != "" {
		a, err := CanonicalArch(arch)
		if err != nil {
			return PartitionType{}, err
		}
		t = RemapArch(t, a)
	}
	return t, nil
}

// RemapArch replaces t by the first table entry with the same designator
// and architecture arch (canonical or alias); t is returned unchanged when
// there is none (arch-less types, unknown UUIDs).
func RemapArch(t PartitionType, arch string) PartitionType {
	a, err := CanonicalArch(arch)
	if err != nil || t.Designator == "" {
		return t
	}
	for _, e := range typeTable {
		if e.Designator == t.Designator && e.Arch == a {
			return e.PartitionType
		}
	}
	return t
}

// ParseTypeList parses a comma-separated list of types as
// --defer-partitions=, --include-partitions= and --exclude-partitions= take.
func ParseTypeList(s, arch string) ([]PartitionType, error) {
	var out []PartitionType
	for _, f := range strings.Split(s, ",") {
		t, err := ParseType(f, arch)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// String is the canonical name, or the dashed UUID for unknown types.
func (t PartitionType) String() string {
	if t.Name != "" {
		return t.Name
	}
	return FormatUUID(t.UUID)
}

// ParseUUID parses 32 hex digits, with or without the four dashes of the
// 8-4-4-4-12 form, as sd_id128_from_string does. Bytes are in textual order.
func ParseUUID(s string) ([16]byte, error) {
	var u [16]byte
	var h string
	switch len(s) {
	case 32:
		h = s
	case 36:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return u, fmt.Errorf("malformed UUID %q", s)
		}
		h = s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	default:
		return u, fmt.Errorf("malformed UUID %q", s)
	}
	if _, err := hex.Decode(u[:], []byte(h)); err != nil {
		return u, fmt.Errorf("malformed UUID %q", s)
	}
	return u, nil
}

// FormatUUID formats u as a lowercase dashed UUID.
func FormatUUID(u [16]byte) string {
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// KnowsGrowFS, KnowsReadOnly and KnowsNoAuto report whether the GPT
// attribute bits 59, 60 and 63 apply to the type (gpt.c).
func (t PartitionType) KnowsGrowFS() bool {
	switch t.Designator {
	case DesignatorRoot, DesignatorUsr, DesignatorHome, DesignatorSrv, DesignatorVar, DesignatorTmp, DesignatorXBOOTLDR:
		return true
	}
	return false
}

func (t PartitionType) KnowsReadOnly() bool {
	switch t.Designator {
	case DesignatorRoot, DesignatorUsr, DesignatorRootVerity, DesignatorUsrVerity, DesignatorRootVeritySig,
		DesignatorUsrVeritySig, DesignatorHome, DesignatorSrv, DesignatorVar, DesignatorTmp, DesignatorXBOOTLDR:
		return true
	}
	return false
}

func (t PartitionType) KnowsNoAuto() bool {
	switch t.Designator {
	case DesignatorRoot, DesignatorRootVerity, DesignatorUsr, DesignatorUsrVerity, DesignatorHome, DesignatorSrv,
		DesignatorVar, DesignatorTmp, DesignatorXBOOTLDR, DesignatorSwap:
		return true
	}
	return false
}

// IsVerityHash and IsVeritySig report the verity designators.
func (t PartitionType) IsVerityHash() bool {
	return t.Designator == DesignatorRootVerity || t.Designator == DesignatorUsrVerity
}

func (t PartitionType) IsVeritySig() bool {
	return t.Designator == DesignatorRootVeritySig || t.Designator == DesignatorUsrVeritySig
}
