package definitions

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/fstree"
)

// store makes a fake store with the given entries and returns its dir.
func store(t *testing.T, entries ...string) string {
	t.Helper()
	s := t.TempDir()
	for _, e := range entries {
		p := filepath.Join(s, e)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(e), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func copiesOf(d *Definition) []string {
	var out []string
	for _, c := range d.Copies {
		out = append(out, c.Source+" -> "+c.Target)
		if !c.HostPath && strings.Contains(c.Origin, "json") {
			out = append(out, "not HostPath")
		}
	}
	return out
}

func TestManifestEras(t *testing.T) {
	s := store(t, "aaa-efi/BOOTX64.EFI", "bbb-kernel/nixos.efi", "ccc-system/init", "ddd-glibc/lib", "eee-closure/store-paths")
	closure := filepath.Join(s, "eee-closure/store-paths")
	if err := os.WriteFile(closure, []byte(filepath.Join(s, "ccc-system")+"\n\n"+filepath.Join(s, "ddd-glibc")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	defsDir := t.TempDir()
	writeTree(t, defsDir, map[string]string{
		"00-esp.conf": "[Partition]\nType=esp\nFormat=vfat\nCopyFiles=/etc/os-release:/os-release\n",
	})
	manifest := `{
  "00-esp": {
    "contents": {
      "/EFI/Linux/nixos.efi": { "source": "` + s + `/bbb-kernel/nixos.efi" },
      "/EFI/BOOT/BOOTX64.EFI": { "source": "` + s + `/aaa-efi/BOOTX64.EFI" }
    },
    "nixStorePrefix": "/nix/store",
    "repartConfig": { "Format": "vfat", "SizeMinBytes": "96M", "Type": "esp" },
    "storePaths": [],
    "stripNixStorePrefix": "_mkMergedOptionModule"
  },
  "10-store-new": {
    "closure": "` + closure + `",
    "contents": {},
    "nixStorePrefix": "/",
    "repartConfig": { "Format": "erofs", "Label": "store_17", "Minimize": "best", "SplitName": "store", "Type": "linux-generic",
                      "MountPoint": ["/nix/store", "/other"], "ReadOnly": true, "Weight": 500, "AddValidateFS": false },
    "storePaths": ["` + s + `/ccc-system"],
    "stripNixStorePrefix": true
  },
  "20-store-2024": {
    "closure": "` + closure + `",
    "repartConfig": { "Type": "linux-generic", "Format": "erofs" },
    "stripNixStorePrefix": true
  },
  "21-store-2024-nostrip": {
    "closure": "` + closure + `",
    "repartConfig": { "Type": "linux-generic", "Format": "erofs" },
    "stripNixStorePrefix": false
  },
  "22-store-2023": {
    "storePaths": ["` + s + `/ccc-system"],
    "repartConfig": { "Type": "linux-generic", "Format": "erofs" },
    "stripNixStorePrefix": true
  },
  "23-prefix-wins": {
    "closure": "` + closure + `",
    "nixStorePrefix": "/store",
    "repartConfig": { "Type": "linux-generic", "Format": "erofs" },
    "stripNixStorePrefix": true
  }
}`
	for _, viaStdin := range []bool{false, true} {
		o := Options{Dirs: []string{defsDir}}
		if viaStdin {
			o.Manifest, o.ManifestReader = "-", strings.NewReader(manifest)
		} else {
			mf := filepath.Join(t.TempDir(), "manifest.json")
			if err := os.WriteFile(mf, []byte(manifest), 0o644); err != nil {
				t.Fatal(err)
			}
			o.Manifest = mf
		}
		defs, warns, err := Load(o)
		if err != nil {
			t.Fatal(err)
		}
		if len(warns) != 0 {
			t.Errorf("warnings %v", warns)
		}
		if got := names(defs); !reflect.DeepEqual(got, []string{"00-esp", "10-store-new", "20-store-2024", "21-store-2024-nostrip", "22-store-2023", "23-prefix-wins"}) {
			t.Fatalf("partitions %v", got)
		}
		esp := defs[0]
		wantESP := []string{"/etc/os-release -> /os-release",
			s + "/bbb-kernel/nixos.efi -> /EFI/Linux/nixos.efi",
			s + "/aaa-efi/BOOTX64.EFI -> /EFI/BOOT/BOOTX64.EFI"}
		if got := copiesOf(esp); !reflect.DeepEqual(got, wantESP) {
			t.Errorf("esp copies\n got %q\nwant %q", got, wantESP)
		}
		if esp.FromManifest || esp.SizeMin != nil || esp.Copies[0].HostPath || !esp.Copies[1].HostPath {
			t.Errorf("esp: the .conf wins over repartConfig and only manifest copies are host paths: %+v", esp)
		}
		sys, glibc := s+"/ccc-system", s+"/ddd-glibc"
		for i, want := range [][]string{
			{sys + " -> /ccc-system", glibc + " -> /ddd-glibc"},
			{sys + " -> /ccc-system", glibc + " -> /ddd-glibc"},
			{sys + " -> /nix/store/ccc-system", glibc + " -> /nix/store/ddd-glibc"},
			{sys + " -> " + sys},
			{sys + " -> /store/ccc-system", glibc + " -> /store/ddd-glibc"},
		} {
			d := defs[i+1]
			if got := copiesOf(d); !reflect.DeepEqual(got, want) {
				t.Errorf("%s copies\n got %q\nwant %q", d.Name, got, want)
			}
			if !d.FromManifest || d.Path != filepath.Join(defsDir, d.Name+".conf") {
				t.Errorf("%s: FromManifest %v Path %s", d.Name, d.FromManifest, d.Path)
			}
		}
		st := defs[1]
		if *st.Label != "store_17" || st.Minimize != MinimizeBest || st.SplitName != "store" || st.ReadOnly != Yes ||
			st.Weight != 500 || st.AddValidateFS != No || !reflect.DeepEqual(st.MountPoints, []string{"/nix/store", "/other"}) {
			t.Errorf("repartConfig rendering: %+v", st)
		}
	}
}

func TestManifestErrors(t *testing.T) {
	s := store(t, "aaa-x/file")
	defsDir := t.TempDir()
	writeTree(t, defsDir, map[string]string{"00-esp.conf": "[Partition]\nType=esp\n"})
	for _, c := range []struct{ manifest, want string }{
		{`{"00-esp": `, "M: manifest is not valid JSON"},
		{`{} {}`, "M: manifest is not valid JSON"},
		{`[1]`, "M: manifest must be a JSON object"},
		{`{"10-root": {"contents": {}}}`, `M[10-root]: partition "10-root" has neither a 10-root.conf in the definitions nor a repartConfig`},
		{`{"10-root": {"closure": "/nonexistent/store-paths", "repartConfig": {"Type": "root"}}}`,
			"M[10-root]: closure: reading closure file"},
		{`{"00-esp": {"contents": {"/x": {"source": "/nonexistent/src"}}}}`, `M[00-esp]: contents: copy source "/nonexistent/src" (for "/x") is missing`},
		{`{"00-esp": {"contents": {"x": {"source": "` + s + `/aaa-x/file"}}}}`, `M[00-esp]: contents["x"]: invalid target`},
		{`{"00-esp": {"contents": {"/x": {}}}}`, `M[00-esp]: contents["/x"]: entry needs a "source" string`},
		{`{"00-esp": {"storePaths": ["/nonexistent/zzz"]}}`, `M[00-esp]: contents: copy source "/nonexistent/zzz"`},
		{`{"00-esp": {"stripNixStorePrefix": "yes"}}`, "M[00-esp]: stripNixStorePrefix: must be true, false or"},
		{`{"00-esp": {"nixStorePrefix": "rel"}}`, "M[00-esp]: nixStorePrefix: must be an absolute path"},
		{`{"10-root": {"repartConfig": {"Type": "root", "SizeMinBytes": "lots"}}}`, `M[10-root]: SizeMinBytes: invalid size "lots"`},
		{`{"10-root": {"repartConfig": {"Type": "root", "Weight": {"a": 1}}}}`, "M[10-root]: Weight: cannot render repartConfig value"},
		{`{"10-root": {"repartConfig": {"Label": "x"}}}`, "$D/10-root.conf: Type= not defined"},
		{`{"../x": {}}`, `M: invalid partition name "../x"`},
	} {
		_, _, err := Load(Options{Dirs: []string{defsDir}, Manifest: "-", ManifestReader: strings.NewReader(c.manifest)})
		want := c.want
		if strings.HasPrefix(want, "M") {
			want = "<stdin>" + want[1:]
		}
		want = strings.ReplaceAll(want, "$D", defsDir)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s:\n got %v\nwant %q", c.manifest, err, want)
		}
	}
	if _, _, err := Load(Options{Dirs: []string{defsDir}, Manifest: "/nonexistent/manifest.json"}); err == nil ||
		!strings.HasPrefix(err.Error(), "/nonexistent/manifest.json: opening manifest") {
		t.Errorf("missing manifest: %v", err)
	}
}

// TestManifestTargetsWithColons: no text round trip, so ':' and spaces in
// targets survive.
func TestManifestTargetsWithColons(t *testing.T) {
	s := store(t, "aaa/f")
	m := `{"10-x": {"contents": {"/a:b c/d": {"source": "` + s + `/aaa/f"}}, "repartConfig": {"Type": "linux-generic", "Format": "ext4"}}}`
	defs, _, err := Load(Options{Dirs: []string{t.TempDir()}, Manifest: "-", ManifestReader: strings.NewReader(m)})
	if err != nil {
		t.Fatal(err)
	}
	want := []fstree.Copy{{Source: s + "/aaa/f", Target: "/a:b c/d", HostPath: true, Origin: `<stdin>[10-x]: contents["/a:b c/d"]`}}
	if !reflect.DeepEqual(defs[0].Copies, want) {
		t.Errorf("copies %+v", defs[0].Copies)
	}
}

func TestManifestOnlyPartitionDropIns(t *testing.T) {
	d := t.TempDir()
	writeTree(t, d, map[string]string{"10-x.conf.d/size.conf": "[Partition]\nSizeMaxBytes=1G\nBogus=1\n"})
	m := `{"10-x": {"repartConfig": {"Type": "linux-generic", "SizeMinBytes": "10M"}}}`
	defs, warns, err := Load(Options{Dirs: []string{d}, Manifest: "-", ManifestReader: strings.NewReader(m)})
	if err != nil {
		t.Fatal(err)
	}
	x := defs[0]
	if *x.SizeMin != 10<<20 || *x.SizeMax != 1<<30 || len(x.DropIns) != 1 || x.Pos["SizeMinBytes"].File != "<stdin>[10-x]" {
		t.Errorf("%+v", x)
	}
	if len(warns) != 1 || warns[0].String() != filepath.Join(d, "10-x.conf.d/size.conf")+":3: Unknown key 'Bogus' in section [Partition], ignoring." {
		t.Errorf("warnings %v", warns)
	}
}
