package sysupdate

import (
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"github.com/gorepart/gorepart/artifacts"
	"github.com/gorepart/gorepart/definitions"
	"github.com/gorepart/gorepart/repart"
)

// The A/B example is built as nixpkgs would name it: image.repart.name
// "appliance", version "23.1" → appliance_23.1.raw, with nixpkgs' seed.
const (
	abDir     = "../testdata/examples/ab"
	abSeed    = "0867da16-f251-457d-a9e8-c31f9a3c220b"
	abImageID = "appliance"
	abVersion = "23.1"
	abBase    = abImageID + "_" + abVersion
	abArch    = "x86-64"
)

func abTransfers(t *testing.T) []*Transfer {
	t.Helper()
	trs, err := LoadTransfers(filepath.Join(abDir, "sysupdate.d"))
	if err != nil {
		t.Fatal(err)
	}
	if len(trs) == 0 {
		t.Fatal("no transfer files in the A/B example")
	}
	return trs
}

// sourceMatch finds the one transfer whose [Source] MatchPattern= matches
// name, checks the version and that formatting the match gives name back.
func sourceMatch(t *testing.T, trs []*Transfer, name string) (*Transfer, Instance) {
	t.Helper()
	var found *Transfer
	var inst Instance
	for _, tr := range trs {
		in, r, i := MatchAny(tr.Source.Patterns, name)
		if r != Match {
			continue
		}
		if found != nil {
			t.Errorf("%s matches both %s and %s", name, found.Path, tr.Path)
			continue
		}
		found, inst = tr, in
		if back, err := tr.Source.Patterns[i].Format(in); err != nil || back != name {
			t.Errorf("%s: pattern %s formats the match as %q (%v)", name, tr.Source.Patterns[i], back, err)
		}
	}
	if found == nil {
		t.Fatalf("split artifact %s matches no transfer's MatchPattern=", name)
	}
	if inst.Version != abVersion {
		t.Errorf("%s: version %q, want %q", name, inst.Version, abVersion)
	}
	return found, inst
}

