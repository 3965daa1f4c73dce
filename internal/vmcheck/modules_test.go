package vmcheck_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/initramfs"
	"github.com/gorepart/gorepart/internal/testutil"
	"github.com/gorepart/gorepart/internal/vmcheck"
	"github.com/gorepart/gorepart/internal/vmcheck/job"
)

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
	dir := t.TempDir()
	for _, m := range []string{"kernel/lib/crc16.ko", "kernel/fs/jbd2/jbd2.ko"} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(m)), 0o755)
		os.WriteFile(filepath.Join(dir, m), []byte("module "+m), 0o644)
	}
	agent := filepath.Join(t.TempDir(), "agent")
	os.WriteFile(agent, []byte("#!agent"), 0o755)
	img := filepath.Join(t.TempDir(), "initramfs.cpio")
	j := &job.Job{SectorSize: 512}
	err := vmcheck.WriteInitramfs(img, agent, vmcheck.NewKernel(dir),
		[]initramfs.Module{{Path: "kernel/lib/crc16.ko"}, {Path: "kernel/fs/jbd2/jbd2.ko"}}, j)
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
