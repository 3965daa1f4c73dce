package vmcheck

import (
	"bufio"
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
// generic implementation stands in.
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

// modIndex is what modules.dep, modules.softdep, modules.alias and
// modules.builtin say about a kernel's modules.
type modIndex struct {
	path    map[string]string   // module name (with _) → path relative to the modules dir
	deps    map[string][]string // path → paths it needs
	softPre map[string][]string // module name → names or aliases to load first
	alias   map[string][]string // exact alias → module names
	builtin map[string]bool     // module names built into the kernel
}

func modName(path string) string {
	b := filepath.Base(path)
	if i := strings.Index(b, ".ko"); i >= 0 {
		b = b[:i]
	}
	return strings.ReplaceAll(b, "-", "_")
}

func readModIndex(dir string) (*modIndex, error) {
	ix := &modIndex{path: map[string]string{}, deps: map[string][]string{}, softPre: map[string][]string{},
		alias: map[string][]string{}, builtin: map[string]bool{}}
	err := eachLine(filepath.Join(dir, "modules.dep"), true, func(l string) {
		p, rest, ok := strings.Cut(l, ":")
		if !ok {
			return
		}
		ix.path[modName(p)] = p
		ix.deps[p] = strings.Fields(rest)
	})
	if err != nil {
		return nil, err
	}
	eachLine(filepath.Join(dir, "modules.builtin"), false, func(l string) { ix.builtin[modName(l)] = true })
	eachLine(filepath.Join(dir, "modules.alias"), false, func(l string) {
		f := strings.Fields(l)
		if len(f) == 3 && f[0] == "alias" && !strings.ContainsAny(f[1], "*?[") {
			ix.alias[f[1]] = append(ix.alias[f[1]], modName(f[2]))
		}
	})
	eachLine(filepath.Join(dir, "modules.softdep"), false, func(l string) {
		f := strings.Fields(l)
		if len(f) < 3 || f[0] != "softdep" {
			return
		}
		pre := false
		for _, w := range f[2:] {
			switch w {
			case "pre:":
				pre = true
			case "post:":
				pre = false
			default:
				if pre {
					ix.softPre[modName(f[1])] = append(ix.softPre[modName(f[1])], w)
				}
			}
		}
	})
	return ix, nil
}

func eachLine(path string, required bool, fn func(string)) error {
	f, err := os.Open(path)
	if err != nil {
		if required {
			return err
		}
		return nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			fn(l)
		}
	}
	return sc.Err()
}

// modFile is one module to load, in order.
type modFile struct {
	path     string // relative to the modules dir
	optional bool
}

// order returns the modules to load for the wanted names, dependencies
// first. A name that is neither a module nor built in is an error; a
// soft dependency that cannot be found is skipped.
func (ix *modIndex) order(want []string) ([]modFile, error) {
	var out []modFile
	seen := map[string]bool{}
	var visitPath func(p string, optional bool)
	visitName := func(name string, optional bool) bool {
		n := strings.ReplaceAll(name, "-", "_")
		if ix.builtin[n] {
			return true
		}
		if p, ok := ix.path[n]; ok {
			visitPath(p, optional || optionalModules[n])
			return true
		}
		found := false
		for _, m := range ix.alias[name] {
			if p, ok := ix.path[m]; ok {
				visitPath(p, optional || optionalModules[m])
				found = true
			} else if ix.builtin[m] {
				found = true
			}
		}
		return found
	}
	visitPath = func(p string, optional bool) {
		if seen[p] {
			return
		}
		seen[p] = true
		for _, s := range ix.softPre[modName(p)] {
			visitName(s, true)
		}
		for _, d := range ix.deps[p] {
			visitPath(d, optional)
		}
		out = append(out, modFile{path: p, optional: optional})
	}
	for _, w := range want {
		if !visitName(w, false) {
			return nil, fmt.Errorf("kernel module %s: neither a module nor built in", w)
		}
	}
	return out, nil
}
