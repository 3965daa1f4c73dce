//go:build luks_kernel

package luks

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/ext4"
	"github.com/gorepart/gorepart/internal/initramfs"
	"github.com/gorepart/gorepart/internal/testutil"
)

// TestKernel boots the Debian kernel in qemu with an initramfs whose /init
// (testdata/vminit) maps two volumes written by the Writer with the
// kernel's dm-crypt, using the table cryptsetup 2.6 loads for LUKS2, and
// mounts the ext4 our ext4 writer put in them read-write. One volume is
// zero-filled at Close, the other written with KeepHoles. This checks the
// IV convention and sector size against the kernel itself, and that the
// ext4 writer's output survives a read-write mount when the blocks it does
// not write decrypt to noise. Run with -tags luks_kernel (about 30 s
// without KVM). With iv_large_sectors in the table the mount fails.
func TestKernel(t *testing.T) {
	qemu := testutil.Tool(t, "qemu-system-x86_64", "qemu-system-x86")
	kernels, _ := filepath.Glob("/boot/vmlinuz-*")
	if len(kernels) == 0 {
		t.Fatal("no kernel in /boot: apt-get install linux-image-amd64")
	}
	sort.Strings(kernels)
	kernel := kernels[len(kernels)-1]
	kver := strings.TrimPrefix(filepath.Base(kernel), "vmlinuz-")
	dir := t.TempDir()

	src := testSource(t)
	tree := sourceTree(t, src)
	var volumes, disks []string
	for i, keep := range []bool{false, true} {
		const size = 96 << 20
		img := createFile(t, fmt.Sprintf("disk%d", i), size)
		p := fastParams("k")
		p.KeepHoles = keep
		p.Rand = newTestRand(byte(10 + i))
		w, err := NewWriter(img, size, p)
		if err != nil {
			t.Fatal(err)
		}
		if err := ext4.Write(w, w.DataSize(), tree, ext4.Params{Label: "root", Time: testEpoch}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		r, err := OpenReader(img, size, []byte("k"))
		if err != nil {
			t.Fatal(err)
		}
		volumes = append(volumes, fmt.Sprintf("/dev/vd%c %s %d 4096 %d", 'a'+i, hex.EncodeToString(r.VolumeKey()), r.Size()/512, w.DataSize()))
		disks = append(disks, "-drive", "file="+img.Name()+",if=virtio,format=raw")
	}
	var files []string
	filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			sum := sha256.Sum256(b)
			rel, _ := filepath.Rel(src, p)
			files = append(files, rel+" "+hex.EncodeToString(sum[:]))
		}
		return nil
	})

	// Reading the source makes go test's cache notice changes to it.
	if _, err := os.ReadFile("testdata/vminit/main.go"); err != nil {
		t.Fatal(err)
	}
	initBin := filepath.Join(dir, "init")
	build := exec.Command("go", "build", "-o", initBin, "./testdata/vminit")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building vminit: %v\n%s", err, out)
	}
	mods, err := initramfs.ModuleOrder("/lib/modules/"+kver, "virtio_pci", "virtio_blk", "dm-crypt", "ecb", "xts", "crc32c_generic", "ext4")
	if err != nil {
		t.Fatal(err)
	}
	entries := []cpioEntry{
		{name: "init", mode: 0o755, path: initBin},
		{name: "volumes", mode: 0o644, data: []byte(strings.Join(volumes, "\n") + "\n")},
		{name: "files", mode: 0o644, data: []byte(strings.Join(files, "\n") + "\n")},
	}
	var list []string
	for i, m := range mods {
		name := fmt.Sprintf("m%02d.ko", i)
		entries = append(entries, cpioEntry{name: name, mode: 0o644, path: m})
		list = append(list, "/"+name)
	}
	entries = append(entries, cpioEntry{name: "modules", mode: 0o644, data: []byte(strings.Join(list, "\n"))})
	initrd := filepath.Join(dir, "initrd")
	writeCpio(t, initrd, entries)

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	args := append([]string{"-machine", "pc", "-cpu", "max", "-m", "512", "-nographic", "-no-reboot",
		"-kernel", kernel, "-initrd", initrd, "-append", "console=ttyS0 panic=-1 loglevel=4"}, disks...)
	out, err := exec.CommandContext(ctx, qemu, args...).CombinedOutput()
	log := string(out)
	if err != nil {
		t.Fatalf("qemu: %v\n%s", err, log)
	}
	if !strings.Contains(log, "RESULT ok") {
		t.Fatalf("guest check failed:\n%s", log)
	}
	for _, want := range []string{"TAIL /dev/vda zero=true", "VOLUME /dev/vda ok", "VOLUME /dev/vdb ok"} {
		if !strings.Contains(log, want) {
			t.Errorf("guest output lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`(?i).*(EXT4-fs error|JBD2: .*(error|corrupt|invalid)|I/O error|device-mapper: .*error|Buffer I/O).*`).FindString(log); m != "" {
		t.Errorf("kernel complained: %s\n%s", m, log)
	}
}

// cpioEntry is a regular file at the root of the initramfs.
type cpioEntry struct {
	name string
	mode fs.FileMode // permissions
	path string      // file to copy, or
	data []byte
}

// writeCpio writes a newc archive with the entries at its root.
func writeCpio(t *testing.T, out string, entries []cpioEntry) {
	var buf bytes.Buffer
	w := initramfs.NewWriter(&buf)
	for _, e := range entries {
		data := e.data
		if e.path != "" {
			var err error
			if data, err = os.ReadFile(e.path); err != nil {
				t.Fatal(err)
			}
		}
		w.Add(e.name, e.mode, data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
