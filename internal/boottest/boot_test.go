package boottest

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorepart/gorepart/internal/testtool"
)

//go:embed init.sh
var initScript []byte

const (
	examples = "../../testdata/examples"
	seed     = "0867da16-f251-457d-a9e8-c31f9a3c220b"
	// bootTimeout bounds one boot; TCG boots take well under it.
	bootTimeout = 8 * time.Minute
)

// TestBoot builds the bootable example once (with --el-torito=yes) and
// boots it from a virtio disk, from a CD, and with a flipped byte in
// /usr's data.
func TestBoot(t *testing.T) {
	if testing.Short() {
		t.Skip("booting under TCG takes minutes; run without -short")
	}
	h := newHost(t)
	img := h.buildImage(t)

	t.Run("disk", func(t *testing.T) {
		out := h.boot(t, img.path, false)
		img.checkBooted(t, out)
	})
	t.Run("cdrom", func(t *testing.T) {
		out := h.boot(t, img.path, true)
		img.checkBooted(t, out)
		if !strings.Contains(out, "DISK /dev/sr0") {
			t.Errorf("the initrd did not find the image on the CD drive /dev/sr0:\n%s", out)
		}
	})
	t.Run("tampered", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "tampered.raw")
		img.flipUsrByte(t, bad)
		out := h.boot(t, bad, false)
		if strings.Contains(out, "GOREPART-BOOT-OK") {
			t.Fatalf("booted with a flipped byte in /usr:\n%s", out)
		}
		if !regexp.MustCompile(`GOREPART-BOOT-FAIL reading \./usr/share/doc/gorepart/random\.bin`).MatchString(out) {
			t.Errorf("no failure marker for the tampered file:\n%s", out)
		}
		if !regexp.MustCompile(`device-mapper: verity: .*data block \d+ is corrupted`).MatchString(out) {
			t.Errorf("no dm-verity error in the guest's kernel log:\n%s", out)
		}
	})
}

// host holds the programs and files a boot needs.
type host struct {
	qemu, busybox, dmsetup string
	kernel, modDir         string
	stub, sdboot           string
	ovmfCode, ovmfVars     string
	kvm                    bool
}

// newHost finds the tools: missing ones fail the test in CI and skip it
// elsewhere, naming the Debian package.
func newHost(t *testing.T) *host {
	h := &host{
		qemu:     testtool.Need(t, "qemu-system-x86_64", "qemu-system-x86"),
		busybox:  needFile(t, "/bin/busybox", "busybox-static"),
		dmsetup:  testtool.Need(t, "dmsetup", "dmsetup"),
		stub:     needFile(t, "/usr/lib/systemd/boot/efi/linuxx64.efi.stub", "systemd-boot-efi"),
		sdboot:   needFile(t, "/usr/lib/systemd/boot/efi/systemd-bootx64.efi", "systemd-boot-efi"),
		ovmfCode: needFile(t, "/usr/share/OVMF/OVMF_CODE.fd", "ovmf"),
		ovmfVars: needFile(t, "/usr/share/OVMF/OVMF_VARS.fd", "ovmf"),
		kvm:      KVMUsable(),
	}
	testtool.Need(t, "objcopy", "binutils")
	testtool.Need(t, "objdump", "binutils")
	testtool.Need(t, "ldd", "libc-bin")
	if out, err := exec.Command("ldd", h.busybox).CombinedOutput(); err == nil {
		t.Fatalf("%s is dynamically linked (%s): apt-get install busybox-static", h.busybox, bytes.TrimSpace(out))
	}
	kernels, _ := filepath.Glob("/boot/vmlinuz-*")
	for _, k := range kernels {
		v := strings.TrimPrefix(filepath.Base(k), "vmlinuz-")
		if _, err := os.Stat("/lib/modules/" + v + "/modules.dep"); err == nil {
			h.kernel, h.modDir = k, "/lib/modules/"+v
		}
	}
	if h.kernel == "" {
		missing(t, "a kernel in /boot with its modules", "linux-image-amd64")
	}
	return h
}

func needFile(t *testing.T, path, pkg string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		missing(t, path, pkg)
	}
	return path
}

func missing(t *testing.T, what, pkg string) {
	t.Helper()
	if testtool.CI() {
		t.Fatalf("%s not found: apt-get install %s", what, pkg)
	}
	t.Skipf("%s not found: apt-get install %s", what, pkg)
}

