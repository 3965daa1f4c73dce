package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDeferredSecondRun is nixpkgs' verity-store flow: the first run
// defers the ESP, the second (--empty=allow on the same image) fills it
// without touching the rest. The result must equal a one-run build.
func TestDeferredSecondRun(t *testing.T) {
	dir, defs, blob := verityFixture(t)
	files := map[string]string{
		"00-esp.conf":        "[Partition]\nType=esp\nFormat=vfat\nCopyFiles=/esp:/\nSizeMinBytes=100M\nSizeMaxBytes=100M\n",
		"10-usr.conf":        "[Partition]\nType=usr\nCopyBlocks=" + blob + "\nVerity=data\nVerityMatchKey=usr\n",
		"11-usr-verity.conf": "[Partition]\nType=usr-verity\nVerity=hash\nVerityMatchKey=usr\nMinimize=best\n",
		"20-var.conf":        "[Partition]\nType=var\nSizeMinBytes=16M\nSizeMaxBytes=16M\n",
	}
	for n, text := range files {
		os.WriteFile(filepath.Join(defs, n), []byte(text), 0o644)
	}
	env := func(k string) string {
		if k == "SOURCE_DATE_EPOCH" {
			return "1"
		}
		return ""
	}
	common := []string{"gorepart", "--dry-run=no", "--json=pretty", "--sector-size=512", "--seed=0867da16-f251-457d-a9e8-c31f9a3c220b",
		"--definitions=" + defs, "--copy-source=" + filepath.Join(dir, "src")}
	gorepart := func(extra ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		args := append(append([]string{}, common...), extra...)
		if rc := run(context.Background(), args, nil, &stdout, &stderr, env); rc != 0 {
			t.Fatalf("%v: exit %d\n%s", extra, rc, stderr.String())
		}
		return stdout.String()
	}
	one := filepath.Join(dir, "one.raw")
	gorepart("--empty=create", "--size=auto", one)

	two := filepath.Join(dir, "two.raw")
	first := gorepart("--empty=create", "--size=auto", "--defer-partitions=esp", two)
	if strings.Contains(first, `"type" : "esp"`) && !strings.Contains(first, `"roothash" : "`) {
		t.Errorf("first run report lacks the root hash:\n%s", first)
	}
	second := gorepart("--empty=allow", two)
	if !strings.Contains(second, `"activity" : "unchanged"`) || !strings.Contains(second, `"activity" : "create"`) {
		t.Errorf("second run report should show unchanged and created partitions:\n%s", second)
	}
	a, _ := os.ReadFile(one)
	b, _ := os.ReadFile(two)
	if sha256.Sum256(a) != sha256.Sum256(b) {
		t.Fatalf("two-run image differs from the one-run image (%d vs %d bytes)", len(a), len(b))
	}
}

// TestThenOneCommand: the whole verity + UKI flow in one invocation. The
// --then step writes the usr root hash into a file, --then-copy puts it
// into the deferred ESP; mtools reads it back from the image.
func TestThenOneCommand(t *testing.T) {
	dir, defs, blob := verityFixture(t)
	for n, text := range map[string]string{
		"00-esp.conf":        "[Partition]\nType=esp\nFormat=vfat\nCopyFiles=/esp:/\nSizeMinBytes=100M\nSizeMaxBytes=100M\n",
		"10-usr.conf":        "[Partition]\nType=usr\nCopyBlocks=" + blob + "\nVerity=data\nVerityMatchKey=usr\n",
		"11-usr-verity.conf": "[Partition]\nType=usr-verity\nVerity=hash\nVerityMatchKey=usr\nMinimize=best\n",
	} {
		os.WriteFile(filepath.Join(defs, n), []byte(text), 0o644)
	}
	t.Chdir(dir)
	image := filepath.Join(dir, "image.raw")
	args := []string{"gorepart", "--empty=create", "--size=auto", "--dry-run=no", "--json=pretty", "--sector-size=512",
		"--definitions=" + defs, "--copy-source=" + filepath.Join(dir, "src"), "--defer-partitions=esp",
		`--then=printf %s "$USRHASH" > usrhash.txt`, "--then-copy=usrhash.txt:/EFI/Linux/usrhash.txt", image}
	var stdout, stderr bytes.Buffer
	if rc := run(context.Background(), args, nil, &stdout, &stderr, func(string) string { return "" }); rc != 0 {
		t.Fatalf("exit %d\n%s", rc, stderr.String())
	}
	report := stdout.String()
	i := strings.Index(report, `"roothash" : "`)
	if i < 0 || !strings.Contains(report, `"type" : "esp"`) {
		t.Fatalf("report lacks the ESP or the root hash:\n%s", report)
	}
	roothash := report[i+len(`"roothash" : "`) : i+len(`"roothash" : "`)+64]
	out, err := exec.Command("mtype", "-i", image+"@@1M", "::EFI/Linux/usrhash.txt").CombinedOutput()
	if err != nil {
		t.Fatalf("mtype: %v\n%s", err, out)
	}
	if string(out) != roothash {
		t.Fatalf("ESP holds %q, want the usr root hash %s", out, roothash)
	}
}

// verityFixture makes an ESP source tree, a /usr block image and an empty
// definitions directory.
func verityFixture(t *testing.T) (dir, defs, blob string) {
	dir = t.TempDir()
	defs = filepath.Join(dir, "repart.d")
	os.MkdirAll(filepath.Join(dir, "src", "esp", "EFI"), 0o755)
	os.WriteFile(filepath.Join(dir, "src", "esp", "EFI", "hello.txt"), []byte("hello\n"), 0o644)
	blob = filepath.Join(dir, "usr.img")
	os.WriteFile(blob, bytes.Repeat([]byte("usr data block.."), 1<<17), 0o644)
	os.MkdirAll(defs, 0o755)
	return dir, defs, blob
}

// TestFixedSizeErofs: an erofs partition without Minimize= is written
// straight into its fixed-size partition (and verity covers all of it).
func TestFixedSizeErofs(t *testing.T) {
	dir, defs, _ := verityFixture(t)
	for n, text := range map[string]string{
		"10-usr.conf":        "[Partition]\nType=usr\nFormat=erofs\nCopyFiles=/esp:/\nSizeMinBytes=8M\nSizeMaxBytes=8M\nVerity=data\nVerityMatchKey=usr\n",
		"11-usr-verity.conf": "[Partition]\nType=usr-verity\nVerity=hash\nVerityMatchKey=usr\nSizeMinBytes=1M\nSizeMaxBytes=1M\n",
	} {
		os.WriteFile(filepath.Join(defs, n), []byte(text), 0o644)
	}
	image := filepath.Join(dir, "image.raw")
	var stdout, stderr bytes.Buffer
	args := []string{"gorepart", "--empty=create", "--size=auto", "--dry-run=no", "--json=pretty",
		"--definitions=" + defs, "--copy-source=" + filepath.Join(dir, "src"), image}
	if rc := run(context.Background(), args, nil, &stdout, &stderr, func(string) string { return "" }); rc != 0 {
		t.Fatalf("exit %d\n%s", rc, stderr.String())
	}
	checkVerity(t, stdout.Bytes(), image)
}
