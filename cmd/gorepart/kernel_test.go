package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestKernelCheckExample builds the example image (vfat ESP, lz4hc erofs
// /usr with dm-verity, an empty B slot, ext4 root, swap) and has Linux
// mount every partition in qemu and hash every file
// (../shared/tools/kernel-check).
func TestKernelCheckExample(t *testing.T) {
	check := filepath.Join(sharedDir(t), "tools", "kernel-check")
	examples := filepath.Join(repoDir(t), "testdata", "examples")
	tree := filepath.Join(examples, "tree")
	out := t.TempDir()
	image := filepath.Join(out, "example.raw")
	args := []string{"gorepart", "--empty=create", "--size=auto", "--dry-run=no", "--json=pretty", "--sector-size=512",
		"--seed=0867da16-f251-457d-a9e8-c31f9a3c220b", "--owner=root", "--image-id=example", "--image-version=1",
		"--definitions=" + filepath.Join(examples, "repart.d"), "--copy-source=" + tree, image}
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
	var rows []struct {
		Type     string `json:"type"`
		Label    string `json:"label"`
		UUID     string `json:"uuid"`
		PartNo   int    `json:"partno"`
		Roothash string `json:"roothash"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	var parts []map[string]any
	hashPart := map[string]int{}
	for _, r := range rows {
		if strings.HasSuffix(r.Type, "-verity") && r.Roothash != "" {
			hashPart[r.Roothash] = r.PartNo + 1
		}
	}
	for _, r := range rows {
		p := map[string]any{"partno": r.PartNo + 1, "uuid": strings.ToUpper(r.UUID), "name": r.Label}
		switch {
		case r.Type == "esp":
			p["fstype"] = "vfat"
			p["files"], _, _, _ = treeSpec(t, filepath.Join(tree, "esp"))
		case r.Type == "usr-x86-64" && r.Roothash != "":
			p["fstype"] = "erofs"
			p["files"], p["symlinks"], p["modes"], p["dirs"] = treeSpec(t, filepath.Join(tree, "usr"))
			p["verity"] = map[string]any{"hash_partno": hashPart[r.Roothash], "roothash": r.Roothash, "uuid_from_roothash": true}
		case r.Type == "root-x86-64":
			p["fstype"] = "ext4"
			files, links, modes, dirs := treeSpec(t, filepath.Join(tree, "root"))
			links["bin"] = "usr/bin"
			dirs = append(dirs, "usr", "home", "srv", "var/tmp", "lost+found")
			p["files"], p["symlinks"], p["modes"], p["dirs"] = files, links, modes, dirs
			p["owners"] = map[string]string{"etc/shadow": "0:0"}
		default:
			p["fstype"] = "none"
		}
		parts = append(parts, p)
	}
	spec, _ := json.MarshalIndent(map[string]any{"partition_count": len(rows), "partitions": parts}, "", " ")
	specPath := filepath.Join(out, "spec.json")
	os.WriteFile(specPath, spec, 0o644)
	cmd := exec.Command(check, image, specPath)
	cmd.Env = append(os.Environ(), "KC_TIMEOUT=300")
	res, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(res, []byte("kernel-check: PASS")) {
		t.Fatalf("kernel-check: %v\n%s\nspec:\n%s", err, res, spec)
	}
	t.Logf("%s", lastLine(res))

	// One flipped byte in /usr's data must be caught by dm-verity.
	var offsets []struct {
		Type     string `json:"type"`
		Offset   int64  `json:"offset"`
		Roothash string `json:"roothash"`
	}
	json.Unmarshal(stdout.Bytes(), &offsets)
	for _, r := range offsets {
		if r.Type != "usr-x86-64" || r.Roothash == "" {
			continue
		}
		f, err := os.OpenFile(image, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 1)
		at := r.Offset + 4096 + 17 // in the minimized erofs the hash tree covers
		f.ReadAt(b, at)
		b[0] ^= 0x55
		f.WriteAt(b, at)
		f.Close()
	}
	cmd = exec.Command(check, image, specPath)
	cmd.Env = append(os.Environ(), "KC_TIMEOUT=300", "KC_KEEP=0")
	res, err = cmd.CombinedOutput()
	if err == nil || !bytes.Contains(res, []byte("kernel-check: FAIL")) {
		t.Fatalf("kernel-check passed an image with a corrupted verity-protected partition:\n%s", res)
	}
	t.Logf("after corruption: %s", lastLine(res))
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
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

// treeSpec describes a source tree for kernel-check: file hashes, symlink
// targets, permission bits and directories.
func treeSpec(t *testing.T, dir string) (files, links, modes map[string]string, dirs []string) {
	files, links, modes = map[string]string{}, map[string]string{}, map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		info, err := os.Lstat(path)
		if err != nil {
			return err
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			links[rel], _ = os.Readlink(path)
		case info.IsDir():
			dirs = append(dirs, rel)
			modes[rel] = fmt.Sprintf("%04o", info.Mode().Perm())
		default:
			data, _ := os.ReadFile(path)
			sum := sha256.Sum256(data)
			files[rel] = hex.EncodeToString(sum[:])
			modes[rel] = fmt.Sprintf("%04o", info.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files, links, modes, dirs
}
