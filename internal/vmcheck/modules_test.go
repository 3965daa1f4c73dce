package vmcheck_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/testutil"
	"github.com/gorepart/gorepart/internal/vmcheck"
	"github.com/gorepart/gorepart/internal/vmcheck/job"
)

// fakeModules writes a modules directory: modules.dep, .softdep, .alias
// and .builtin as depmod writes them, and a file per module.
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

func TestModuleOrder(t *testing.T) {
	dir := fakeModules(t)
	paths, opt, err := vmcheck.Order(dir, []string{"virtio_blk", "ext4", "btrfs"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"kernel/arch/x86/crypto/crc32c-intel.ko", "kernel/crypto/crc32c_generic.ko", "kernel/lib/crc16.ko",
		"kernel/fs/jbd2/jbd2.ko", "kernel/fs/ext4/ext4.ko", "kernel/lib/libcrc32c.ko", "kernel/fs/btrfs/btrfs.ko"}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("order\n%q\nwant\n%q", paths, want)
	}
	if !opt[0] || !opt[1] || opt[4] {
		t.Errorf("optional %v: soft dependencies are, wanted modules are not", opt)
	}
	if _, _, err := vmcheck.Order(dir, []string{"nosuchfs"}); err == nil {
		t.Error("an unknown module is no error")
	}
}

// TestWantModules: only what the spec uses is loaded.
func TestWantModules(t *testing.T) {
	got := strings.Join(vmcheck.WantModules(&vmcheck.Spec{Partitions: []*vmcheck.Partition{
		{PartNo: 1, FSType: "erofs", Verity: &vmcheck.Verity{HashPartNo: 2, RootHash: "00"}}}}), " ")
	if got != "virtio_pci virtio_blk erofs dm-mod dm-verity" {
		t.Errorf("modules: %s", got)
	}
}

// TestInitramfs lists the archive with cpio, an independent reader.
func TestInitramfs(t *testing.T) {
	cpio := testutil.Tool(t, "cpio", "cpio")
	dir := fakeModules(t)
	for _, m := range []string{"kernel/lib/crc16.ko", "kernel/fs/jbd2/jbd2.ko"} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(m)), 0o755)
		os.WriteFile(filepath.Join(dir, m), []byte("module "+m), 0o644)
	}
	agent := filepath.Join(t.TempDir(), "agent")
	os.WriteFile(agent, []byte("#!agent"), 0o755)
	img := filepath.Join(t.TempDir(), "initramfs.cpio")
	j := &job.Job{SectorSize: 512}
	err := vmcheck.WriteInitramfs(img, agent, vmcheck.NewKernel(dir),
		[]vmcheck.ModFile{vmcheck.NewModFile("kernel/lib/crc16.ko"), vmcheck.NewModFile("kernel/fs/jbd2/jbd2.ko")}, j)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(img)
	defer f.Close()
	cmd := exec.Command(cpio, "-itv", "--quiet")
	cmd.Stdin = f
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("cpio -it: %v\n%s", err, out)
	}
	for _, want := range []string{"drwxr-xr-x", "crw-------", " dev/console", "-rwxr-xr-x", " init", " mods/crc16.ko", " mods/jbd2.ko", " job.json"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("cpio -itv lacks %q:\n%s", want, out)
		}
	}
	if len(j.Modules) != 2 || j.Modules[1].File != "jbd2.ko" {
		t.Errorf("job modules %+v", j.Modules)
	}
}
