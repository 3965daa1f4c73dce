package definitions

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeTree creates files under dir; a value starting with "->" makes a
// symlink to the rest.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(body, "->"); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func names(defs []*Definition) []string {
	var out []string
	for _, d := range defs {
		out = append(out, d.Name)
	}
	return out
}

func TestDropInsShadowingMasking(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	writeTree(t, a, map[string]string{
		"20-root.conf":                  "[Partition]\nType=root\nLabel=from-a\n",
		"20-root.conf.d/50-size.conf":   "[Partition]\nSizeMaxBytes=64M\n",
		"20-root.conf.d/10-label.conf":  "[Partition]\nLabel=dropin-a\n",
		"30-masked.conf":                "->/dev/null",
		"40-empty.conf":                 "",
		"50-link.conf":                  "->20-root.conf",
		"notes.txt":                     "[Partition]\nType=esp\n",
		"60-dir.conf/x":                 "",
		"70-dangling.conf":              "->/nonexistent",
		"20-root.conf.d/90-masked.conf": "->/dev/null",
	})
	writeTree(t, b, map[string]string{
		"10-esp.conf":                   "[Partition]\nType=esp\n",
		"20-root.conf":                  "[Partition]\nType=swap\n",
		"30-masked.conf":                "[Partition]\nType=home\n",
		"40-empty.conf":                 "[Partition]\nType=srv\n",
		"20-root.conf.d/10-label.conf":  "[Partition]\nLabel=dropin-b\n",
		"20-root.conf.d/70-later.conf":  "[Partition]\nSizeMaxBytes=32M\n",
		"20-root.conf.d/90-masked.conf": "[Partition]\nLabel=masked\n",
		"20-root.conf.d/05-first.conf":  "[Partition]\nPriority=3\n",
	})
	defs, warns, err := Load(Options{Dirs: []string{a, b, a}})
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	if got, want := names(defs), []string{"10-esp", "20-root", "50-link"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("definitions %v, want %v", got, want)
	}
	root := defs[1]
	if root.Path != filepath.Join(a, "20-root.conf") || root.Type.Designator != DesignatorRoot {
		t.Errorf("20-root from %s type %s: the first directory must shadow the second", root.Path, root.Type)
	}
	wantDrops := []string{
		filepath.Join(b, "20-root.conf.d/05-first.conf"),
		filepath.Join(a, "20-root.conf.d/10-label.conf"),
		filepath.Join(a, "20-root.conf.d/50-size.conf"),
		filepath.Join(b, "20-root.conf.d/70-later.conf"),
	}
	if !reflect.DeepEqual(root.DropIns, wantDrops) {
		t.Errorf("drop-ins\n got %q\nwant %q", root.DropIns, wantDrops)
	}
	if *root.Label != "dropin-a" || *root.SizeMax != 32<<20 || root.Priority != 3 {
		t.Errorf("merged values: label %q size max %d priority %d", *root.Label, *root.SizeMax, root.Priority)
	}
	if root.Pos["SizeMaxBytes"].File != wantDrops[3] || root.Pos["SizeMaxBytes"].Line != 2 {
		t.Errorf("Pos[SizeMaxBytes] = %v", root.Pos["SizeMaxBytes"])
	}
	// A symlinked definition is its own partition, without root's drop-ins.
	if l := defs[2]; l.Type.Designator != DesignatorRoot || *l.Label != "from-a" || len(l.DropIns) != 0 {
		t.Errorf("50-link: %+v", l)
	}
}

func TestDefaultDirsUnderRoot(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"usr/lib/repart.d/10-esp.conf":         "[Partition]\nType=esp\n",
		"etc/repart.d/10-esp.conf":             "[Partition]\nType=xbootldr\n",
		"usr/local/lib/repart.d/20-var.conf":   "[Partition]\nType=var\n",
		"run/repart.d/20-var.conf.d/size.conf": "[Partition]\nSizeMinBytes=1G\n",
	})
	defs, _, err := Load(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(defs); !reflect.DeepEqual(got, []string{"10-esp", "20-var"}) {
		t.Fatalf("definitions %v", got)
	}
	if defs[0].Type.Name != "xbootldr" {
		t.Errorf("/etc must shadow /usr/lib: got %s", defs[0].Type)
	}
	if defs[1].SizeMin == nil || *defs[1].SizeMin != 1<<30 {
		t.Errorf("drop-in from /run not applied")
	}
}

