package nix

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/testutil"
)

// evalBuilder evaluates repart-image.nix through tests/eval-repart-image.nix.
func evalBuilder(t *testing.T, inst string, args map[string]string) map[string]any {
	t.Helper()
	self, err := filepath.Abs("tests/eval-repart-image.nix")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("import " + self + " {")
	for k, v := range args {
		b.WriteString(" " + k + " = " + v + ";")
	}
	b.WriteString(" }")
	out, err := exec.Command(inst, "--eval", "--strict", "--json", "-E", b.String()).CombinedOutput()
	if err != nil {
		t.Fatalf("nix-instantiate --eval: %v\n%s", err, out)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func stringList(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// TestRepartImageFlags evaluates the drop-in builder and checks the
// gorepart command line it makes from nixpkgs' arguments.
func TestRepartImageFlags(t *testing.T) {
	inst := testutil.Tool(t, "nix-instantiate", "nix-bin")
	m := evalBuilder(t, inst, nil)
	want := []string{
		"--architecture=x86-64", "--dry-run=no", "--size=auto",
		"--seed=0867da16-f251-457d-a9e8-c31f9a3c220b", "--definitions=/defs/repart.d",
		"--manifest=partitions.json", "--split=true", "--json=pretty", "--empty=create",
		"--sector-size=512", "--compress=zstd-seekable", "--compress-level=3",
	}
	if got := stringList(m["gorepartFlags"]); !slices.Equal(got, want) {
		t.Errorf("gorepartFlags = %q\nwant %q", got, want)
	}
	if got := stringList(m["nativeBuildInputs"]); !slices.Equal(got, []string{"/gorepart"}) {
		t.Errorf("nativeBuildInputs = %q, want only gorepart", got)
	}
	if env := m["env"].(map[string]any); env["SYSTEMD_REPART_MKFS_OPTIONS_EROFS"] != "-Efragments" {
		t.Errorf("mkfsEnv not passed through: %v", env)
	}
	for _, phase := range []string{"buildPhase", "installPhase"} {
		if s := m[phase].(string); strings.Contains(s, "unshare") || strings.Contains(s, "fakeroot") || strings.Contains(s, "zstd ") {
			t.Errorf("%s still runs external tools:\n%s", phase, s)
		}
	}
	m = evalBuilder(t, inst, map[string]string{"compressionEnable": "false"})
	for _, f := range stringList(m["gorepartFlags"]) {
		if strings.HasPrefix(f, "--compress") {
			t.Errorf("compression disabled but %s given", f)
		}
	}
}

// TestRepartImageRun runs the command line of the evaluated builder the
// way its buildPhase does — partitionsJSON written to partitions.json, an
// empty definitions directory (every partition comes from the manifest),
// SOURCE_DATE_EPOCH as stdenv sets it — and checks the files installPhase
// moves to $out.
func TestRepartImageRun(t *testing.T) {
	inst := testutil.Tool(t, "nix-instantiate", "nix-bin")
	sfdisk := testutil.Tool(t, "sfdisk", "fdisk")
	goBin := testutil.Tool(t, "go", "golang")
	dir := t.TempDir()
	bin := filepath.Join(dir, "gorepart")
	if out, err := exec.Command(goBin, "build", "-o", bin, "../cmd/gorepart").CombinedOutput(); err != nil {
		t.Fatalf("building gorepart: %v\n%s", err, out)
	}
	tree, err := filepath.Abs("../testdata/examples/tree")
	if err != nil {
		t.Fatal(err)
	}
	manifest := map[string]any{
		"00-esp": map[string]any{
			"contents":            map[string]any{"/EFI/BOOT/BOOTX64.EFI": map[string]any{"source": tree + "/esp/EFI/BOOT/BOOTX64.EFI"}},
			"nixStorePrefix":      "/nix/store",
			"repartConfig":        map[string]any{"Format": "vfat", "SizeMinBytes": "64M", "Type": "esp"},
			"storePaths":          []string{},
			"stripNixStorePrefix": "_mkMergedOptionModule",
		},
		"10-root": map[string]any{
			"contents":     map[string]any{"/": map[string]any{"source": tree + "/root"}},
			"repartConfig": map[string]any{"Format": "ext4", "Label": "root", "Minimize": "guess", "Type": "root"},
			"storePaths":   []string{},
		},
	}
	mj, err := json.Marshal(manifest)
	if err != nil {
		t.Fatal(err)
	}
	defs := filepath.Join(dir, "repart.d")
	if err := os.Mkdir(defs, 0o755); err != nil {
		t.Fatal(err)
	}
	m := evalBuilder(t, inst, map[string]string{
		"compressionEnable":    "false",
		"definitionsDirectory": strconv.Quote(defs),
		"manifestJSON":         strconv.Quote(string(mj)),
	})
	build := filepath.Join(dir, "build")
	if err := os.MkdirAll(filepath.Join(build, "image"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(build, "partitions.json"), []byte(m["partitionsJSON"].(string)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append(stringList(m["gorepartFlags"]), "image/appliance_23.1.raw")...)
	cmd.Dir = build
	cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=315532800")
	report, err := cmd.Output()
	if err != nil {
		t.Fatalf("gorepart with the builder's flags: %v", err)
	}
	if !json.Valid(report) {
		t.Errorf("repart-output.json is not JSON:\n%s", report)
	}
	ents, err := os.ReadDir(filepath.Join(build, "image"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	want := []string{"appliance_23.1.esp.raw", "appliance_23.1.raw", "appliance_23.1.root-x86-64.raw"}
	if !slices.Equal(names, want) {
		t.Errorf("outputs %q, want %q", names, want)
	}
	js, err := exec.Command(sfdisk, "--json", filepath.Join(build, "image", "appliance_23.1.raw")).Output()
	if err != nil {
		t.Fatalf("sfdisk: %v", err)
	}
	if n := strings.Count(string(js), `"node"`); n != 2 {
		t.Errorf("%d partitions, want 2:\n%s", n, js)
	}
}
