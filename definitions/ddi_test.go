package definitions

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDDI: without the definitions installed on the host, --make-ddi=
// reads gorepart's copy of systemd's, named as if installed; an
// installed directory earlier in the search path wins; unknown and
// invalid types are refused.
func TestDDI(t *testing.T) {
	empty := []string{filepath.Join(t.TempDir(), "etc"), "/usr/lib/systemd/repart/definitions"}
	want := map[string][]string{
		"sysext":   {"/usr", "/opt"},
		"confext":  {"/etc"},
		"portable": {"/"},
	}
	for typ, copies := range want {
		dirs, fsys, err := findDDI(typ, empty)
		if err != nil {
			t.Fatal(err)
		}
		if fsys == nil {
			if _, err := os.Stat(dirs[0]); err == nil {
				continue // the host has systemd's own
			}
			t.Fatalf("%s: no built-in definitions", typ)
		}
		defs, _, err := Load(Options{Dirs: dirs, FS: fsys})
		if err != nil {
			t.Fatal(err)
		}
		if len(defs) != 3 {
			t.Fatalf("%s: %d definitions, want 3", typ, len(defs))
		}
		root, hash, sig := defs[0], defs[1], defs[2]
		if root.Path != "/usr/lib/systemd/repart/definitions/"+typ+".repart.d/10-root.conf" {
			t.Errorf("%s: path %s", typ, root.Path)
		}
		var got []string
		for _, c := range root.Copies {
			got = append(got, c.Source)
		}
		if root.Format != "erofs" || root.Verity != VerityData || root.Minimize != MinimizeBest || strings.Join(got, " ") != strings.Join(copies, " ") {
			t.Errorf("%s: root %+v", typ, root)
		}
		if hash.Verity != VerityHash || hash.Minimize != MinimizeBest || sig.Verity != VeritySignature || sig.Type.Designator != "root-verity-sig" {
			t.Errorf("%s: verity %+v %+v", typ, hash, sig)
		}
	}
	host := t.TempDir()
	os.MkdirAll(filepath.Join(host, "sysext.repart.d"), 0o755)
	if dirs, fsys, err := findDDI("sysext", []string{host, "/usr/lib/systemd/repart/definitions"}); err != nil || fsys != nil || dirs[0] != filepath.Join(host, "sysext.repart.d") {
		t.Errorf("installed definitions not preferred: %v %v %v", dirs, fsys, err)
	}
	for _, typ := range []string{"nosuch", "../etc", ""} {
		if _, _, err := findDDI(typ, empty); err == nil {
			t.Errorf("--make-ddi=%s accepted", typ)
		}
	}
}

// TestTypeFilter: what --include-partitions= and --exclude-partitions=
// leave out, for --copy-from= partitions.
func TestTypeFilter(t *testing.T) {
	root, _ := ParseType("root-x86-64", "")
	home, _ := ParseType("home", "")
	f, err := Options{Include: []string{"root"}, Architecture: "x86-64"}.TypeFilter()
	if err != nil || f(root) || !f(home) {
		t.Errorf("include root: %v", err)
	}
	f, err = Options{Exclude: []string{"home,swap"}}.TypeFilter()
	if err != nil || f(root) || !f(home) {
		t.Errorf("exclude home: %v", err)
	}
	if f, err := (Options{}).TypeFilter(); f != nil || err != nil {
		t.Error("a filter without options")
	}
	if _, err := (Options{Include: []string{"root"}, Exclude: []string{"home"}}).TypeFilter(); err == nil {
		t.Error("include and exclude together accepted")
	}
}
