package nix

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/testutil"
	"github.com/gorepart/gorepart/internal/vmcheck"
)

// toolbox makes what the stub stdenv's builder needs inside the sandbox:
// a static bash and busybox applets; and a static gorepart as a package
// directory (bin/gorepart).
func toolbox(t *testing.T) (tools, gorepartPkg string) {
	t.Helper()
	bash := needTool(t, "bash-static", "bash-static")
	busybox := needTool(t, "busybox", "busybox-static")
	goBin := needTool(t, "go", "golang")
	dir := t.TempDir()
	tools, gorepartPkg = filepath.Join(dir, "toolbox"), filepath.Join(dir, "gorepart")
	for _, d := range []string{filepath.Join(tools, "bin"), filepath.Join(gorepartPkg, "bin")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for src, dst := range map[string]string{bash: "bash", busybox: "busybox"} {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tools, "bin", dst), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []string{"cat", "chmod", "cp", "dirname", "grep", "head", "ln", "ls", "mkdir", "mv", "rm", "sed", "tee"} {
		if err := os.Symlink("busybox", filepath.Join(tools, "bin", a)); err != nil {
			t.Fatal(err)
		}
	}
	build := exec.Command(goBin, "build", "-o", filepath.Join(gorepartPkg, "bin", "gorepart"), "../cmd/gorepart")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building gorepart: %v\n%s", err, out)
	}
	return tools, gorepartPkg
}

// nixBuild builds attr of file in the sandbox (no substituters; /bin/sh
// for gorepart's --then) and returns the output path; with check it builds
// again and fails unless the result is bit-identical.
func nixBuild(t *testing.T, file, attr string, args ...string) string {
	t.Helper()
	nb := needTool(t, "nix-build", "nix-bin")
	busybox := needTool(t, "busybox", "busybox-static")
	common := append([]string{file, "-A", attr, "--option", "substituters", "", "--option", "sandbox", "true",
		"--option", "sandbox-fallback", "false", "--option", "sandbox-paths", "/bin/sh=" + busybox}, args...)
	link := filepath.Join(t.TempDir(), "result")
	out, err := exec.Command(nb, append(common, "-o", link)...).CombinedOutput()
	if err != nil {
		t.Fatalf("nix-build -A %s: %v\n%s", attr, err, tail(out))
	}
	res, err := filepath.EvalSymlinks(link)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(nb, append(common, "--check", "--no-out-link")...).CombinedOutput(); err != nil {
		t.Errorf("nix-build --check -A %s (second build differs?): %v\n%s", attr, err, tail(out))
	}
	return res
}

// decompress writes the zstd-compressed src to a file and returns it.
func decompress(t *testing.T, src string) string {
	t.Helper()
	zstd := needTool(t, "zstd", "zstd")
	dst := filepath.Join(t.TempDir(), strings.TrimSuffix(filepath.Base(src), ".zst"))
	if out, err := exec.Command(zstd, "-q", "-d", "-o", dst, src).CombinedOutput(); err != nil {
		t.Fatalf("zstd -d %s: %v\n%s", src, err, out)
	}
	return dst
}

type partition struct {
	Start, Size int64
	Type, Name  string
	file        string // the partition's bytes, extracted
}

