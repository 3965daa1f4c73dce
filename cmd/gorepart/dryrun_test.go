package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDryRunAndArgv0: without --dry-run=no nothing is written (repart's
// default unless --empty=create), the report still comes out, and the
// binary names itself after argv[0] (systemd-repart when linked so).
func TestDryRunAndArgv0(t *testing.T) {
	dir := t.TempDir()
	defs := filepath.Join(dir, "repart.d")
	os.MkdirAll(defs, 0o755)
	os.WriteFile(filepath.Join(defs, "10-root.conf"), []byte("[Partition]\nType=root\nSizeMinBytes=16M\n"), 0o644)
	image := filepath.Join(dir, "disk.raw")
	os.WriteFile(image, nil, 0o644)
	os.Truncate(image, 64<<20)
	var stdout, stderr bytes.Buffer
	args := []string{"/usr/bin/systemd-repart", "--empty=force", "--json=short", "--definitions=" + defs, image}
	if rc := run(context.Background(), args, nil, &stdout, &stderr, func(string) string { return "" }); rc != 0 {
		t.Fatalf("exit %d\n%s", rc, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), `[{"type":"root-x86-64"`) {
		t.Errorf("short JSON report: %s", stdout.String())
	}
	if data, _ := os.ReadFile(image); !bytes.Equal(data, make([]byte, 64<<20)) {
		t.Error("a dry run wrote to the image")
	}
	stderr.Reset()
	args = []string{"/usr/bin/systemd-repart", "--empty=bogus", "--definitions=" + defs, image}
	if rc := run(context.Background(), args, nil, &stdout, &stderr, func(string) string { return "" }); rc == 0 ||
		!strings.HasPrefix(stderr.String(), "systemd-repart: ") {
		t.Errorf("exit %d, stderr %q: want a failure named after argv[0]", rc, stderr.String())
	}
}