// modules are what the initrd loads: the virtio disk, the CD drive on
// q35's AHCI controller, dm-verity, erofs and ext4. crc32c_generic comes
// first: libcrc32c (erofs) and ext4 look the algorithm up by name when
// they load, and nothing would load it on demand (no modprobe).
var modules = []string{
	"crc32c_generic",
	"virtio_pci", "virtio_blk",
	"ahci", "sr_mod",
	"dm_mod", "dm_verity",
	"erofs", "ext4",
	"efivarfs",
}

// image is the built example and what gorepart reported about it.
type image struct {
	path, usrHash string
	report        []reportEntry
}

type reportEntry struct {
	Type     string  `json:"type"`
	Label    string  `json:"label"`
	Offset   int64   `json:"offset"`
	RawSize  int64   `json:"raw_size"`
	RootHash *string `json:"roothash"`
}

// buildImage builds gorepart and runs it on the example definitions, with
// ../bootable/repart.d's ESP in place of the shared one, deferred and
// filled with systemd-boot, loader.conf and the UKI made by --then.
func (h *host) buildImage(t *testing.T) *image {
	dir := t.TempDir()
	bin := filepath.Join(dir, "gorepart")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/gorepart")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building gorepart: %v\n%s", err, out)
	}

	mods, err := moduleFiles(h.modDir, modules...)
	if err != nil {
		t.Fatal(err)
	}
	var initrd bytes.Buffer
	if err := WriteInitrd(&initrd, InitrdParams{Init: initScript, Busybox: h.busybox, Modules: mods, Programs: []string{h.dmsetup}}); err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	initrdPath := write("initrd.cpio", initrd.Bytes())
	loaderConf := write("loader.conf", []byte("timeout 0\neditor no\n"))
	osrel, err := filepath.Abs(filepath.Join(examples, "tree/usr/lib/os-release"))
	if err != nil {
		t.Fatal(err)
	}
	mkuki, err := filepath.Abs("../../scripts/mkuki")
	if err != nil {
		t.Fatal(err)
	}
	cmdline, uki := filepath.Join(dir, "cmdline"), filepath.Join(dir, "example_1.efi")
	then := fmt.Sprintf(`printf 'usrhash=%%s console=ttyS0 quiet panic=-1' "$USRHASH" >%s && %s %s %s %s %s %s %s`,
		shq(cmdline), shq(mkuki), shq(h.stub), shq(h.kernel), shq(initrdPath), shq(cmdline), shq(osrel), shq(uki))

	img := filepath.Join(dir, "example.raw")
	cmd := exec.Command(bin, "--empty=create", "--size=auto", "--dry-run=no",
		"--seed="+seed, "--sector-size=512", "--architecture=x86-64",
		"--definitions="+filepath.Join(examples, "bootable/repart.d"),
		"--definitions="+filepath.Join(examples, "repart.d"),
		"--copy-source="+filepath.Join(examples, "tree"),
		"--image-id=example", "--image-version=1",
		"--el-torito=yes", "--json=short",
		"--defer-partitions=esp", "--then="+then,
		"--then-copy="+h.sdboot+":/EFI/BOOT/BOOTX64.EFI",
		"--then-copy="+h.sdboot+":/EFI/systemd/systemd-bootx64.efi",
		"--then-copy="+loaderConf+":/loader/loader.conf",
		"--then-copy="+uki+":/EFI/Linux/example_1.efi",
		img)
	cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=1700000000")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("gorepart: %v\n%s", err, stderr.Bytes())
	}
	im := &image{path: img}
	if err := json.Unmarshal(stdout.Bytes(), &im.report); err != nil {
		t.Fatalf("reading gorepart's report: %v\n%s", err, stdout.Bytes())
	}
	for _, e := range im.report {
		if e.Type == "usr-x86-64" && e.RootHash != nil {
			im.usrHash = *e.RootHash
		}
	}
	if len(im.usrHash) != 64 {
		t.Fatalf("no usr root hash in the report:\n%s", stdout.Bytes())
	}
	h.checkUKI(t, uki, im.usrHash)
	if dst := os.Getenv("GOREPART_BOOT_KEEP"); dst != "" {
		if b, err := os.ReadFile(img); err == nil {
			os.WriteFile(dst, b, 0o644)
		}
	}
	return im
}

