package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/testutil"
	"github.com/gorepart/gorepart/internal/vmcheck"
)

// TestKernelCheckExample builds the example image (vfat ESP, lz4hc erofs
// /usr with dm-verity, an empty B slot, ext4 root, swap) and has Linux
// mount every partition in qemu and hash every file (internal/vmcheck);
// then one flipped byte in /usr's data must make the check fail.
func TestKernelCheckExample(t *testing.T) {
	examples := filepath.Join(repoDir(t), "testdata", "examples")
	image := filepath.Join(t.TempDir(), "example.raw")
	report := buildExample(t, examples, image)
	spec := exampleSpec(t, report, filepath.Join(examples, "tree"))
	testutil.VMCheck(t, image, spec)

	var rows []struct {
		Type     string `json:"type"`
		Offset   int64  `json:"offset"`
		Roothash string `json:"roothash"`
	}
	if err := json.Unmarshal(report, &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Type == "usr-x86-64" && r.Roothash != "" {
			// In the minimized erofs, which the hash tree covers.
			testutil.FlipByte(t, image, r.Offset+4096+17, 0x55)
		}
	}
	testutil.VMCheckFails(t, image, spec)
}

// buildExample runs gorepart on the example definitions, as
// scripts/example does, and returns its JSON report.
func buildExample(t *testing.T, examples, image string) []byte {
	t.Helper()
	args := []string{"gorepart", "--empty=create", "--size=auto", "--dry-run=no", "--json=pretty", "--sector-size=512",
		"--seed=0867da16-f251-457d-a9e8-c31f9a3c220b", "--owner=root", "--image-id=example", "--image-version=1",
		"--definitions=" + filepath.Join(examples, "repart.d"), "--copy-source=" + filepath.Join(examples, "tree"), image}
	var stdout, stderr bytes.Buffer
	env := func(k string) string {
		if k == "SOURCE_DATE_EPOCH" {
			return "1700000000"
		}
		return ""
	}
	if rc := run(context.Background(), args, nil, &stdout, &stderr, env); rc != 0 {
		t.Fatalf("exit %d\n%s", rc, stderr.String())
	}
	return stdout.Bytes()
}

// exampleSpec says what the example image holds, from gorepart's JSON
// report and the source tree.
func exampleSpec(t *testing.T, report []byte, tree string) *vmcheck.Spec {
	t.Helper()
	var rows []struct {
		Type     string `json:"type"`
		Label    string `json:"label"`
		UUID     string `json:"uuid"`
		PartNo   int    `json:"partno"`
		Roothash string `json:"roothash"`
	}
	if err := json.Unmarshal(report, &rows); err != nil {
		t.Fatal(err)
	}
	hashPart := map[string]int{}
	for _, r := range rows {
		if strings.HasSuffix(r.Type, "-verity") && r.Roothash != "" {
			hashPart[r.Roothash] = r.PartNo + 1
		}
	}
	spec := &vmcheck.Spec{PartitionCount: len(rows)}
	for _, r := range rows {
		p := &vmcheck.Partition{PartNo: r.PartNo + 1, UUID: strings.ToUpper(r.UUID), Name: r.Label, FSType: "none"}
		switch {
		case r.Type == "esp":
			p.FSType = "vfat"
			testutil.DirContents(t, p, filepath.Join(tree, "esp"))
			p.Symlinks, p.Modes, p.Dirs = nil, nil, nil // FAT keeps neither
		case r.Type == "usr-x86-64" && r.Roothash != "":
			p.FSType = "erofs"
			testutil.DirContents(t, p, filepath.Join(tree, "usr"))
			p.Verity = &vmcheck.Verity{HashPartNo: hashPart[r.Roothash], RootHash: r.Roothash, UUIDFromRootHash: true}
		case r.Type == "root-x86-64":
			p.FSType = "ext4"
			testutil.DirContents(t, p, filepath.Join(tree, "root"))
			p.Symlinks["bin"] = "usr/bin"
			p.Dirs = append(p.Dirs, "usr", "home", "srv", "var/tmp", "lost+found")
			p.Owners = map[string]string{"etc/shadow": "0:0"}
		}
		spec.Partitions = append(spec.Partitions, p)
	}
	return spec
}

func repoDir(t *testing.T) string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		dir = filepath.Dir(dir)
	}
}
