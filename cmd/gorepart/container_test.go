package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/testutil"
)

// TestImageFormat: --image-format= writes the image as a VM disk that
// qemu-img finds clean and identical to the raw image of the same build;
// split files stay raw; compression of a container and containers over
// an existing image are refused.
func TestImageFormat(t *testing.T) {
	qemuImg := testutil.Tool(t, "qemu-img", "qemu-utils")
	examples := filepath.Join(repoDir(t), "testdata", "examples")
	common := []string{"--empty=create", "--size=auto", "--dry-run=no", "--image-id=example", "--image-version=1",
		"--definitions=" + filepath.Join(examples, "repart.d"), "--copy-source=" + filepath.Join(examples, "tree")}
	env := func(k string) string { return map[string]string{"SOURCE_DATE_EPOCH": "1700000000"}[k] }
	dir := t.TempDir()
	build := func(name string, extra ...string) (string, int, string) {
		image := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(image), 0o755)
		var stdout, stderr bytes.Buffer
		rc := run(context.Background(), append(append(append([]string{"gorepart"}, common...), extra...), image), nil, &stdout, &stderr, env)
		return image, rc, stderr.String()
	}
	raw, rc, log := build("disk.raw")

	if rc != 0 {
		t.Fatalf("raw: %s", log)
	}
	for _, tc := range []struct{ format, sub, name string }{
		{"qcow2", "", "q/disk.qcow2"}, {"vmdk", "", "k/disk.vmdk"}, {"vhdx", "", "x/disk.vhdx"},
		{"vpc", "", "v/disk.vhd"}, {"vpc", "fixed", "f/disk.vhd"}, {"vdi", "", "i/disk.vdi"},
	} {
		image, rc, log := build(tc.name, "--image-format="+tc.format, "--image-subformat="+tc.sub, "--split=yes")
		if rc != 0 {
			t.Errorf("%s: exit %d\n%s", tc.name, rc, log)
			continue
		}
		if tc.format != "vpc" {
			if out, err := exec.Command(qemuImg, "check", "-f", tc.format, image).CombinedOutput(); err != nil {
				t.Errorf("qemu-img check %s: %v\n%s", tc.name, err, out)
			}
		}
		want := raw
		if tc.sub == "fixed" {
			// --size=auto rounds a fixed VHD up to a whole MiB: compare
			// with a raw image of that size.
			st, _ := os.Stat(image)
			if st.Size()%(1<<20) != 512 {
				t.Errorf("fixed VHD of %d bytes: not a whole MiB and a footer", st.Size())
			}
			var rc int
			if want, rc, log = build("fixed/disk.raw", fmt.Sprintf("--size=%d", st.Size()-512)); rc != 0 {
				t.Fatalf("raw: %s", log)
			}
		}
		if out, err := exec.Command(qemuImg, "compare", "-f", "raw", "-F", tc.format, want, image).CombinedOutput(); err != nil {
			t.Errorf("qemu-img compare %s: %v\n%s", tc.name, err, out)
		}
		split := strings.TrimSuffix(image, filepath.Ext(image)) + ".esp.raw"
		if _, err := os.Stat(split); err != nil {
			t.Errorf("%s: no split file %s: %v", tc.name, filepath.Base(split), err)
		}
	}
	if _, rc, log := build("c.qcow2", "--image-format=qcow2", "--compress=zstd"); rc == 0 || !strings.Contains(log, "--compress=zstd with --image-format=qcow2") {
		t.Errorf("a compressed qcow2 was not refused: %d %s", rc, log)
	}
	var stdout, stderr bytes.Buffer
	args := []string{"gorepart", "--empty=force", "--size=auto", "--dry-run=no", "--image-format=qcow2",
		"--definitions=" + filepath.Join(examples, "repart.d"), "--copy-source=" + filepath.Join(examples, "tree"), raw}
	if rc := run(context.Background(), args, nil, &stdout, &stderr, env); rc == 0 || !strings.Contains(stderr.String(), "--empty=create") {
		t.Errorf("a container over an existing image was not refused: %d %s", rc, stderr.String())
	}
}
