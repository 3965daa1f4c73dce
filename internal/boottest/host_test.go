package boottest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/testutil"
)

// host holds the programs and files a boot needs.
type host struct {
	qemu, busybox, dmsetup string
	veritysetup            string
	kernel, modDir         string
	stub, sdboot           string
	ovmfCode, ovmfVars     string
	kvm                    bool
}

// newHost finds the tools: missing ones fail the test in CI and skip it
// elsewhere, naming the Debian package.
func newHost(t *testing.T) *host {
	h := &host{
		qemu:    testutil.Tool(t, "qemu-system-x86_64", "qemu-system-x86"),
		busybox: needFile(t, "/bin/busybox", "busybox-static"),
		dmsetup: testutil.Tool(t, "dmsetup", "dmsetup"),
		// veritysetup checks on the host what the initrd does by hand.
		veritysetup: testutil.Tool(t, "veritysetup", "cryptsetup-bin"),
		stub:        needFile(t, "/usr/lib/systemd/boot/efi/linuxx64.efi.stub", "systemd-boot-efi"),
		sdboot:      needFile(t, "/usr/lib/systemd/boot/efi/systemd-bootx64.efi", "systemd-boot-efi"),
		ovmfCode:    needFile(t, "/usr/share/OVMF/OVMF_CODE.fd", "ovmf"),
		ovmfVars:    needFile(t, "/usr/share/OVMF/OVMF_VARS.fd", "ovmf"),
		kvm:         KVMUsable(),
	}
	testutil.Tool(t, "objcopy", "binutils")
	testutil.Tool(t, "objdump", "binutils")
	testutil.Tool(t, "ldd", "libc-bin")
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
		testutil.Missing(t, "a kernel in /boot with its modules", "linux-image-amd64")
	}
	return h
}

func needFile(t *testing.T, path, pkg string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		testutil.Missing(t, path, pkg)
	}
	return path
}

// modules are what the initrd loads: the virtio disk, the CD drive on
// q35's AHCI controller, dm-verity, erofs, ext4, and efivarfs for the
// boot loader's variables. crc32c_generic comes first: libcrc32c (erofs)
// and ext4 look the algorithm up by name when they load, and nothing
// would load it on demand (no modprobe).
var modules = []string{
	"crc32c_generic",
	"virtio_pci", "virtio_blk",
	"ahci", "sr_mod",
	"dm_mod", "dm_verity",
	"erofs", "ext4",
	"efivarfs",
}
