package erofs

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

	"github.com/gorepart/gorepart/fstree"
)

// TestKernelCheck puts an uncompressed, an lz4 and an lz4hc image of
// generated trees into a GPT disk and has kernel-check mount them in Linux
// 6.1 and compare every file's sha256, symlinks, modes and owners, with no
// erofs errors in dmesg. Run with -erofs.kernel.
func TestKernelCheck(t *testing.T) {
	kc, err := filepath.Abs("../../shared/tools/kernel-check")
	if err != nil {
		t.Fatal(err)
	}
	sfdisk := needTool(t, "sfdisk", "fdisk")
	dir := t.TempDir()
	var images [][]byte
	var specs []map[string]any
	trees := []*fstree.Tree{genTree(100), genTree(101), genTree(102)}
	comps := []string{"", "lz4", "lz4hc"}
	// With $EROFS_BENCH_SRC, also that tree (a synthetic Nix store) with lz4hc.
	if src := os.Getenv("EROFS_BENCH_SRC"); src != "" {
		trees = append(trees, buildTree(t, src))
		comps = append(comps, "lz4hc")
	}
	for i, tr := range trees {
		var buf memWriterAt
		if _, err := Write(&buf, tr, Params{BuildTime: testBuildTime, Compression: comps[i], CompressionLevel: -1}); err != nil {
			t.Fatal(err)
		}
		images = append(images, buf.b)
		// The guest's shell cannot take a spec of 20k paths: for the big
		// tree list every 25th (the guest still reads every file).
		every := 1
		if i >= 3 {
			every = 25
		}
		spec, err := kernelSpec(i+1, tr, every)
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, spec)
	}
	// GPT: 1 MiB alignment, partitions back to back.
	disk := filepath.Join(dir, "disk.raw")
	var script strings.Builder
	script.WriteString("label: gpt\n")
	off := int64(1 << 20)
	var offs []int64
	for _, img := range images {
		size := (int64(len(img)) + 1<<20 - 1) &^ (1<<20 - 1)
		fmt.Fprintf(&script, "start=%d, size=%d, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n", off/512, size/512)
		offs = append(offs, off)
		off += size
	}
	f, err := os.Create(disk)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(off + 1<<20); err != nil {
		t.Fatal(err)
	}
	for i, img := range images {
		if _, err := f.WriteAt(img, offs[i]); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	cmd := exec.Command(sfdisk, "--quiet", disk)
	cmd.Stdin = strings.NewReader(script.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sfdisk: %v\n%s", err, out)
	}
	js, _ := json.MarshalIndent(map[string]any{"partition_count": len(images), "partitions": specs}, "", " ")
	spec := filepath.Join(dir, "spec.json")
	if err := os.WriteFile(spec, js, 0644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(kc, disk, spec).CombinedOutput()
	t.Logf("%s", out)
	if err != nil || !strings.Contains(string(out), "kernel-check: PASS") {
		t.Fatalf("kernel-check failed: %v", err)
	}
}

// kernelSpec lists every every-th entry of tr for kernel-check.
func kernelSpec(partno int, tr *fstree.Tree, every int) (map[string]any, error) {
	files, links, modes, owners := map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}
	var dirs []string
	count := 0
	err := fstree.Walk(tr.Root, func(p string, e *fstree.Entry) error {
		if count++; count%every != 0 {
			return nil
		}
		in := e.Inode
		if in.Kind != fstree.Symlink {
			modes[p] = fmt.Sprintf("%04o", in.Mode)
		}
		owners[p] = fmt.Sprintf("%d:%d", in.UID, in.GID)
		switch in.Kind {
		case fstree.File:
			f, err := in.Open()
			if err != nil {
				return err
			}
			h := sha256.New()
			_, err = io.Copy(h, io.LimitReader(f, in.Size))
			f.Close()
			if err != nil {
				return err
			}
			files[p] = hex.EncodeToString(h.Sum(nil))
		case fstree.Symlink:
			links[p] = in.Target
		case fstree.Dir:
			dirs = append(dirs, p)
		}
		return nil
	})
	return map[string]any{"partno": partno, "fstype": "erofs", "files": files, "symlinks": links,
		"modes": modes, "owners": owners, "dirs": dirs}, err
}
