package vmcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// fsModules are the modules each filesystem and device-mapper target
// needs in the guest, besides the virtio disk; their dependencies and
// soft dependencies come from modules.dep and modules.softdep. Only
// what the spec uses is loaded: under TCG, btrfs's RAID6 and XOR
// benchmarks alone cost seconds.
var fsModules = map[string][]string{
	"vfat":     {"vfat", "nls_cp437", "nls_iso8859-1", "nls_ascii", "nls_utf8"},
	"ext4":     {"crc32c_generic", "ext4"},
	"erofs":    {"erofs"},
	"squashfs": {"squashfs"},
	"btrfs":    {"crc32c_generic", "btrfs"},
	"xfs":      {"crc32c_generic", "xfs"},
	"verity":   {"dm-mod", "dm-verity"},
	"luks":     {"dm-mod", "dm-crypt", "xts", "aesni_intel"},
}

// wantModules lists the modules the spec needs.
func wantModules(spec *Spec) []string {
	want := []string{"virtio_pci", "virtio_blk"}
	uses := map[string]bool{}
	for _, p := range spec.Partitions {
		uses[p.FSType] = true
		uses["verity"] = uses["verity"] || p.Verity != nil
		uses["luks"] = uses["luks"] || p.LUKS != nil
	}
	for _, k := range []string{"vfat", "ext4", "erofs", "squashfs", "btrfs", "xfs", "verity", "luks"} {
		if uses[k] {
			want = append(want, fsModules[k]...)
		}
	}
	return want
}

// optionalModules use CPU features the guest's CPU model may lack; a
// generic implementation stands in (initramfs.Options.Optional).
var optionalModules = map[string]bool{"aesni_intel": true, "crc32c_intel": true, "sha256_ssse3": true, "padlock_aes": true}

// kernel is a Linux kernel image and its modules directory.
type kernel struct {
	version string
	image   string // /boot/vmlinuz-VERSION
	modules string // /lib/modules/VERSION
}

// findKernel returns the kernel of the given version, or the newest one
// in /boot with a modules.dep.
func findKernel(version string) (*kernel, error) {
	if version == "" {
		imgs, _ := filepath.Glob("/boot/vmlinuz-*")
		var vs []string
		for _, img := range imgs {
			v := strings.TrimPrefix(filepath.Base(img), "vmlinuz-")
			if _, err := os.Stat(filepath.Join("/lib/modules", v, "modules.dep")); err == nil {
				vs = append(vs, v)
			}
		}
		if len(vs) == 0 {
			return nil, &MissingError{What: "a Linux kernel with modules (/boot/vmlinuz-V, /lib/modules/V)", Package: "linux-image-amd64"}
		}
		sort.Slice(vs, func(i, j int) bool { return versionLess(vs[i], vs[j]) })
		version = vs[len(vs)-1]
	}
	k := &kernel{version: version, image: "/boot/vmlinuz-" + version, modules: filepath.Join("/lib/modules", version)}
	if err := unix.Access(k.image, unix.R_OK); err != nil {
		return nil, fmt.Errorf("kernel %s not readable (%v): run as root or make it readable", k.image, err)
	}
	return k, nil
}

// versionLess compares kernel versions by their numeric fields.
func versionLess(a, b string) bool {
	fa, fb := strings.FieldsFunc(a, notDigit), strings.FieldsFunc(b, notDigit)
	for i := 0; i < len(fa) && i < len(fb); i++ {
		if len(fa[i]) != len(fb[i]) {
			return len(fa[i]) < len(fb[i])
		}
		if fa[i] != fb[i] {
			return fa[i] < fb[i]
		}
	}
	return len(fa) < len(fb)
}

func notDigit(r rune) bool { return r < '0' || r > '9' }
