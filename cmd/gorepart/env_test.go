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

// TestMkfsOptions: SYSTEMD_REPART_MKFS_OPTIONS_<FS> options that map onto
// a native writer are applied (here ext4's -L and vfat's -n), the others
// named in one warning each; a malformed value is refused.
func TestMkfsOptions(t *testing.T) {
	blkid, err := exec.LookPath("blkid")
	if err != nil {
		t.Fatal("blkid not found: apt-get install -y util-linux")
	}
	dir := t.TempDir()
	defs := filepath.Join(dir, "repart.d")
	os.Mkdir(defs, 0o755)
	os.WriteFile(filepath.Join(defs, "00-esp.conf"), []byte("[Partition]\nType=esp\nFormat=vfat\nMakeDirectories=/EFI\n"), 0o644)
	os.WriteFile(filepath.Join(defs, "10-root.conf"), []byte("[Partition]\nType=root\nFormat=ext4\nMakeDirectories=/etc\n"), 0o644)
	image := filepath.Join(dir, "image.raw")
	env := map[string]string{
		"SYSTEMD_REPART_MKFS_OPTIONS_EXT4": "-L custom-root -O ^has_journal",
		"SYSTEMD_REPART_MKFS_OPTIONS_VFAT": "-n MYESP",
	}
	var stdout, stderr bytes.Buffer
	args := []string{"gorepart", "--empty=create", "--size=auto", "--definitions=" + defs, image}
	if rc := run(context.Background(), args, nil, &stdout, &stderr, func(k string) string { return env[k] }); rc != 0 {
		t.Fatalf("exit %d\n%s", rc, stderr.String())
	}
	if !strings.Contains(stderr.String(), "SYSTEMD_REPART_MKFS_OPTIONS_EXT4: -O ^has_journal is not applied") {
		t.Errorf("no warning about the option not applied:\n%s", stderr.String())
	}
	f, table := openImage(t, image)
	defer f.Close()
	for i, want := range []string{"MYESP", "custom-root"} {
		e := table.Entries[i]
		ss := int64(table.SectorSize)
		part := filepath.Join(dir, "part")
		buf := make([]byte, (int64(e.LastLBA)-int64(e.FirstLBA)+1)*ss)
		f.ReadAt(buf, int64(e.FirstLBA)*ss)
		os.WriteFile(part, buf, 0o644)
		out, err := exec.Command(blkid, "-p", "-o", "value", "-s", "LABEL", part).Output()
		if got := strings.TrimSpace(string(out)); err != nil || got != want {
			t.Errorf("partition %d: label %q (%v), want %q", i+1, got, err, want)
		}
	}

	env["SYSTEMD_REPART_MKFS_OPTIONS_EXT4"] = "-b 1024"
	stderr.Reset()
	args[len(args)-1] = filepath.Join(dir, "image2.raw")
	if rc := run(context.Background(), args, nil, &stdout, &stderr, func(k string) string { return env[k] }); rc == 0 ||
		!strings.Contains(stderr.String(), "-b 1024") {
		t.Errorf("-b 1024 not refused: exit %d\n%s", rc, stderr.String())
	}
}
