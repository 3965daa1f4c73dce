package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSupplementMerged: a SupplementFor= partition that fits merged into
// its target is no partition of its own: the target takes the larger
// minimum and the supplement's files (spec §3.6).
func TestSupplementMerged(t *testing.T) {
	dir := t.TempDir()
	defs := filepath.Join(dir, "repart.d")
	src := filepath.Join(dir, "src")
	os.MkdirAll(defs, 0o755)
	os.MkdirAll(src, 0o755)
	os.WriteFile(filepath.Join(src, "from-target"), []byte("target\n"), 0o644)
	os.WriteFile(filepath.Join(src, "from-supplement"), []byte("supplement\n"), 0o644)
	os.WriteFile(filepath.Join(defs, "10-root.conf"), []byte("[Partition]\nType=root\nFormat=ext4\nSizeMinBytes=64M\nCopyFiles=/from-target:/a\n"), 0o644)
	os.WriteFile(filepath.Join(defs, "20-extra.conf"), []byte("[Partition]\nType=root\nFormat=ext4\nSupplementFor=10-root\nSizeMinBytes=96M\nCopyFiles=/from-supplement:/b\n"), 0o644)
	image := filepath.Join(dir, "image.raw")
	var stdout, stderr bytes.Buffer
	args := []string{"gorepart", "--empty=create", "--size=auto", "--dry-run=no", "--json=pretty",
		"--definitions=" + defs, "--copy-source=" + src, image}
	if rc := run(context.Background(), args, nil, &stdout, &stderr, func(string) string { return "" }); rc != 0 {
		t.Fatalf("exit %d\n%s", rc, stderr.String())
	}
	var rows []struct {
		File    string `json:"file"`
		Offset  int64  `json:"offset"`
		RawSize int64  `json:"raw_size"`
	}
	json.Unmarshal(stdout.Bytes(), &rows)
	if len(rows) != 1 || !strings.HasSuffix(rows[0].File, "10-root.conf") || rows[0].RawSize != 96<<20 {
		t.Fatalf("want one 96M partition from 10-root.conf, got %+v", rows)
	}
	img, _ := os.Open(image)
	defer img.Close()
	part := filepath.Join(dir, "part")
	data := make([]byte, rows[0].RawSize)
	img.ReadAt(data, rows[0].Offset)
	os.WriteFile(part, data, 0o644)
	for name, want := range map[string]string{"/a": "target\n", "/b": "supplement\n"} {
		out, err := exec.Command("debugfs", "-R", "cat "+name, part).Output()
		if err != nil || string(out) != want {
			t.Errorf("%s in the merged filesystem: %q (%v), want %q", name, out, err, want)
		}
	}
}
