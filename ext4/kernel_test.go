//go:build ext4_kernel

// Run with: go test -tags ext4_kernel -run TestKernelCheck ./ext4/
// (KERNEL_CHECK=/path/to/kernel-check when it is not ../../shared/tools).

package ext4

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gorepart/gorepart/fstree"
)

// TestKernelCheck wraps a generated filesystem in a GPT image and runs
// ../shared/tools/kernel-check on it (Linux 6.1 in qemu mounts it, reads
// every file and fails on any EXT4-fs error). The repository's
// TestKernelCheckExample covers the ext4 root of the example image in CI;
// this generated tree (htree with non-ASCII names, 40-level paths, xattrs,
// devices) is an opt-in suite (build tag ext4_kernel), a minute of qemu.
func TestKernelCheck(t *testing.T) {
	kc := os.Getenv("KERNEL_CHECK")
	if kc == "" {
		kc = "../../shared/tools/kernel-check"
	}
	if _, err := os.Stat(kc); err != nil {
		t.Fatalf("kernel-check: %v (set KERNEL_CHECK to its path)", err)
	}
	tree := genTree(3)
	deepChain(tree.Root, 40)
	for _, i := range []int{7, 13, 27} {
		d := genTree(i).Root
		d.Mode = 0755
		tree.Root.Entries = append(tree.Root.Entries, &fstree.Entry{Name: fmt.Sprintf("tree%d", i), Inode: d})
	}
	sortEntries(tree.Root)
	p := testParams()
	fsSize, err := MinSize(tree, p)
	if err != nil {
		t.Fatal(err)
	}
	fsSize = (fsSize*3/2 + 1<<20 - 1) &^ (1<<20 - 1)
	dir := t.TempDir()
	img := filepath.Join(dir, "disk.raw")
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(fsSize + 2<<20); err != nil {
		t.Fatal(err)
	}
	if err := Write(io.NewOffsetWriter(f, 1<<20), fsSize, tree, p); err != nil {
		t.Fatal(err)
	}
	f.Close()
	sfdisk := needTool(t, "sfdisk", "fdisk")
	cmd := exec.Command(sfdisk, "--no-reread", "--no-tell-kernel", img)
	cmd.Stdin = strings.NewReader(fmt.Sprintf("label: gpt\nstart=2048, size=%d, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=root\n", fsSize/512))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sfdisk: %v\n%s", err, out)
	}

	part := map[string]any{"partno": 1, "fstype": "ext4", "name": "root"}
	files, symlinks, modes, owners := map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}
	var dirs []string
	fstree.Walk(tree.Root, func(path string, e *fstree.Entry) error {
		in := e.Inode
		if !utf8.ValidString(path) {
			return nil // JSON cannot name it; kernel-check still reads it
		}
		switch in.Kind {
		case fstree.File:
			sum := sha256.Sum256(in.Data())
			files[path] = hex.EncodeToString(sum[:])
		case fstree.Symlink:
			symlinks[path] = in.Target
			return nil
		case fstree.Dir:
			dirs = append(dirs, path)
		}
		modes[path] = fmt.Sprintf("%04o", in.Mode)
		owners[path] = fmt.Sprintf("%d:%d", in.UID, in.GID)
		return nil
	})
	part["files"], part["symlinks"], part["modes"], part["owners"], part["dirs"] = files, symlinks, modes, owners, dirs
	spec, _ := json.Marshal(map[string]any{"partition_count": 1, "partitions": []any{part}})
	specFile := filepath.Join(dir, "spec.json")
	if err := os.WriteFile(specFile, spec, 0644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(kc, img, specFile).CombinedOutput()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if err != nil || !strings.HasSuffix(lines[len(lines)-1], "kernel-check: PASS") {
		t.Fatalf("kernel-check: %v\n%s", err, out)
	}
	t.Logf("%s", lines[len(lines)-1])
}