// TestABSplitNamesMatchTransfers computes the split artifact names of the
// A/B example from its definitions (repart.Identify gives types, UUIDs
// and labels; the name rule is spec §7: <base>.<SplitName>.raw with %t the
// type name and %U the partition UUID as 32 hex digits) and checks each,
// uncompressed and as .raw.zst, against the transfer files; the A slots'
// labels must match the target patterns of the transfer for their type.
func TestABSplitNamesMatchTransfers(t *testing.T) {
	sp := definitions.Specifiers{ImageID: abImageID, ImageVersion: abVersion}
	defs, warns, err := definitions.Load(definitions.Options{
		Dirs: []string{filepath.Join(abDir, "repart.d")}, Architecture: abArch, Specifiers: sp,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range warns {
		t.Errorf("loading the example: %v", w)
	}
	seed, err := definitions.ParseUUID(abSeed)
	if err != nil {
		t.Fatal(err)
	}
	parts, _, err := repart.Identify(defs, seed)
	if err != nil {
		t.Fatal(err)
	}
	trs := abTransfers(t)
	used := map[*Transfer]bool{}
	split := 0
	for _, p := range parts {
		if p.Def.SplitName == "-" {
			continue
		}
		typ := p.Type.Name
		if typ == "" {
			t.Fatalf("%s: example uses an unnamed type", p.Def.Path)
		}
		name, err := definitions.Expand(p.Def.SplitName, sp, map[rune]string{
			't': typ,
			'T': hex.EncodeToString(p.Type.UUID[:]),
			'U': hex.EncodeToString(p.UUID[:]),
		})
		if err != nil {
			t.Fatalf("%s: SplitName=%s: %v", p.Def.Path, p.Def.SplitName, err)
		}
		split++
		for _, file := range []string{abBase + "." + name + ".raw", abBase + "." + name + ".raw.zst"} {
			tr, in := sourceMatch(t, trs, file)
			used[tr] = true
			if in.PartitionUUID == nil || *in.PartitionUUID != p.UUID {
				t.Errorf("%s: @u gives %x, partition UUID is %x", file, in.PartitionUUID, p.UUID)
			}
			checkTarget(t, tr, p)
		}
	}
	if split != 2 {
		t.Errorf("%d split artifacts, want 2 (usr and usr-verity)", split)
	}
	for _, tr := range trs {
		if !used[tr] {
			t.Errorf("transfer %s matches no split artifact", tr.Path)
		}
	}
}

// checkTarget: the transfer's target type is the partition's and its
// target pattern matches the A slot's label with the release version.
func checkTarget(t *testing.T, tr *Transfer, p *repart.Partition) {
	t.Helper()
	typ, err := definitions.ParseType(tr.Target.MatchPartitionType, abArch)
	if err != nil {
		t.Fatalf("%s: MatchPartitionType=%s: %v", tr.Path, tr.Target.MatchPartitionType, err)
	}
	if typ.UUID != p.Type.UUID {
		t.Errorf("%s targets %s, but its artifact comes from a %s partition", tr.Path, typ.Name, p.Type.Name)
	}
	in, r, _ := MatchAny(tr.Target.Patterns, p.Label)
	if r != Match || in.Version != abVersion {
		t.Errorf("%s: target MatchPattern= does not match label %q with version %s (%v, %q)", tr.Path, p.Label, abVersion, r, in.Version)
	}
}

// TestABBuiltSplitFilesMatchTransfers builds the A/B example with the
// gorepart command (--split=yes, so verity UUIDs come from the real root
// hash), checks every split file it wrote against the transfers, then
// publishes them compressed with a SHA256SUMS.
func TestABBuiltSplitFilesMatchTransfers(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("go not found in PATH")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "gorepart")
	build := exec.Command(goBin, "build", "-o", bin, "../cmd/gorepart")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building gorepart: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--empty=create", "--size=auto", "--dry-run=no", "--seed="+abSeed,
		"--sector-size=512", "--architecture="+abArch, "--split=yes", "--json=off",
		"--definitions="+filepath.Join(abDir, "repart.d"), "--copy-source=../testdata/examples/tree",
		"--image-id="+abImageID, "--image-version="+abVersion, filepath.Join(out, abBase+".raw"))
	cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=1700000000")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gorepart: %v\n%s", err, msg)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() != abBase+".raw" {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) != 2 {
		t.Fatalf("split files %q, want the usr and usr-verity artifacts", names)
	}
	trs := abTransfers(t)
	matched := map[string]string{}
	for _, n := range names {
		tr, in := sourceMatch(t, trs, n)
		if in.PartitionUUID == nil {
			t.Errorf("%s: no partition UUID matched", n)
		}
		if other, dup := matched[tr.Path]; dup {
			t.Errorf("%s and %s both match %s", other, n, tr.Path)
		}
		matched[tr.Path] = n
	}

	// Publish as a release would: zstd-compressed split files and a
	// SHA256SUMS over them, which sha256sum -c verifies; the compressed
	// names still match the transfers.
	sha256sum, err := exec.LookPath("sha256sum")
	if err != nil {
		t.Fatal("sha256sum not found: install the Debian package coreutils")
	}
	release := filepath.Join(dir, "release")
	if err := os.Mkdir(release, 0o755); err != nil {
		t.Fatal(err)
	}
	var published []string
	for _, n := range names {
		path, err := artifacts.CompressFile(release, filepath.Join(out, n), 0o644, artifacts.Params{Algorithm: artifacts.Zstd, Level: 3})
		if err != nil {
			t.Fatal(err)
		}
		published = append(published, filepath.Base(path))
		sourceMatch(t, trs, filepath.Base(path))
	}
	if err := artifacts.WriteSHA256Sums(release, published); err != nil {
		t.Fatal(err)
	}
	check := exec.Command(sha256sum, "--strict", "-c", artifacts.SHA256SumsName)
	check.Dir = release
	if msg, err := check.CombinedOutput(); err != nil {
		t.Errorf("sha256sum -c: %v\n%s", err, msg)
	}
}
