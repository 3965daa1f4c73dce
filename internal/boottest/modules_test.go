package boottest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestModuleFiles resolves modules from a modules.dep: dependencies
// before the module, each once, '-' and '_' alike, unknown names refused.
func TestModuleFiles(t *testing.T) {
	dir := t.TempDir()
	dep := "kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/mbcache.ko kernel/fs/jbd2/jbd2.ko\n" +
		"kernel/fs/jbd2/jbd2.ko:\nkernel/fs/mbcache.ko:\nkernel/lib/crc16.ko:\n" +
		"kernel/drivers/md/dm-verity.ko: kernel/drivers/md/dm-bufio.ko kernel/drivers/md/dm-mod.ko\n" +
		"kernel/drivers/md/dm-bufio.ko: kernel/drivers/md/dm-mod.ko\nkernel/drivers/md/dm-mod.ko:\n"
	if err := os.WriteFile(filepath.Join(dir, "modules.dep"), []byte(dep), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := moduleFiles(dir, "dm_verity", "ext4", "dm-mod")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range got {
		names = append(names, moduleName(f))
	}
	want := []string{"dm_mod", "dm_bufio", "dm_verity", "jbd2", "mbcache", "crc16", "ext4"}
	if !slices.Equal(names, want) {
		t.Errorf("order %v, want %v", names, want)
	}
	if _, err := moduleFiles(dir, "virtio_blk"); err == nil {
		t.Error("an unknown module was accepted")
	}
}
