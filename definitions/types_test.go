package definitions

import (
	"testing"
)

func TestParseType(t *testing.T) {
	native := NativeArch()
	for _, c := range []struct {
		in, arch, name, designator, typeArch string
	}{
		{"esp", "", "esp", DesignatorESP, ""},
		{"linux-generic", "", "linux-generic", "", ""},
		{"user-home", "", "user-home", "", ""},
		{"root-x86-64", "", "root-x86-64", DesignatorRoot, "x86-64"},
		{"root-x86_64", "", "root-x86-64", DesignatorRoot, "x86-64"},
		{"root-amd64-verity", "", "root-x86-64-verity", DesignatorRootVerity, "x86-64"},
		{"usr-aarch64-verity-sig", "", "usr-arm64-verity-sig", DesignatorUsrVeritySig, "arm64"},
		{"root-i686", "", "root-x86", DesignatorRoot, "x86"},
		{"root-ppc64el", "", "root-ppc64-le", DesignatorRoot, "ppc64-le"},
		{"usr-hppa", "", "usr-parisc", DesignatorUsr, "parisc"},
		{"root-mipsel", "", "root-mips-le", DesignatorRoot, "mips-le"},
		{"root-loong64", "", "root-loongarch64", DesignatorRoot, "loongarch64"},
		{"root-armv7l", "", "root-arm", DesignatorRoot, "arm"},
		{"root", "", "root-" + native, DesignatorRoot, native},
		{"usr-verity-sig", "", "usr-" + native + "-verity-sig", DesignatorUsrVeritySig, native},
		{"root", "arm64", "root-arm64", DesignatorRoot, "arm64"},
		{"root-verity", "aarch64", "root-arm64-verity", DesignatorRootVerity, "arm64"},
		{"usr-x86-64", "riscv64", "usr-riscv64", DesignatorUsr, "riscv64"},
		{"esp", "arm64", "esp", DesignatorESP, ""},
		{"4f68bce3-e8cd-4db1-96e7-fbcaf984b709", "", "root-x86-64", DesignatorRoot, "x86-64"},
		{"b921b0451df041c3af444c6f280d3fae", "x86-64", "root-x86-64", DesignatorRoot, "x86-64"},
		{"c12a7328-f81f-11d2-ba4b-00a0c93ec93b", "", "esp", DesignatorESP, ""},
		{"0fc63daf-8483-4772-8e79-3d69d8477de4", "", "linux-generic", "", ""},
		{"12345678-1234-1234-1234-123456789abc", "arm64", "", "", ""},
	} {
		got, err := ParseType(c.in, c.arch)
		if err != nil {
			t.Errorf("ParseType(%q, %q): %v", c.in, c.arch, err)
			continue
		}
		if got.Name != c.name || got.Designator != c.designator || got.Arch != c.typeArch {
			t.Errorf("ParseType(%q, %q) = %+v; want %s/%s/%s", c.in, c.arch, got, c.name, c.designator, c.typeArch)
		}
	}
	for _, bad := range []string{"", "rooot", "root-vax", "4f68bce3-e8cd-4db1-96e7-fbcaf984b70", "ESP"} {
		if _, err := ParseType(bad, ""); err == nil {
			t.Errorf("ParseType(%q) accepted", bad)
		}
	}
	if _, err := ParseType("root", "vax"); err == nil {
		t.Error("unknown --architecture accepted")
	}
}

