package vfat

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
	"time"

	"github.com/gorepart/gorepart/fstree"
)

// kernelCheck finds the shared kernel-check harness (PATH, then the
// project's shared tools directory).
func kernelCheck(t *testing.T) string {
	if p, err := exec.LookPath("kernel-check"); err == nil {
		return p
	}
	const p = "../../shared/tools/kernel-check"
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("kernel-check not found in PATH or at %s (needs qemu-system-x86, linux-image-amd64, busybox-static, cpio, jq, fdisk, dosfstools)", p)
	}
	return p
}

// TestKernelMount puts two FAT32 file systems (512- and 4096-byte sectors)
// into a GPT image and has Linux mount them in qemu: every file's sha256
// must match, names must appear with exact case, Unicode names (one outside
// the BMP) must come back, and dmesg must show no FAT errors. A 300-entry
// directory stands in for the 1100-entry ones of TestRoundTrip: under TCG
// every file costs the guest time.
func TestKernelMount(t *testing.T) {
	if testing.Short() {
		t.Log("booting a kernel takes ~30 s; run without -short")
		return
	}
	t.Parallel() // qemu runs on one core while TestRoundTrip uses the other
	kc := kernelCheck(t)
	sfdisk := tool(t, "sfdisk", "fdisk")
	mt := time.Date(2024, 1, 2, 3, 4, 6, 0, time.UTC)
	wide := dir(mt)
	for i := 0; i < 300; i++ {
		wide.Entries = append(wide.Entries, ent(fmt.Sprintf("entry-%04d.conf", i), file(fmt.Sprintf("entry %d\n", i), mt)))
	}
	big := strings.Repeat("0123456789abcdef", 70000) // crosses many clusters
	tr := &fstree.Tree{Root: dir(mt,
		ent("EFI", dir(mt,
			ent("BOOT", dir(mt, ent("BOOTX64.EFI", file(big, mt)))),
			ent("Linux", dir(mt, ent("appliance_1.efi", file(big[:123457], mt)))))),
		ent("loader", dir(mt,
			ent("entries", wide),
			ent("Long File Name Entry.conf", file("title x\n", mt)),
			ent(" leading space", file("1", mt)),
			ent(".hidden", file("2", mt)),
			ent("MiXeD.CaSe", file("", mt)),
			ent("a+b,c;d=e[f]g.txt", file("3", mt)),
			ent("archive.tar.gz", file("4", mt)),
			ent(strings.Repeat("long-name-", 25)+"12345", file("255 units", mt)),
			ent("trailing space ", file("5", mt)),
			ent("x", file("6", mt)),
			ent("README~1.TXT", file("literal alias\n", mt)),
			ent("readme.txt", file("lower\n", mt)),
			ent("smiley 😀 ünï.conf", file("unicode\n", mt)),
			ent("日本語", file("nihongo\n", mt)))),
	)}
	dirTmp := t.TempDir()
	img := filepath.Join(dirTmp, "disk.raw")
	const mib = 1 << 20
	sizes := []int64{100 * mib, 260 * mib}
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(mib + sizes[0] + sizes[1] + mib); err != nil {
		t.Fatal(err)
	}
	const espType = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
	script := fmt.Sprintf("label: gpt\nstart=2048, size=%d, type=%s, name=esp\nsize=%d, type=%s, name=esp4k\n",
		sizes[0]/512, espType, sizes[1]/512, espType)
	cmd := exec.Command(sfdisk, "-q", img)
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sfdisk: %v\n%s", err, out)
	}
	spec := map[string]any{"partition_count": 2}
	var parts []map[string]any
	off := int64(mib)
	for i, ss := range []int{512, 4096} {
		p := Params{SectorSize: ss, FATBits: 32, VolumeID: 0x793a442b, Label: "ESP", Time: mt}
		if err := Write(io.NewOffsetWriter(f, off), sizes[i], tr, p); err != nil {
			t.Fatal(err)
		}
		off += sizes[i]
		files := map[string]string{}
		var dirs []string
		for path, in := range expected(tr) {
			if in.Kind == fstree.Dir {
				dirs = append(dirs, path)
				continue
			}
			if strings.HasPrefix(path, "/loader/entries/entry-") && !strings.HasSuffix(path, "00.conf") {
				continue // the guest reads every file anyway; hashing 1100 is slow
			}
			sum := sha256.Sum256(in.Data())
			files[path] = hex.EncodeToString(sum[:])
		}
		// The harness checks exact case with busybox ls, which prints
		// non-ASCII names as '?': partition 1 checks case on ASCII names,
		// partition 2 checks the contents of all names.
		if i == 0 {
			for path := range files {
				if strings.ContainsFunc(path, func(r rune) bool { return r > 0x7F }) {
					delete(files, path)
				}
			}
		}
		parts = append(parts, map[string]any{"partno": i + 1, "fstype": "vfat", "files": files, "dirs": dirs,
			"absent": []string{"README~2.TXT/x"}, "exact_case": i == 0})
	}
	spec["partitions"] = parts
	js, _ := json.Marshal(spec)
	specPath := filepath.Join(dirTmp, "spec.json")
	if err := os.WriteFile(specPath, js, 0644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(kc, img, specPath).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "kernel-check: PASS") {
		t.Fatalf("kernel-check: %v\n%s", err, out)
	}
}
