package vfat

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/fstree"
	"github.com/gorepart/gorepart/internal/testutil"
	"github.com/gorepart/gorepart/internal/vmcheck"
)

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
	const mib = 1 << 20
	const espType = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
	img := filepath.Join(t.TempDir(), "disk.raw")
	spec := &vmcheck.Spec{PartitionCount: 2}
	var parts []testutil.DiskPart
	for i, c := range []struct {
		ss   int
		size int64
		name string
	}{{512, 100 * mib, "esp"}, {4096, 260 * mib, "esp4k"}} {
		p := Params{SectorSize: c.ss, FATBits: 32, VolumeID: 0x793a442b, Label: "ESP", Time: mt}
		parts = append(parts, testutil.DiskPart{Type: espType, Name: c.name, Size: c.size,
			Write: func(w io.WriterAt) error { return Write(w, c.size, tr, p) }})
		files := map[string]string{}
		var dirs []string
		for path, in := range expected(tr) {
			if in.Kind == fstree.Dir {
				dirs = append(dirs, path)
				continue
			}
			if strings.HasPrefix(path, "/loader/entries/entry-") && !strings.HasSuffix(path, "00.conf") {
				continue // the guest reads every file anyway; hashing 300 is slow
			}
			sum := sha256.Sum256(in.Data())
			files[path] = hex.EncodeToString(sum[:])
		}
		// Every name, Unicode ones too, must be listed with exactly its
		// case.
		spec.Partitions = append(spec.Partitions, &vmcheck.Partition{PartNo: i + 1, FSType: "vfat", Name: c.name,
			Files: files, Dirs: dirs, Absent: []string{"README~2.TXT/x"}})
	}
	testutil.Disk(t, img, parts)
	testutil.VMCheck(t, img, spec)
}