func TestArchitectureAndFilters(t *testing.T) {
	d := t.TempDir()
	writeTree(t, d, map[string]string{
		"10-root.conf": "[Partition]\nType=root\n",
		"11-rv.conf":   "[Partition]\nType=root-x86-64-verity\n",
		"20-usr.conf":  "[Partition]\nType=usr-aarch64\n",
		"30-esp.conf":  "[Partition]\nType=esp\n",
	})
	defs, _, err := Load(Options{Dirs: []string{d}, Architecture: "aarch64"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range defs {
		got = append(got, x.Type.Name)
	}
	if want := []string{"root-arm64", "root-arm64-verity", "usr-arm64", "esp"}; !reflect.DeepEqual(got, want) {
		t.Errorf("types %v, want %v", got, want)
	}
	defs, _, err = Load(Options{Dirs: []string{d}, Architecture: "arm64", Include: []string{"root,esp"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(defs); !reflect.DeepEqual(got, []string{"10-root", "30-esp"}) {
		t.Errorf("include: %v", got)
	}
	defs, _, err = Load(Options{Dirs: []string{d}, Exclude: []string{"esp", "usr-arm64"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(defs); !reflect.DeepEqual(got, []string{"10-root", "11-rv"}) {
		t.Errorf("exclude: %v", got)
	}
	if _, _, err := Load(Options{Dirs: []string{d}, Include: []string{"esp"}, Exclude: []string{"root"}}); err == nil {
		t.Error("--include with --exclude accepted")
	}
	if _, _, err := Load(Options{Dirs: []string{d}, Architecture: "vax"}); err == nil {
		t.Error("unknown architecture accepted")
	}
	if _, _, err := Load(Options{Dirs: []string{d}, Include: []string{"esp,,root"}}); err == nil {
		t.Error("empty type in list accepted")
	}
}

func TestImpliedDefaults(t *testing.T) {
	d := t.TempDir()
	writeTree(t, d, map[string]string{
		"10-esp.conf":   "[Partition]\nType=esp\nCopyFiles=/boot:/\n",
		"11-xb.conf":    "[Partition]\nType=xbootldr\nMakeDirectories=/loader\n",
		"20-root.conf":  "[Partition]\nType=root\nMakeSymlinks=/a:b\n",
		"30-swap.conf":  "[Partition]\nType=swap\n",
		"40-empty.conf": "[Partition]\nType=root\nFormat=empty\n",
		"41-empty.conf": "[Partition]\nType=esp\nFormat=empty\nLabel=mine\n",
		"50-enc.conf":   "[Partition]\nType=home\nEncrypt=key-file\n",
		"60-ro.conf":    "[Partition]\nType=usr\nReadOnly=yes\n",
		"70-gen.conf":   "[Partition]\nType=linux-generic\n",
		"80-val.conf":   "[Partition]\nType=srv\nAddValidateFS=yes\n",
		"90-grow.conf":  "[Partition]\nType=home\nGrowFileSystem=no\n",
	})
	defs, _, err := Load(Options{Dirs: []string{d}})
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]*Definition{}
	for _, x := range defs {
		by[x.Name] = x
	}
	for name, want := range map[string]string{"10-esp": "vfat", "11-xb": "vfat", "20-root": "ext4", "30-swap": "swap",
		"40-empty": "empty", "50-enc": "ext4", "60-ro": "", "70-gen": "", "80-val": "ext4"} {
		if got := by[name].Format; got != want {
			t.Errorf("%s: Format %q, want %q", name, got, want)
		}
	}
	e := by["40-empty"]
	if e.Label == nil || *e.Label != "_empty" || e.NoAuto != Yes || e.FileSystem() != "" {
		t.Errorf("Format=empty: label %v noauto %v fs %q", e.Label, e.NoAuto, e.FileSystem())
	}
	if e := by["41-empty"]; *e.Label != "mine" || e.NoAuto != Unset {
		t.Errorf("Format=empty on esp: label %q noauto %v (esp does not know NoAuto)", *e.Label, e.NoAuto)
	}
	if by["60-ro"].GrowFileSystem != Unset || by["20-root"].GrowFileSystem != Yes || by["90-grow"].GrowFileSystem != Yes {
		t.Errorf("growfs defaults: ro %v root %v explicit-no %v", by["60-ro"].GrowFileSystem, by["20-root"].GrowFileSystem, by["90-grow"].GrowFileSystem)
	}
	if by["70-gen"].SplitName != "%t" || by["70-gen"].DefaultLabelBase() != "linux-generic" {
		t.Errorf("SplitName %q DefaultLabelBase %q", by["70-gen"].SplitName, by["70-gen"].DefaultLabelBase())
	}
	if TypeByUUID([16]byte{1}).Name != "" || (&Definition{Type: TypeByUUID([16]byte{1})}).DefaultLabelBase() != "linux" {
		t.Error("unknown type label base")
	}
}

func TestVerityDefaults(t *testing.T) {
	d := t.TempDir()
	img := filepath.Join(d, "usr.img")
	if err := os.WriteFile(img, make([]byte, 8192), 0o644); err != nil {
		t.Fatal(err)
	}
	writeTree(t, d, map[string]string{
		"defs/10-usr.conf": "[Partition]\nType=usr\nVerity=data\nVerityMatchKey=usr\nCopyBlocks=" + img + "\n",
		"defs/11-uv.conf":  "[Partition]\nType=usr-verity\nVerity=hash\nVerityMatchKey=usr\nMinimize=best\n",
		"defs/12-us.conf":  "[Partition]\nType=usr-verity-sig\nVerity=signature\nVerityMatchKey=usr\n",
	})
	defs, _, err := Load(Options{Dirs: []string{filepath.Join(d, "defs")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range defs {
		if x.ReadOnly != Yes {
			t.Errorf("%s: ReadOnly %v, want yes", x.Name, x.ReadOnly)
		}
		if x.GrowFileSystem == Yes {
			t.Errorf("%s: growfs on a read-only partition", x.Name)
		}
	}
	if defs[0].CopyBlocksFile != img || defs[0].CopyBlocksSize != 8192 {
		t.Errorf("CopyBlocks file %q size %d", defs[0].CopyBlocksFile, defs[0].CopyBlocksSize)
	}
}

func TestSupplementAccepted(t *testing.T) {
	d := t.TempDir()
	writeTree(t, d, map[string]string{
		"10-esp.conf":   "[Partition]\nType=esp\nSizeMinBytes=100M\nSizeMaxBytes=1G\n",
		"20-extra.conf": "[Partition]\nType=esp\nSupplementFor=10-esp\nSizeMinBytes=500M\nCopyFiles=/boot:/\n",
	})
	defs, _, err := Load(Options{Dirs: []string{d}})
	if err != nil {
		t.Fatal(err)
	}
	if defs[1].SupplementFor != "10-esp" || defs[1].Format != "vfat" {
		t.Errorf("%+v", defs[1])
	}
}

func TestFSTypeOverride(t *testing.T) {
	d := t.TempDir()
	writeTree(t, d, map[string]string{
		"10-root.conf": "[Partition]\nType=root\nFormat=ext4\nCopyFiles=/usr\n",
		"20-usr.conf":  "[Partition]\nType=usr\nFormat=ext4\nCopyFiles=/usr\n",
		"30-gen.conf":  "[Partition]\nType=linux-generic\nFormat=ext4\n",
	})
	defs, warns, err := Load(Options{Dirs: []string{d}, FSTypeOverride: map[string]string{"": "btrfs", "USR": "erofs"}})
	if err != nil {
		t.Fatal(err)
	}
	if defs[0].Format != "btrfs" || defs[1].Format != "erofs" || defs[2].Format != "btrfs" {
		t.Errorf("formats %s %s %s", defs[0].Format, defs[1].Format, defs[2].Format)
	}
	var ws []string
	for _, w := range warns {
		ws = append(ws, strings.TrimPrefix(w.String(), d+"/"))
	}
	want := []string{
		"10-root.conf:3: Overriding defined file system type 'ext4' with 'btrfs'.",
		"20-usr.conf:3: Overriding defined file system type 'ext4' with 'btrfs'.",
		"20-usr.conf:1: Overriding defined file system type 'btrfs' for 'usr' partition with 'erofs'.",
		"30-gen.conf:3: Overriding defined file system type 'ext4' with 'btrfs'.",
	}
	if !reflect.DeepEqual(ws, want) {
		t.Errorf("notices\n got %q\nwant %q", ws, want)
	}
}
