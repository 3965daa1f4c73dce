package initramfs_test

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/initramfs"
)

// TestModuleOrder resolves modules from a modules.dep: dependencies
// before the module (the one listed last first, as modprobe loads them),
// each once, '-' and '_' alike, unknown names refused.
func TestModuleOrder(t *testing.T) {
	dir := t.TempDir()
	dep := "kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/mbcache.ko kernel/fs/jbd2/jbd2.ko\n" +
		"kernel/fs/jbd2/jbd2.ko:\nkernel/fs/mbcache.ko:\nkernel/lib/crc16.ko:\n" +
		"kernel/drivers/md/dm-verity.ko: kernel/drivers/md/dm-bufio.ko kernel/drivers/md/dm-mod.ko\n" +
		"kernel/drivers/md/dm-bufio.ko: kernel/drivers/md/dm-mod.ko\nkernel/drivers/md/dm-mod.ko:\n"
	if err := os.WriteFile(filepath.Join(dir, "modules.dep"), []byte(dep), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := initramfs.ModuleOrder(dir, "dm_verity", "ext4", "dm-mod")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range got {
		if !strings.HasPrefix(f, dir+"/kernel/") {
			t.Errorf("%s is not under %s", f, dir)
		}
		names = append(names, initramfs.ModuleName(f))
	}
	want := []string{"dm_mod", "dm_bufio", "dm_verity", "jbd2", "mbcache", "crc16", "ext4"}
	if !slices.Equal(names, want) {
		t.Errorf("order %v, want %v", names, want)
	}
	if _, err := initramfs.ModuleOrder(dir, "virtio_blk"); err == nil {
		t.Error("an unknown module was accepted")
	}
}

// fakeModules writes a modules directory: modules.dep, .softdep, .alias
// and .builtin as depmod writes them.
func fakeModules(t *testing.T) string {
	dir := t.TempDir()
	files := map[string]string{
		"modules.dep": "kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/jbd2/jbd2.ko\n" +
			"kernel/lib/crc16.ko:\nkernel/fs/jbd2/jbd2.ko:\nkernel/crypto/crc32c_generic.ko:\n" +
			"kernel/arch/x86/crypto/crc32c-intel.ko:\nkernel/fs/btrfs/btrfs.ko: kernel/lib/libcrc32c.ko\nkernel/lib/libcrc32c.ko:\n",
		"modules.softdep": "# comment\nsoftdep ext4 pre: crypto-crc32c\nsoftdep btrfs pre: blake2b-256 missing-alias\n",
		"modules.alias":   "alias crypto-crc32c crc32c_intel\nalias crypto-crc32c crc32c_generic\nalias pci:v*d* crc16\n",
		"modules.builtin": "kernel/crypto/blake2b_generic.ko\nkernel/drivers/block/virtio_blk.ko\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestOrderSoft: soft dependencies come first, through their aliases, and
// are optional; built-in modules and soft dependencies that cannot be
// found are left out; wanted modules are not optional.
func TestOrderSoft(t *testing.T) {
	ix, err := initramfs.ReadIndex(fakeModules(t))
	if err != nil {
		t.Fatal(err)
	}
	mods, err := ix.Order([]string{"virtio_blk", "ext4", "btrfs"}, initramfs.Options{Soft: true})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	var opt []bool
	for _, m := range mods {
		paths = append(paths, m.Path)
		opt = append(opt, m.Optional)
	}
	want := []string{"kernel/arch/x86/crypto/crc32c-intel.ko", "kernel/crypto/crc32c_generic.ko", "kernel/fs/jbd2/jbd2.ko",
		"kernel/lib/crc16.ko", "kernel/fs/ext4/ext4.ko", "kernel/lib/libcrc32c.ko", "kernel/fs/btrfs/btrfs.ko"}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("order\n%q\nwant\n%q", paths, want)
	}
	if !opt[0] || !opt[1] || opt[4] {
		t.Errorf("optional %v: soft dependencies are, wanted modules are not", opt)
	}
	if _, err := ix.Order([]string{"nosuchfs"}, initramfs.Options{Soft: true}); err == nil {
		t.Error("an unknown module is no error")
	}
	// Without Soft only dependencies; Optional marks a module and what
	// it pulls in.
	mods, err = ix.Order([]string{"btrfs"}, initramfs.Options{Optional: map[string]bool{"btrfs": true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) != 2 || mods[0] != (initramfs.Module{"kernel/lib/libcrc32c.ko", true}) || mods[1] != (initramfs.Module{"kernel/fs/btrfs/btrfs.ko", true}) {
		t.Errorf("btrfs without soft dependencies: %+v", mods)
	}
}