// checkUKI checks with objdump that the UKI has the stub's sections and
// the four added ones, in address order without overlap, and that its
// command line carries the root hash.
func (h *host) checkUKI(t *testing.T, uki, usrHash string) {
	out, err := exec.Command("objdump", "-h", uki).Output()
	if err != nil {
		t.Fatalf("objdump -h %s: %v", uki, err)
	}
	var end uint64
	var names []string
	re := regexp.MustCompile(`(?m)^\s*\d+\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s`)
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		var size, vma uint64
		fmt.Sscanf(m[2], "%x", &size)
		fmt.Sscanf(m[3], "%x", &vma)
		if vma < end {
			t.Errorf("UKI section %s at %#x overlaps the one before (ends %#x)", m[1], vma, end)
		}
		end = vma + size
		names = append(names, m[1])
	}
	if got := strings.Join(names, " "); !strings.HasSuffix(got, ".osrel .cmdline .linux .initrd") {
		t.Errorf("UKI sections %s, want the stub's then .osrel .cmdline .linux .initrd", got)
	}
	cl, err := exec.Command("objcopy", "-O", "binary", "--only-section=.cmdline", uki, "/dev/stdout").Output()
	if err != nil || !strings.Contains(string(cl), "usrhash="+usrHash) {
		t.Errorf("UKI .cmdline %q (%v) lacks usrhash=%s", cl, err, usrHash)
	}
}

func shq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// boot starts the image in qemu (KVM if usable, else TCG) and returns the
// serial console output.
func (h *host) boot(t *testing.T, img string, cdrom bool) string {
	m := Machine{Qemu: h.qemu, Code: h.ovmfCode, Vars: h.ovmfVars, Dir: t.TempDir(), Image: img,
		CDROM: cdrom, KVM: h.kvm, Memory: 512, Timeout: bootTimeout}
	out, took, err := m.Boot(context.Background())
	accel := "TCG"
	if h.kvm {
		accel = "KVM"
	}
	t.Logf("boot (%s, cdrom=%v): %.1f s", accel, cdrom, took.Seconds())
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return out
}

// checkBooted checks the marker of a successful boot and every line the
// initrd printed about the files it read: the files of the tree's usr/
// (through dm-verity) and root/ with their sha256, and the symlinks, must
// be exactly those of the tree and the definitions.
func (im *image) checkBooted(t *testing.T, out string) {
	if !strings.Contains(out, "GOREPART-BOOT-OK "+im.usrHash) {
		t.Fatalf("no GOREPART-BOOT-OK %s on the console:\n%s", im.usrHash, out)
	}
	want, err := expectedEntries(filepath.Join(examples, "tree"))
	if err != nil {
		t.Fatal(err)
	}
	want["LINK ./bin usr/bin"] = true // MakeSymlinks=/bin:usr/bin
	got := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimRight(l, "\r")
		if strings.HasPrefix(l, "FILE ") || strings.HasPrefix(l, "LINK ") {
			got[l] = true
		}
	}
	for l := range want {
		if !got[l] {
			t.Errorf("guest did not report %q", l)
		}
	}
	for l := range got {
		if !want[l] {
			t.Errorf("guest reported %q, not in the tree", l)
		}
	}
	// systemd-boot started the UKI from EFI/Linux, and its stub the kernel.
	for _, l := range []string{"HELLO hello from gorepart", " verity V",
		"LOADER systemd-boot 2", "ENTRY example_1.efi", "STUB systemd-stub 2"} {
		if !strings.Contains(out, l) {
			t.Errorf("console lacks %q", l)
		}
	}
	if t.Failed() {
		t.Logf("console:\n%s", out)
	}
}

// flipUsrByte copies the image to dst with one byte of random.bin's data
// flipped inside the /usr partition (erofs keeps the incompressible file
// uncompressed, so its bytes are found in the partition).
func (im *image) flipUsrByte(t *testing.T, dst string) {
	b, err := os.ReadFile(im.path)
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(filepath.Join(examples, "tree/usr/share/doc/gorepart/random.bin"))
	if err != nil {
		t.Fatal(err)
	}
	var usr *reportEntry
	for i, e := range im.report {
		if e.Type == "usr-x86-64" && e.RootHash != nil {
			usr = &im.report[i]
		}
	}
	part := b[usr.Offset : usr.Offset+usr.RawSize]
	at := bytes.Index(part, file[100000:100064])
	if at < 0 {
		t.Fatal("random.bin's data not found in the /usr partition")
	}
	part[at] ^= 0x01
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
