//go:build ext4_mount

// Run as root with: go test -tags ext4_mount -run TestMountReadWrite ./ext4/

package ext4

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorepart/gorepart/internal/testutil"
	"golang.org/x/sys/unix"
)

// TestMountReadWrite mounts generated filesystems (at MinSize plus repart's
// 50% headroom) read-write through a loop device on the host kernel,
// modifies them (new files, htree insertions, deletions, appends, xattrs),
// and checks e2fsck and dmesg afterwards. It needs root and loop devices,
// so it is an opt-in suite (build tag ext4_mount).
func TestMountReadWrite(t *testing.T) {
	losetup := testutil.Tool(t, "losetup", "mount")
	for _, i := range []int{3, 13, 23, 5} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			tree := genTree(i)
			min, err := MinSize(tree, testParams())
			if err != nil {
				t.Fatal(err)
			}
			img := writeImage(t, tree, (min*3/2+4095)&^4095, testParams())
			out, err := exec.Command(losetup, "-f", "--show", img).Output()
			if err != nil {
				t.Fatalf("losetup: %v", err)
			}
			loop := strings.TrimSpace(string(out))
			defer exec.Command(losetup, "-d", loop).Run()
			mnt := t.TempDir()
			if err := unix.Mount(loop, mnt, "ext4", 0, ""); err != nil {
				t.Fatalf("mount: %v", err)
			}
			mounted := true
			defer func() {
				if mounted {
					unix.Unmount(mnt, 0)
				}
			}()
			modify(t, mnt)
			if err := unix.Unmount(mnt, 0); err != nil {
				t.Fatalf("umount: %v", err)
			}
			mounted = false
			dmesg, _ := exec.Command("dmesg").Output()
			for _, l := range strings.Split(string(dmesg), "\n") {
				dev := filepath.Base(loop)
				if strings.Contains(l, "EXT4-fs") && strings.Contains(l, dev) && (strings.Contains(l, "error") || strings.Contains(l, "warning")) {
					t.Errorf("dmesg: %s", l)
				}
			}
			fsck(t, img)
		})
	}
}

// modify changes a mounted filesystem the way a booted system would.
func modify(t *testing.T, mnt string) {
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(mnt, "new-file"), bytes.Repeat([]byte("x"), 1<<20), 0644))
	must(os.MkdirAll(filepath.Join(mnt, "new/dir/tree"), 0755))
	if big := filepath.Join(mnt, "big"); dirExists(big) {
		ents, err := os.ReadDir(big)
		must(err)
		for i, e := range ents {
			if i%5 == 0 {
				must(os.Remove(filepath.Join(big, e.Name())))
			}
		}
		var st unix.Statfs_t
		must(unix.Statfs(mnt, &st))
		for i := 0; i < min(600, int(st.Ffree)/2); i++ {
			must(os.WriteFile(filepath.Join(big, fmt.Sprintf("added-%04d-%s", i, strings.Repeat("y", i%200))), []byte("n"), 0644))
		}
	}
	err := filepath.WalkDir(mnt, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == mnt || strings.HasPrefix(p, filepath.Join(mnt, "new")) {
			return err
		}
		if d.Type().IsRegular() {
			f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				return err
			}
			_, err = f.Write([]byte("appended"))
			f.Close()
			if err != nil {
				return err
			}
			return unix.Lsetxattr(p, "user.added", []byte("value"), 0)
		}
		return nil
	})
	must(err)
	must(unix.Rename(filepath.Join(mnt, "new-file"), filepath.Join(mnt, "new/renamed")))
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
