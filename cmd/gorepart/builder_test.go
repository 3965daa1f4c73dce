package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuilderMode: "gorepart build" produces what nixpkgs' builder does —
// a compressed image and split files with nixpkgs' names,
// repart-output.json — plus SHA256SUMS that sha256sum -c accepts, and the
// compressed image decompresses to the raw image of a plain build.
func TestBuilderMode(t *testing.T) {
	examples := filepath.Join(repoDir(t), "testdata", "examples")
	common := []string{"--seed=0867da16-f251-457d-a9e8-c31f9a3c220b", "--sector-size=512", "--owner=root",
		"--image-id=example", "--image-version=1", "--definitions=" + filepath.Join(examples, "repart.d"),
		"--copy-source=" + filepath.Join(examples, "tree")}
	env := func(k string) string {
		return map[string]string{"SOURCE_DATE_EPOCH": "1700000000", "NIX_BUILD_CORES": "2"}[k]
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := append([]string{"gorepart", "build", "--out=" + out, "--name=appliance", "--split=yes", "--compress=zstd", "--sha256sums"}, common...)
	if rc := run(context.Background(), args, nil, &stdout, &stderr, env); rc != 0 {
		t.Fatalf("exit %d\n%s", rc, stderr.String())
	}
	for _, f := range []string{"appliance.raw.zst", "appliance.esp.raw.zst", "appliance.usr-x86-64.1.raw.zst", "repart-output.json", "SHA256SUMS"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "appliance.raw")); err == nil {
		t.Error("the raw image is left next to the compressed one")
	}
	if strings.Contains(stderr.String(), "error") {
		t.Errorf("a successful build logs an error:\n%s", stderr.String())
	}
	cmd := exec.Command("sha256sum", "-c", "SHA256SUMS")
	cmd.Dir = out
	if res, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, res)
	}

	plain := filepath.Join(t.TempDir(), "appliance.raw")
	stdout.Reset()
	args = append([]string{"gorepart", "--empty=create", "--size=auto", "--dry-run=no"}, common...)
	if rc := run(context.Background(), append(args, plain), nil, &stdout, &stderr, env); rc != 0 {
		t.Fatalf("plain build: exit %d\n%s", rc, stderr.String())
	}
	zstd, err := exec.LookPath("zstd")
	if err != nil {
		t.Fatalf("zstd not found: apt-get install zstd")
	}
	raw, err := exec.Command(zstd, "-dc", filepath.Join(out, "appliance.raw.zst")).Output()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(plain)
	if !bytes.Equal(raw, want) {
		t.Fatalf("decompressed image (%d bytes) differs from a plain build (%d bytes)", len(raw), len(want))
	}
	report, _ := os.ReadFile(filepath.Join(out, "repart-output.json"))
	if !strings.Contains(string(report), `"roothash" : "`) {
		t.Errorf("repart-output.json lacks the root hash:\n%s", report)
	}
}

// TestCompressNextToImage: the nixpkgs builder calls the plain command
// with --compress=; the compressed artifacts replace the raw ones next to
// the image and the seekable file has a seek table.
func TestCompressNextToImage(t *testing.T) {
	examples := filepath.Join(repoDir(t), "testdata", "examples")
	dir := t.TempDir()
	image := filepath.Join(dir, "appliance.raw")
	var stdout, stderr bytes.Buffer
	args := []string{"gorepart", "--empty=create", "--size=auto", "--dry-run=no", "--split=yes", "--json=pretty",
		"--compress=zstd-seekable", "--image-id=example", "--image-version=1",
		"--definitions=" + filepath.Join(examples, "repart.d"), "--copy-source=" + filepath.Join(examples, "tree"), image}
	if rc := run(context.Background(), args, nil, &stdout, &stderr, func(string) string { return "" }); rc != 0 {
		t.Fatalf("exit %d\n%s", rc, stderr.String())
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	got := strings.Join(names, " ")
	if got != "appliance.esp.raw.zst appliance.raw.zst appliance.usr-x86-64-verity.1.raw.zst appliance.usr-x86-64.1.raw.zst" {
		t.Fatalf("artifacts: %s", got)
	}
	out, err := exec.Command("zstd", "-t", filepath.Join(dir, "appliance.raw.zst")).CombinedOutput()
	if err != nil {
		t.Fatalf("zstd -t: %v\n%s", err, out)
	}
}

// TestLintExample: the README's example is a correct A/B layout, and a
// lint finding is printed as a warning by a build that succeeds.
func TestLintExample(t *testing.T) {
	examples := filepath.Join(repoDir(t), "testdata", "examples")
	var stdout, stderr bytes.Buffer
	rc := run(context.Background(), []string{"gorepart", "lint", "--definitions=" + filepath.Join(examples, "repart.d")},
		nil, &stdout, &stderr, func(string) string { return "" })
	if rc != 0 || stdout.Len() != 0 {
		t.Errorf("lint of the example: exit %d\n%s%s", rc, stdout.String(), stderr.String())
	}

	defs := t.TempDir()
	os.WriteFile(filepath.Join(defs, "10-usr.conf"), []byte("[Partition]\nType=usr\nFormat=ext4\nMakeDirectories=/bin\n"), 0o644)
	os.WriteFile(filepath.Join(defs, "20-usr-b.conf"), []byte("[Partition]\nType=usr\nLabel=_empty\nSizeMinBytes=64M\nSizeMaxBytes=64M\n"), 0o644)
	stdout.Reset()
	stderr.Reset()
	rc = run(context.Background(), []string{"gorepart", "build", "--out=" + t.TempDir(), "--name=ab", "--definitions=" + defs},
		nil, &stdout, &stderr, func(k string) string { return map[string]string{"SOURCE_DATE_EPOCH": "1"}[k] })
	if rc != 0 {
		t.Fatalf("build: exit %d\n%s", rc, stderr.String())
	}
	if !strings.Contains(stderr.String(), "warning: A slot has a free sibling but no fixed size") || strings.Contains(stderr.String(), "error") {
		t.Errorf("lint findings of a successful build are not warnings:\n%s", stderr.String())
	}
}
