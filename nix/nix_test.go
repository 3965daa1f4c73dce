package nix

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/testutil"
)

// needTool finds tool (testutil.Tool: a failure in CI, a skip naming the
// Debian package elsewhere).
func needTool(t *testing.T, tool, pkg string) string { return testutil.Tool(t, tool, pkg) }

// TestParse: nix-instantiate --parse accepts every .nix file in the repo.
func TestParse(t *testing.T) {
	inst := testutil.Tool(t, "nix-instantiate", "nix-bin")
	var files []string
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "vendor" || d.Name() == "out") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".nix") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 {
		t.Fatalf("found only %d .nix files: %v", len(files), files)
	}
	for _, f := range files {
		if out, err := exec.Command(inst, "--parse", f).CombinedOutput(); err != nil {
			t.Errorf("nix-instantiate --parse %s: %v\n%s", f, err, out)
		}
	}
}

// TestVendorHash: package.nix's vendorHash is the NAR hash of what
// `go mod vendor` makes for the current go.mod, go.sum and imports.
func TestVendorHash(t *testing.T) {
	nixBin := testutil.Tool(t, "nix", "nix-bin")
	goBin := testutil.Tool(t, "go", "golang")
	text, err := os.ReadFile("package.nix")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`vendorHash = "([^"]+)"`).FindSubmatch(text)
	if m == nil {
		t.Fatal("package.nix has no vendorHash")
	}
	vendor := filepath.Join(t.TempDir(), "vendor")
	cmd := exec.Command(goBin, "mod", "vendor", "-o", vendor)
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go mod vendor: %v\n%s", err, out)
	}
	out, err := exec.Command(nixBin, "--extra-experimental-features", "nix-command", "hash", "path", vendor).Output()
	if err != nil {
		t.Fatalf("nix hash path: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != string(m[1]) {
		t.Errorf("vendorHash is %s, go mod vendor gives %s: update nix/package.nix", m[1], got)
	}
}

// TestStoreBuilder builds each example with gorepart as the builder of a
// nixpkgs-free derivation (inputs from the store, read-only, mtime 1; no
// shell), checks the partition table and builds it again with --check,
// which fails unless the second build is bit-identical.
func TestStoreBuilder(t *testing.T) {
	nixBuild := testutil.Tool(t, "nix-build", "nix-bin")
	sfdisk := testutil.Tool(t, "sfdisk", "fdisk")
	goBin := testutil.Tool(t, "go", "golang")
	dir := t.TempDir()
	bin := filepath.Join(dir, "gorepart")
	build := exec.Command(goBin, "build", "-o", bin, "../cmd/gorepart")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building gorepart: %v\n%s", err, out)
	}
	for _, ex := range []struct {
		name  string
		parts int
	}{{"appliance", 2}, {"verity-store", 3}, {"ab", 6}} {
		t.Run(ex.name, func(t *testing.T) {
			link := filepath.Join(dir, "result-"+ex.name)
			args := []string{"tests/store-builder.nix", "--option", "sandbox", "true", "--arg", "gorepart", bin, "--argstr", "example", ex.name}
			out, err := exec.Command(nixBuild, append(args, "-o", link)...).CombinedOutput()
			if err != nil {
				t.Fatalf("nix-build: %v\n%s", err, tail(out))
			}
			img, err := filepath.EvalSymlinks(link)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(img, "/nix/store/") {
				t.Fatalf("result %s is not in the store", img)
			}
			js, err := exec.Command(sfdisk, "--json", img).Output()
			if err != nil {
				t.Fatalf("sfdisk --json: %v", err)
			}
			var table struct {
				PartitionTable struct {
					Label      string `json:"label"`
					Partitions []struct {
						UUID string `json:"uuid"`
					} `json:"partitions"`
				} `json:"partitiontable"`
			}
			if err := json.Unmarshal(js, &table); err != nil {
				t.Fatal(err)
			}
			if table.PartitionTable.Label != "gpt" || len(table.PartitionTable.Partitions) != ex.parts {
				t.Errorf("%s: %s table with %d partitions, want gpt with %d", img, table.PartitionTable.Label, len(table.PartitionTable.Partitions), ex.parts)
			}
			if ex.name == "verity-store" {
				var uuids []string
				for _, p := range table.PartitionTable.Partitions {
					uuids = append(uuids, p.UUID)
				}
				kernelCheckVerityStore(t, img, uuids)
			}
			if out, err := exec.Command(nixBuild, append(args, "--check", "--no-out-link")...).CombinedOutput(); err != nil {
				t.Errorf("nix-build --check (second build differs?): %v\n%s", err, tail(out))
			}
		})
	}
}

func tail(b []byte) []byte {
	lines := bytes.Split(b, []byte("\n"))
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return bytes.Join(lines, []byte("\n"))
}