// TestTypeTableUUIDs spot-checks UUIDs against spec §2.2 and the test
// vectors of TEST-58.
func TestTypeTableUUIDs(t *testing.T) {
	for name, want := range map[string]string{
		"esp":                    "c12a7328-f81f-11d2-ba4b-00a0c93ec93b",
		"xbootldr":               "bc13c2ff-59e6-4262-a352-b275fd6f7172",
		"swap":                   "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f",
		"home":                   "933ac7e1-2eb4-4f13-b844-0e14e2aef915",
		"srv":                    "3b8f8425-20e0-4f3b-907f-1a25a76f98e8",
		"var":                    "4d21b016-b534-45c2-a9fb-5c16e091fd2d",
		"tmp":                    "7ec6f557-3bc5-4aca-b293-16ef5df639d1",
		"user-home":              "773f91ef-66d4-49b5-bd83-d683bf40ad16",
		"root-x86-64-verity-sig": "41092b05-9fc8-4523-994f-2def0408b176",
		"usr-x86-64-verity":      "77ff5f63-e7b6-4633-acf4-1565b864c0e6",
		"usr-arm64-verity-sig":   "c23ce4ff-44bd-4b00-b2d4-b41b3419e02a",
		"root-s390x":             "5eead9a9-fe09-4a1e-a1d7-520d00531306",
		"usr-ppc64-le-verity":    "ee2b9983-21e8-4153-86d9-b6901a54d1ce",
		"root-riscv64-verity":    "b6ed5582-440b-4209-b8da-5ff7c419ea3d",
		"usr-tilegx-verity-sig":  "4ede75e2-6ccc-4cc8-b9c7-70334b087510",
		"root-alpha":             "6523f8ae-3eb1-4e2a-a05a-18b695ae656f",
	} {
		got, err := ParseType(name, "")
		if err != nil || FormatUUID(got.UUID) != want || got.Name != name {
			t.Errorf("%s: %s %q %v, want %s", name, FormatUUID(got.UUID), got.Name, err, want)
		}
	}
	// 19 arches × 6 + 9 generic UUIDs, all distinct.
	seen := map[[16]byte]bool{}
	for _, e := range typeTable {
		seen[e.UUID] = true
	}
	if len(seen) != 19*6+9 {
		t.Errorf("%d distinct UUIDs in the table", len(seen))
	}
}

func TestSecondaryAndRemap(t *testing.T) {
	if NativeArch() == "x86-64" {
		got, err := ParseType("root-secondary-verity", "")
		if err != nil || got.Name != "root-x86-verity" {
			t.Errorf("root-secondary-verity = %+v %v", got, err)
		}
	}
	u, _ := ParseType("usr-x86-64-verity", "")
	if r := RemapArch(u, "s390x"); r.Name != "usr-s390x-verity" {
		t.Errorf("RemapArch = %s", r)
	}
	if r := RemapArch(u, "nope"); r != u {
		t.Errorf("RemapArch to an unknown arch changed the type")
	}
	l, err := ParseTypeList("esp,root,usr-verity", "arm64")
	if err != nil || len(l) != 3 || l[1].Name != "root-arm64" || l[2].Name != "usr-arm64-verity" {
		t.Errorf("ParseTypeList = %+v %v", l, err)
	}
	for _, a := range []string{"x86_64", "amd64", "aarch64", "i386", "ppc64le", "mips64el", "hppa", "loong64", "armv7l", "tilegx"} {
		if _, err := CanonicalArch(a); err != nil {
			t.Errorf("CanonicalArch(%q): %v", a, err)
		}
	}
	esp, _ := ParseType("esp", "")
	swap, _ := ParseType("swap", "")
	root, _ := ParseType("root", "")
	rv, _ := ParseType("root-verity", "")
	if esp.KnowsGrowFS() || esp.KnowsNoAuto() || esp.KnowsReadOnly() || !swap.KnowsNoAuto() || swap.KnowsGrowFS() ||
		!root.KnowsGrowFS() || !rv.KnowsReadOnly() || rv.KnowsGrowFS() || !rv.IsVerityHash() {
		t.Error("attribute knowledge differs from gpt.c")
	}
}

func TestUUIDFormat(t *testing.T) {
	u, err := ParseUUID("4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709")
	if err != nil || FormatUUID(u) != "4f68bce3-e8cd-4db1-96e7-fbcaf984b709" || u[0] != 0x4f || u[15] != 0x09 {
		t.Errorf("ParseUUID: %x %v", u, err)
	}
	for _, bad := range []string{"", "4f68bce3e8cd4db196e7fbcaf984b70", "4f68bce3-e8cd-4db1-96e7fbcaf984b7-09", "zz68bce3e8cd4db196e7fbcaf984b709"} {
		if _, err := ParseUUID(bad); err == nil {
			t.Errorf("ParseUUID(%q) accepted", bad)
		}
	}
}
