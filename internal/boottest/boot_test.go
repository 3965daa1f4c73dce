package boottest

import (
	"context"
	_ "embed"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

//go:embed init.sh
var initScript []byte

const (
	examples = "../../testdata/examples"
	seed     = "0867da16-f251-457d-a9e8-c31f9a3c220b"
	epoch    = 1700000000 // SOURCE_DATE_EPOCH
	// bootTimeout bounds one boot; TCG boots take well under it.
	bootTimeout = 8 * time.Minute
)

// TestBoot builds the bootable example once (with --el-torito=yes) and
// boots it from a virtio disk and from a CD; with its El Torito header
// zeroed, the CD must not boot, and with a flipped byte in /usr's data,
// the disk must fail in the initrd with a dm-verity error.
func TestBoot(t *testing.T) {
	if testing.Short() {
		t.Skip("booting under TCG takes minutes; run without -short")
	}
	h := newHost(t)
	img := h.buildImage(t)

	t.Run("disk", func(t *testing.T) {
		out := h.boot(t, img.path, false)
		img.checkBooted(t, h, out)
	})
	t.Run("cdrom", func(t *testing.T) {
		out := h.boot(t, img.path, true)
		img.checkBooted(t, h, out)
		if !strings.Contains(out, "DISK /dev/sr0") {
			t.Errorf("the initrd did not find the image on the CD drive /dev/sr0:\n%s", out)
		}
	})
	t.Run("cdrom-without-el-torito", func(t *testing.T) {
		// The negative control of the CD boot: the same image with the
		// ISO 9660 + El Torito blocks (16-20) zeroed gives the firmware
		// nothing to boot, and it falls back to its shell.
		b, err := os.ReadFile(img.path)
		if err != nil {
			t.Fatal(err)
		}
		clear(b[16*2048 : 21*2048])
		bare := filepath.Join(t.TempDir(), "bare.raw")
		if err := os.WriteFile(bare, b, 0o644); err != nil {
			t.Fatal(err)
		}
		out := h.bootUntil(t, bare, true, "EFI Internal Shell")
		if strings.Contains(out, "GOREPART-BOOT-OK") || !strings.Contains(out, "EFI Internal Shell") {
			t.Errorf("the CD without El Torito booted, or the firmware did not fall back to its shell:\n%s", out)
		}
	})
	t.Run("tampered", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "tampered.raw")
		img.flipUsrByte(t, bad)
		data, hash := img.extractUsr(t, bad, t.TempDir())
		if out, err := exec.Command(h.veritysetup, "verify", data, hash, img.usrHash).CombinedOutput(); err == nil {
			t.Fatalf("veritysetup verify passes with the flipped byte: it is outside the hash tree's data\n%s", out)
		}
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

// boot starts the image in qemu (KVM if usable, else TCG) and returns the
// serial console output.
func (h *host) boot(t *testing.T, img string, cdrom bool) string {
	return h.bootUntil(t, img, cdrom, "")
}

// bootUntil is boot, ended early once the console shows stopAt.
func (h *host) bootUntil(t *testing.T, img string, cdrom bool, stopAt string) string {
	m := Machine{Qemu: h.qemu, Code: h.ovmfCode, Vars: h.ovmfVars, Dir: t.TempDir(), Image: img,
		CDROM: cdrom, KVM: h.kvm, Memory: 512, Timeout: bootTimeout, StopAt: stopAt}
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
func (im *image) checkBooted(t *testing.T, h *host, out string) {
	if !strings.Contains(out, "GOREPART-BOOT-OK "+im.usrHash) {
		t.Fatalf("no GOREPART-BOOT-OK %s on the console:\n%s", im.usrHash, out)
	}
	im.checkTable(t, h, out)
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

// checkTable compares the dm-verity table the initrd computed from the
// hash partition's superblock with what veritysetup dump reads there.
func (im *image) checkTable(t *testing.T, h *host, out string) {
	dump, err := exec.Command(h.veritysetup, "dump", im.hash).Output()
	if err != nil {
		t.Fatalf("veritysetup dump: %v", err)
	}
	field := func(name string) string {
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `:\s*(\S+)`).FindStringSubmatch(string(dump))
		if m == nil {
			t.Fatalf("veritysetup dump has no %s:\n%s", name, dump)
		}
		return m[1]
	}
	// 0 <sectors> verity <type> <data> <hash> <dbs> <hbs> <blocks> <hash start> <alg> <root> <salt>
	m := regexp.MustCompile(`TABLE 0 \d+ verity (\d+) \S+ \S+ (\d+) (\d+) (\d+) (\d+) (\S+) (\S+) (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no verity table on the console")
	}
	want := []string{field("Hash type"), field("Data block size"), field("Hash block size"), field("Data blocks"), "1",
		field("Hash algorithm"), im.usrHash, field("Salt")}
	if got := m[1:]; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("initrd's verity table %v, veritysetup dump says %v", got, want)
	}
}
