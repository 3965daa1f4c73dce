package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/testutil"
	"github.com/gorepart/gorepart/iso9660"
)

// TestElTorito: --el-torito=yes writes the header repart 262 writes (the
// same bytes 32768-43007 as the reference binary when
// GOREPART_REFERENCE_REPART names it), pointing at the ESP, which
// xorriso reports as the EFI boot image; the GPT is the same as without
// the flag; identifiers repart refuses are refused. With the reference,
// the whole first MiB (MBR, GPT, ISO 9660 blocks) is compared.
func TestElTorito(t *testing.T) {
	dir := t.TempDir()
	defs := filepath.Join(dir, "repart.d")
	os.Mkdir(defs, 0o755)
	os.WriteFile(filepath.Join(defs, "00-esp.conf"), []byte("[Partition]\nType=esp\nFormat=vfat\nMakeDirectories=/EFI/BOOT\n"), 0o644)
	os.WriteFile(filepath.Join(defs, "10-root.conf"), []byte("[Partition]\nType=root\nFormat=ext4\nMakeDirectories=/etc\n"), 0o644)
	common := []string{"--empty=create", "--size=auto", "--dry-run=no", "--offline=yes", "--seed=0fa0a0a0-1234-4321-8888-123456789abc",
		"--definitions=" + defs}
	env := map[string]string{"SOURCE_DATE_EPOCH": "1700000000"}
	build := func(name string, extra ...string) string {
		t.Helper()
		image := filepath.Join(dir, name)
		var stdout, stderr bytes.Buffer
		args := append(append(append([]string{"gorepart"}, common...), extra...), image)
		if rc := run(context.Background(), args, nil, &stdout, &stderr, func(k string) string { return env[k] }); rc != 0 {
			t.Fatalf("%s: exit %d\n%s", name, rc, stderr.String())
		}
		return image
	}
	plain := build("plain.raw")
	image := build("cd.raw", "--el-torito=yes", "--el-torito-system=GOREPART", "--el-torito-volume=APPLIANCE_1")
	a, _ := os.ReadFile(plain)
	b, _ := os.ReadFile(image)
	if len(a) != len(b) {
		t.Fatalf("sizes differ: %d, %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] && (i < iso9660.Offset || i >= iso9660.Offset+iso9660.Size) {
			t.Fatalf("byte %d differs outside the El Torito header", i)
		}
	}
	f, _ := os.Open(image)
	defer f.Close()
	h, err := iso9660.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	if h.System != "GOREPART" || h.Volume != "APPLIANCE_1" || h.Platform != 0xEF || h.Default.LoadRBA != 1<<20/2048 {
		t.Errorf("header %+v", h)
	}
	if xorriso, err := exec.LookPath("xorriso"); err == nil {
		out, err := exec.Command(xorriso, "-indev", image, "-report_el_torito", "plain").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "UEFI") {
			t.Errorf("xorriso -report_el_torito: %v\n%s", err, out)
		}
	} else if testutil.InCI() {
		t.Error("xorriso not found: apt-get install -y xorriso")
	}
	var stdout, stderr bytes.Buffer
	args := append(append([]string{"gorepart"}, common...), "--el-torito-publisher=bad\x01", filepath.Join(dir, "x.raw"))
	if rc := run(context.Background(), args, nil, &stdout, &stderr, func(k string) string { return env[k] }); rc == 0 ||
		!strings.Contains(stderr.String(), "Invalid value") {
		t.Errorf("bad publisher accepted: %d %s", rc, stderr.String())
	}

	ref := os.Getenv("GOREPART_REFERENCE_REPART")
	if ref == "" {
		return
	}
	refImage := filepath.Join(dir, "ref.raw")
	cmd := exec.Command(ref, append(append(common, "--el-torito=yes", "--el-torito-system=GOREPART", "--el-torito-volume=APPLIANCE_1"), refImage)...)
	cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=1700000000", "TZ=UTC")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("reference: %v\n%s", err, out)
	}
	r, _ := os.ReadFile(refImage)
	if !bytes.Equal(r[iso9660.Offset:iso9660.Offset+iso9660.Size], b[iso9660.Offset:iso9660.Offset+iso9660.Size]) {
		t.Error("El Torito header differs from systemd-repart 262's")
	}
	if !bytes.Equal(r[:iso9660.Offset], b[:iso9660.Offset]) {
		t.Error("protective MBR or GPT differs from systemd-repart 262's")
	}
	if !bytes.Equal(r[:1<<20], b[:1<<20]) {
		t.Error("the first MiB differs from systemd-repart 262's")
	}
}