// partitions reads the GPT with sfdisk and extracts each partition.
func partitions(t *testing.T, img string) []partition {
	t.Helper()
	sfdisk := needTool(t, "sfdisk", "fdisk")
	js, err := exec.Command(sfdisk, "--json", img).Output()
	if err != nil {
		t.Fatalf("sfdisk --json %s: %v", img, err)
	}
	var table struct {
		PartitionTable struct {
			Label      string      `json:"label"`
			SectorSize int64       `json:"sectorsize"`
			Partitions []partition `json:"partitions"`
		} `json:"partitiontable"`
	}
	if err := json.Unmarshal(js, &table); err != nil {
		t.Fatal(err)
	}
	if table.PartitionTable.Label != "gpt" {
		t.Fatalf("%s: %s partition table, want gpt", img, table.PartitionTable.Label)
	}
	data, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	ss := table.PartitionTable.SectorSize
	if ss == 0 {
		ss = 512
	}
	parts := table.PartitionTable.Partitions
	for i := range parts {
		p := &parts[i]
		p.file = filepath.Join(t.TempDir(), "part")
		if err := os.WriteFile(p.file, data[p.Start*ss:(p.Start+p.Size)*ss], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return parts
}

func fsckVfat(t *testing.T, part string) {
	t.Helper()
	if out, err := exec.Command(needTool(t, "fsck.vfat", "dosfstools"), "-n", part).CombinedOutput(); err != nil {
		t.Errorf("fsck.vfat -n: %v\n%s", err, out)
	}
}

// erofsExtract checks an erofs partition with fsck.erofs and extracts it.
func erofsExtract(t *testing.T, part string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "x")
	if out, err := exec.Command(needTool(t, "fsck.erofs", "erofs-utils"), "--extract="+dir, part).CombinedOutput(); err != nil {
		t.Fatalf("fsck.erofs --extract: %v\n%s", err, out)
	}
	return dir
}

// mtypeFile reads a file from a vfat partition with mtools.
func mtypeFile(t *testing.T, part, path string) string {
	t.Helper()
	out, err := exec.Command(needTool(t, "mtype", "mtools"), "-i", part, "::"+path).Output()
	if err != nil {
		t.Fatalf("mtype %s: %v", path, err)
	}
	return string(out)
}

func outputFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// TestNixBuild builds images through repart-image.nix for real, in the
// Nix sandbox, called and overridden as nixpkgs does (tests/build.nix),
// rebuilds each with --check, and checks them with sfdisk, fsck.vfat,
// fsck.erofs, mtools and veritysetup. A VM check of an image goes where
// checkVerityImage is called.
func TestNixBuild(t *testing.T) {
	tools, gorepart := toolbox(t)
	args := []string{"--arg", "toolbox", tools, "--arg", "gorepart", gorepart, "--arg", "tree", "../testdata/examples/tree"}

	t.Run("closure", func(t *testing.T) {
		out := nixBuild(t, "tests/build.nix", "closure", args...)
		want := []string{"appliance_23.1.esp.raw.zst", "appliance_23.1.raw.zst", "appliance_23.1.store.raw.zst", "repart-output.json"}
		if got := outputFiles(t, out); !slices.Equal(got, want) {
			t.Fatalf("$out has %q, want %q", got, want)
		}
		img := decompress(t, filepath.Join(out, "appliance_23.1.raw.zst"))
		parts := partitions(t, img)
		if len(parts) != 2 {
			t.Fatalf("%d partitions, want 2", len(parts))
		}
		fsckVfat(t, parts[0].file)
		if got := mtypeFile(t, parts[0].file, "/loader/loader.conf"); got == "" {
			t.Error("ESP lacks /loader/loader.conf")
		}
		split, err := os.ReadFile(decompress(t, filepath.Join(out, "appliance_23.1.store.raw.zst")))
		if err != nil {
			t.Fatal(err)
		}
		whole, _ := os.ReadFile(parts[1].file)
		if !bytes.Equal(split, whole[:len(split)]) {
			t.Error("split file appliance_23.1.store.raw differs from the partition")
		}
		// nixStorePrefix = "/": the closure's paths at the root.
		x := erofsExtract(t, parts[1].file)
		for suffix, file := range map[string]string{"-example-usr": "bin/hello", "-example-root": "etc/os-release"} {
			m, _ := filepath.Glob(filepath.Join(x, "*"+suffix, file))
			if len(m) != 1 {
				t.Errorf("store partition lacks <hash>%s/%s: %q", suffix, file, outputFiles(t, x))
			}
		}
	})

	var verityImage []byte
	t.Run("verity", func(t *testing.T) {
		inter := nixBuild(t, "tests/build.nix", "intermediate", args...)
		if want := []string{"appliance_23.1.raw", "repart-output.json"}; !slices.Equal(outputFiles(t, inter), want) {
			t.Errorf("intermediate $out has %q, want %q (uncompressed)", outputFiles(t, inter), want)
		}
		out := nixBuild(t, "tests/build.nix", "verity", args...)
		img := decompress(t, filepath.Join(out, "appliance_23.1.raw.zst"))
		verityImage, _ = os.ReadFile(img)
		checkVerityImage(t, img, filepath.Join(inter, "repart-output.json"))
	})

	t.Run("single", func(t *testing.T) {
		out := nixBuild(t, "tests/build.nix", "single", args...)
		img := decompress(t, filepath.Join(out, "appliance_23.1.raw.zst"))
		checkVerityImage(t, img, filepath.Join(out, "repart-output.json"))
		if data, _ := os.ReadFile(img); verityImage != nil && !bytes.Equal(data, verityImage) {
			t.Error("the one-derivation (--then) image differs from the two-pass verity-store image")
		}
	})

	t.Run("flake-check", func(t *testing.T) {
		out := nixBuild(t, "tests/eval-flake.nix", "checks."+nixSystem(t)+".small-image", "--arg", "toolbox", tools, "--arg", "gorepart", gorepart)
		img := decompress(t, filepath.Join(out, "gorepart-check.raw.zst"))
		parts := partitions(t, img)
		if len(parts) != 2 {
			t.Fatalf("%d partitions, want 2", len(parts))
		}
		fsckVfat(t, parts[0].file)
		x := erofsExtract(t, parts[1].file)
		if m, _ := filepath.Glob(filepath.Join(x, "*-hello.txt", "share/doc/hello.txt")); len(m) != 1 {
			t.Errorf("store partition lacks the payload: %q", outputFiles(t, x))
		}
	})
}

func nixSystem(t *testing.T) string {
	out := nixEval(t, "builtins.currentSystem", false)
	var s string
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// checkVerityImage: ESP, store-verity and store partitions; the store's
// hash tree verifies against the usr root hash the intermediate build
// reported, and the ESP holds the "UKI" made from that root hash.
func checkVerityImage(t *testing.T, img, report string) {
	t.Helper()
	parts := partitions(t, img)
	if len(parts) != 3 {
		t.Fatalf("%d partitions, want 3", len(parts))
	}
	js, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`"roothash" *: *"([0-9a-f]{64})"`).FindSubmatch(js)
	if m == nil {
		t.Fatalf("no root hash in %s", report)
	}
	roothash := string(m[1])
	vs := needTool(t, "veritysetup", "cryptsetup-bin")
	if out, err := exec.Command(vs, "verify", parts[2].file, parts[1].file, roothash).CombinedOutput(); err != nil {
		t.Errorf("veritysetup verify: %v\n%s", err, out)
	}
	fsckVfat(t, parts[0].file)
	if got, want := mtypeFile(t, parts[0].file, "/EFI/Linux/nixos.efi"), "usrhash="+roothash+"\n"; got != want {
		t.Errorf("ESP /EFI/Linux/nixos.efi = %q, want %q", got, want)
	}
	x := erofsExtract(t, parts[2].file)
	if m, _ := filepath.Glob(filepath.Join(x, "*-example-usr", "bin/hello")); len(m) != 1 {
		t.Errorf("store partition lacks <hash>-example-usr/bin/hello: %q", outputFiles(t, x))
	}
	// Linux reads it: the ESP mounted, the store through dm-verity.
	uki := sha256.Sum256([]byte("usrhash=" + roothash + "\n"))
	testutil.VMCheck(t, img, &vmcheck.Spec{PartitionCount: 3, Partitions: []*vmcheck.Partition{
		{PartNo: 1, FSType: "vfat", Files: map[string]string{"EFI/Linux/nixos.efi": hex.EncodeToString(uki[:])}},
		{PartNo: 2, FSType: "none"},
		{PartNo: 3, FSType: "erofs", Verity: &vmcheck.Verity{HashPartNo: 2, RootHash: roothash, UUIDFromRootHash: true}},
	}})
}
